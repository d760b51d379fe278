#include "hbm/segment.h"

#include <cstring>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace openbpu::hbm {
namespace {

// The largest value a CPU segment may record (the reference's limit, ir::kMaxTensorElements).
constexpr int64_t kMaxValueElements = int64_t{1} << 28;

absl::Status Invalid(const std::string& where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

}  // namespace

absl::StatusOr<TensorDesc::DType> ToProtoDType(DType dtype) {
  switch (dtype) {
    case DType::kInt8:
      return TensorDesc::INT8;
    case DType::kInt16:
      return TensorDesc::INT16;
    case DType::kInt32:
      return TensorDesc::INT32;
    case DType::kFloat32:
      return TensorDesc::FLOAT32;
    case DType::kBool:
      return TensorDesc::BOOL;
    case DType::kInt64:
      return TensorDesc::INT64;
    case DType::kUInt8:
      return TensorDesc::UINT8;
    case DType::kFloat64:
      return TensorDesc::FLOAT64;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("dtype ", DTypeName(dtype), " has no .hbm encoding"));
  }
}

absl::StatusOr<DType> FromProtoDType(TensorDesc::DType dtype) {
  switch (dtype) {
    case TensorDesc::INT8:
      return DType::kInt8;
    case TensorDesc::INT16:
      return DType::kInt16;
    case TensorDesc::INT32:
      return DType::kInt32;
    case TensorDesc::FLOAT32:
      return DType::kFloat32;
    case TensorDesc::BOOL:
      return DType::kBool;
    case TensorDesc::INT64:
      return DType::kInt64;
    case TensorDesc::UINT8:
      return DType::kUInt8;
    case TensorDesc::FLOAT64:
      return DType::kFloat64;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("dtype ", static_cast<int>(dtype), " is not a known dtype"));
  }
}

absl::StatusOr<Constant> ToConstant(const std::string& name, const Tensor& tensor) {
  Constant c;
  c.set_name(name);
  OPENBPU_ASSIGN_OR_RETURN(const TensorDesc::DType dtype, ToProtoDType(tensor.dtype()));
  c.set_dtype(dtype);
  for (int64_t d : tensor.shape()) c.add_shape(d);
  c.set_data(reinterpret_cast<const char*>(tensor.raw()), tensor.num_bytes());
  return c;
}

absl::StatusOr<Tensor> FromConstant(const Constant& constant) {
  const std::string where = absl::StrCat("constant '", constant.name(), "'");
  absl::StatusOr<DType> dtype = FromProtoDType(constant.dtype());
  if (!dtype.ok()) return Invalid(where, dtype.status().message());
  Shape shape;
  uint64_t elements = 1;
  for (int64_t d : constant.shape()) {
    if (d < 0 || (d > 0 && elements > std::numeric_limits<uint32_t>::max() / d)) {
      return Invalid(where, absl::StrCat("dimension ", d, " is negative or too large"));
    }
    elements *= static_cast<uint64_t>(d);
    shape.push_back(d);
  }
  if (elements * DTypeSize(*dtype) != constant.data().size()) {
    return Invalid(where, absl::StrCat("shape ", ShapeToString(shape), " of ", DTypeName(*dtype),
                                       " needs ", elements * DTypeSize(*dtype), " bytes, data has ",
                                       constant.data().size()));
  }
  Tensor t(*dtype, shape);
  if (!constant.data().empty()) std::memcpy(t.raw(), constant.data().data(), t.num_bytes());
  return t;
}

absl::Status ToAttributes(const AttributeMap& attrs,
                          google::protobuf::RepeatedPtrField<Attribute>* out) {
  for (const auto& [name, value] : attrs.all()) {
    Attribute* a = out->Add();
    a->set_name(name);
    switch (KindOf(value)) {
      case AttrKind::kInt:
        a->set_kind(Attribute::INT);
        a->set_i(std::get<int64_t>(value));
        break;
      case AttrKind::kFloat:
        a->set_kind(Attribute::FLOAT);
        a->set_f(std::get<float>(value));
        break;
      case AttrKind::kString:
        a->set_kind(Attribute::STRING);
        a->set_s(std::get<std::string>(value));
        break;
      case AttrKind::kInts:
        a->set_kind(Attribute::INTS);
        for (int64_t v : std::get<std::vector<int64_t>>(value)) a->add_ints(v);
        break;
      case AttrKind::kFloats:
        a->set_kind(Attribute::FLOATS);
        for (float v : std::get<std::vector<float>>(value)) a->add_floats(v);
        break;
      case AttrKind::kStrings:
        a->set_kind(Attribute::STRINGS);
        for (const std::string& v : std::get<std::vector<std::string>>(value)) a->add_strings(v);
        break;
      case AttrKind::kTensor: {
        OPENBPU_ASSIGN_OR_RETURN(*a->mutable_tensor(), ToConstant(name, std::get<Tensor>(value)));
        a->set_kind(Attribute::TENSOR);
        break;
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<AttributeMap> FromAttributes(
    const google::protobuf::RepeatedPtrField<Attribute>& attrs) {
  AttributeMap map;
  for (const Attribute& a : attrs) {
    const std::string where = absl::StrCat("attribute '", a.name(), "'");
    if (a.name().empty()) return absl::InvalidArgumentError("an attribute has no name");
    if (map.Has(a.name())) return Invalid(where, "given twice");
    switch (a.kind()) {
      case Attribute::INT:
        map.Set(a.name(), a.i());
        break;
      case Attribute::FLOAT:
        map.Set(a.name(), a.f());
        break;
      case Attribute::STRING:
        map.Set(a.name(), a.s());
        break;
      case Attribute::INTS:
        map.Set(a.name(), std::vector<int64_t>(a.ints().begin(), a.ints().end()));
        break;
      case Attribute::FLOATS:
        map.Set(a.name(), std::vector<float>(a.floats().begin(), a.floats().end()));
        break;
      case Attribute::STRINGS:
        map.Set(a.name(), std::vector<std::string>(a.strings().begin(), a.strings().end()));
        break;
      case Attribute::TENSOR: {
        absl::StatusOr<Tensor> t = FromConstant(a.tensor());
        if (!t.ok()) return Invalid(where, t.status().message());
        map.Set(a.name(), *std::move(t));
        break;
      }
      default:
        return Invalid(where, absl::StrCat("unknown kind ", static_cast<int>(a.kind())));
    }
  }
  return map;
}

absl::Status ValidateCpuSegment(const CpuSegment& segment, const std::string& where,
                                std::set<std::string>& defined) {
  if (segment.nodes_size() == 0) return Invalid(where, "a CPU segment without nodes");
  std::map<std::string, const ValueType*> types;
  for (const ValueType& v : segment.values()) {
    if (v.name().empty()) return Invalid(where, "a value type without a name");
    absl::StatusOr<DType> dtype = FromProtoDType(v.dtype());
    if (!dtype.ok())
      return Invalid(where, absl::StrCat("value '", v.name(), "': ", dtype.status().message()));
    int64_t elements = 1;
    for (int64_t d : v.shape()) {
      if (d < 0 || (d > 0 && elements > kMaxValueElements / d)) {
        return Invalid(where, absl::StrCat("value '", v.name(),
                                           "' has a negative dimension or more than 2^28 "
                                           "elements"));
      }
      elements *= d;
    }

    if (!types.emplace(v.name(), &v).second) {
      return Invalid(where, absl::StrCat("value '", v.name(), "' is typed twice"));
    }
  }
  std::set<std::string> visible;  // what nodes of this segment may read
  for (const std::string& in : segment.inputs()) {
    if (!defined.count(in)) {
      return Invalid(where, absl::StrCat("input '", in,
                                         "' is not defined by a model input or an "
                                         "earlier segment"));
    }
    if (!types.count(in)) return Invalid(where, absl::StrCat("input '", in, "' has no type"));
    visible.insert(in);
  }
  for (const Constant& c : segment.constants()) {
    absl::StatusOr<Tensor> t = FromConstant(c);
    if (!t.ok()) return Invalid(where, t.status().message());
    if (!visible.insert(c.name()).second) {
      return Invalid(where, absl::StrCat("constant '", c.name(), "' is defined twice"));
    }
  }
  for (int i = 0; i < segment.nodes_size(); ++i) {
    const CpuNode& node = segment.nodes(i);
    const std::string nw = absl::StrCat(where, ": node ", i, " '", node.name(), "'");
    if (node.op().empty()) return Invalid(nw, "no op");
    if (node.outputs_size() == 0) return Invalid(nw, "no outputs");
    for (const std::string& in : node.inputs()) {
      if (in.empty()) continue;
      if (!visible.count(in)) {
        return Invalid(nw, absl::StrCat("reads '", in, "' before it is defined"));
      }
    }
    absl::StatusOr<AttributeMap> attrs = FromAttributes(node.attributes());
    if (!attrs.ok()) return Invalid(nw, attrs.status().message());
    for (const std::string& out : node.outputs()) {
      if (out.empty()) return Invalid(nw, "an output without a name");
      if (!types.count(out)) return Invalid(nw, absl::StrCat("output '", out, "' has no type"));
      if (!visible.insert(out).second) {
        return Invalid(nw, absl::StrCat("output '", out, "' is defined twice"));
      }
    }
  }
  for (const std::string& out : segment.outputs()) {
    if (!visible.count(out) || !types.count(out)) {
      return Invalid(where, absl::StrCat("output '", out, "' is not computed by the segment"));
    }
    defined.insert(out);
  }
  return absl::OkStatus();
}

}  // namespace openbpu::hbm
