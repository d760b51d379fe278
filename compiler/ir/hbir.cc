// Graph <-> hbir.proto conversion and the text printer.
#include "compiler/ir/hbir.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace openbpu::ir {
namespace {

void TensorToProto(const Tensor& t, hbir::TensorData* proto) {
  proto->set_dtype(std::string(DTypeName(t.dtype())));
  for (int64_t d : t.shape()) proto->add_shape(d);
  proto->set_data(reinterpret_cast<const char*>(t.raw()), t.num_bytes());
}

absl::StatusOr<Tensor> TensorFromProto(const hbir::TensorData& proto, absl::string_view where) {
  absl::StatusOr<DType> dtype = DTypeFromName(proto.dtype());
  if (!dtype.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", dtype.status().message()));
  }
  Shape shape(proto.shape().begin(), proto.shape().end());
  for (int64_t d : shape) {
    if (d < 0 || d > (int64_t{1} << 32)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": bad dimension ", d));
    }
  }
  // Compare without allocating: a hostile shape must not trigger a huge allocation.
  const double want = static_cast<double>(NumElements(shape)) * DTypeSize(*dtype);
  if (want != static_cast<double>(proto.data().size())) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", proto.data().size(),
                                                   " data bytes for ", DTypeName(*dtype),
                                                   ShapeToString(shape)));
  }
  Tensor t(*dtype, shape);
  if (t.num_bytes() > 0) std::memcpy(t.raw(), proto.data().data(), t.num_bytes());
  return t;
}

void AttrToProto(const std::string& name, const AttrValue& value, hbir::Attribute* proto) {
  proto->set_name(name);
  switch (KindOf(value)) {
    case AttrKind::kInt:
      proto->set_i(std::get<int64_t>(value));
      break;
    case AttrKind::kFloat:
      proto->set_f(std::get<float>(value));
      break;
    case AttrKind::kString:
      proto->set_s(std::get<std::string>(value));
      break;
    case AttrKind::kInts:
      for (int64_t v : std::get<std::vector<int64_t>>(value)) proto->mutable_ints()->add_values(v);
      break;
    case AttrKind::kFloats:
      for (float v : std::get<std::vector<float>>(value)) proto->mutable_floats()->add_values(v);
      break;
    case AttrKind::kStrings:
      for (const std::string& v : std::get<std::vector<std::string>>(value)) {
        proto->mutable_strings()->add_values(v);
      }
      break;
    case AttrKind::kTensor:
      TensorToProto(std::get<Tensor>(value), proto->mutable_tensor());
      break;
  }
}

absl::StatusOr<AttrValue> AttrFromProto(const hbir::Attribute& proto, absl::string_view where) {
  switch (proto.value_case()) {
    case hbir::Attribute::kI:
      return AttrValue(proto.i());
    case hbir::Attribute::kF:
      return AttrValue(proto.f());
    case hbir::Attribute::kS:
      return AttrValue(proto.s());
    case hbir::Attribute::kInts:
      return AttrValue(
          std::vector<int64_t>(proto.ints().values().begin(), proto.ints().values().end()));
    case hbir::Attribute::kFloats:
      return AttrValue(
          std::vector<float>(proto.floats().values().begin(), proto.floats().values().end()));
    case hbir::Attribute::kStrings:
      return AttrValue(std::vector<std::string>(proto.strings().values().begin(),
                                                proto.strings().values().end()));
    case hbir::Attribute::kTensor: {
      absl::StatusOr<Tensor> t = TensorFromProto(proto.tensor(), where);
      if (!t.ok()) return t.status();
      return AttrValue(*std::move(t));
    }
    case hbir::Attribute::VALUE_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(where, ": attribute has no value"));
}

}  // namespace

hbir::Graph ToProto(const Graph& graph) {
  hbir::Graph proto;
  proto.set_hbir_version(kHbirVersion);
  proto.set_name(graph.name());
  proto.set_march(graph.march());
  for (const auto& v : graph.values()) {
    hbir::Value* vp = proto.add_values();
    vp->set_name(v->name());
    if (v->type().known()) vp->set_dtype(std::string(DTypeName(v->type().dtype)));
    for (int64_t d : v->type().shape) vp->add_shape(d);
    if (v->type().quant) {
      const QuantInfo& q = *v->type().quant;
      vp->mutable_quant()->set_storage(std::string(DTypeName(q.storage)));
      for (float s : q.scales) vp->mutable_quant()->add_scales(s);
      vp->mutable_quant()->set_axis(q.axis);
    }
    if (v->is_constant()) TensorToProto(v->constant(), vp->mutable_constant());
  }
  for (const auto& n : graph.nodes()) {
    hbir::Node* np = proto.add_nodes();
    np->set_name(n->name());
    np->set_op(n->op());
    for (const Value* in : n->inputs()) np->add_inputs(in ? in->name() : "");
    for (const Value* out : n->outputs()) np->add_outputs(out->name());
    for (const auto& [name, value] : n->attrs().all()) AttrToProto(name, value, np->add_attrs());
    for (const auto& [name, tensor] : n->qparams()) {
      hbir::NamedTensor* qp = np->add_qparams();
      qp->set_name(name);
      TensorToProto(tensor, qp->mutable_tensor());
    }
  }
  for (const Value* v : graph.inputs()) proto.add_inputs(v->name());
  for (const Value* v : graph.outputs()) proto.add_outputs(v->name());
  return proto;
}

absl::StatusOr<std::unique_ptr<Graph>> FromProto(const hbir::Graph& proto) {
  if (proto.hbir_version() != kHbirVersion) {
    const bool older = proto.hbir_version() < kHbirVersion;
    return absl::InvalidArgumentError(absl::StrCat(
        "HBIR version ", proto.hbir_version(), " is not supported (this build reads version ",
        kHbirVersion, "); ",
        older ? "the file was written by an older OpenBPU whose quantization parameters this "
                "build cannot read: re-run `bpu quantize` on the source model"
              : "the file was written by a newer OpenBPU: use that version"));
  }
  auto graph = std::make_unique<Graph>(proto.name());
  graph->set_march(proto.march());
  for (const hbir::Value& vp : proto.values()) {
    const std::string where = absl::StrCat("value '", vp.name(), "'");
    absl::StatusOr<Value*> v = graph->AddValue(vp.name());
    if (!v.ok()) return v.status();
    if (vp.has_constant()) {
      absl::StatusOr<Tensor> t = TensorFromProto(vp.constant(), where);
      if (!t.ok()) return t.status();
      (*v)->set_constant(*std::move(t));
    }
    TensorType type;
    if (!vp.dtype().empty()) {
      absl::StatusOr<DType> dtype = DTypeFromName(vp.dtype());
      if (!dtype.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": ", dtype.status().message()));
      }
      type.dtype = *dtype;
    }
    type.shape.assign(vp.shape().begin(), vp.shape().end());
    if (vp.has_quant()) {
      QuantInfo q;
      absl::StatusOr<DType> storage = DTypeFromName(vp.quant().storage());
      if (!storage.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": quant storage: ", storage.status().message()));
      }
      q.storage = *storage;
      q.scales.assign(vp.quant().scales().begin(), vp.quant().scales().end());
      q.axis = vp.quant().axis();
      type.quant = std::move(q);
    }
    (*v)->set_type(std::move(type));
  }
  auto lookup = [&](const std::string& name, absl::string_view where) -> absl::StatusOr<Value*> {
    Value* v = graph->FindValue(name);
    if (v == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": unknown value '", name, "'"));
    }
    return v;
  };
  for (const hbir::Node& np : proto.nodes()) {
    const std::string where = absl::StrCat("node '", np.name(), "'");
    std::vector<Value*> inputs, outputs;
    for (const std::string& name : np.inputs()) {
      if (name.empty()) {
        inputs.push_back(nullptr);
        continue;
      }
      absl::StatusOr<Value*> v = lookup(name, where);
      if (!v.ok()) return v.status();
      inputs.push_back(*v);
    }
    for (const std::string& name : np.outputs()) {
      absl::StatusOr<Value*> v = lookup(name, where);
      if (!v.ok()) return v.status();
      outputs.push_back(*v);
    }
    AttributeMap attrs;
    for (const hbir::Attribute& ap : np.attrs()) {
      absl::StatusOr<AttrValue> value =
          AttrFromProto(ap, absl::StrCat(where, " attribute '", ap.name(), "'"));
      if (!value.ok()) return value.status();
      attrs.Set(ap.name(), *std::move(value));
    }
    absl::StatusOr<Node*> node =
        graph->AddNode(np.name(), np.op(), std::move(inputs), std::move(outputs), std::move(attrs));
    if (!node.ok()) return node.status();
    for (const hbir::NamedTensor& qp : np.qparams()) {
      absl::StatusOr<Tensor> t =
          TensorFromProto(qp.tensor(), absl::StrCat(where, " qparam '", qp.name(), "'"));
      if (!t.ok()) return t.status();
      if (!(*node)->mutable_qparams().emplace(qp.name(), *std::move(t)).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": duplicate qparam '", qp.name(), "'"));
      }
    }
  }
  for (const std::string& name : proto.inputs()) {
    absl::StatusOr<Value*> v = lookup(name, "graph inputs");
    if (!v.ok()) return v.status();
    graph->AddInput(*v);
  }
  for (const std::string& name : proto.outputs()) {
    absl::StatusOr<Value*> v = lookup(name, "graph outputs");
    if (!v.ok()) return v.status();
    graph->AddOutput(*v);
  }
  if (absl::Status s = graph->Verify(); !s.ok()) return s;
  return graph;
}

absl::Status SaveHbir(const Graph& graph, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
  std::string bytes;
  if (!ToProto(graph).SerializeToString(&bytes)) {
    return absl::InternalError("HBIR serialization failed");
  }
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) return absl::InternalError(absl::StrCat("write failed: ", path));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Graph>> LoadHbir(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  hbir::Graph proto;
  if (!proto.ParseFromString(buffer.str())) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not an HBIR file"));
  }
  return FromProto(proto);
}

std::string PrintGraph(const Graph& graph) {
  std::string out = graph.march().empty()
                        ? std::string()
                        : absl::StrCat("# quantized for march ", graph.march(), "\n");
  absl::StrAppend(&out, "graph ", graph.name(), "(");
  std::vector<std::string> ins;
  for (const Value* v : graph.inputs()) {
    ins.push_back(absl::StrCat("%", v->name(), ": ", TensorTypeToString(v->type())));
  }
  absl::StrAppend(&out, absl::StrJoin(ins, ", "), ") {\n");
  for (const auto& v : graph.values()) {
    if (!v->is_constant()) continue;
    absl::StrAppend(&out, "  %", v->name(), ": ", TensorTypeToString(v->type()), " = constant\n");
  }
  for (const auto& n : graph.nodes()) {
    std::vector<std::string> outs, args, attrs;
    for (const Value* o : n->outputs()) {
      outs.push_back(absl::StrCat("%", o->name(), ": ", TensorTypeToString(o->type())));
    }
    for (const Value* i : n->inputs()) args.push_back(i ? absl::StrCat("%", i->name()) : "_");
    for (const auto& [name, value] : n->attrs().all()) {
      attrs.push_back(absl::StrCat(name, "=", AttrValueToString(value)));
    }
    absl::StrAppend(&out, "  ", absl::StrJoin(outs, ", "), " = ", n->op(), "(",
                    absl::StrJoin(args, ", "), ")");
    if (!attrs.empty()) absl::StrAppend(&out, " {", absl::StrJoin(attrs, ", "), "}");
    absl::StrAppend(&out, "  # ", n->name(), "\n");
  }
  std::vector<std::string> outs;
  for (const Value* v : graph.outputs()) outs.push_back(absl::StrCat("%", v->name()));
  absl::StrAppend(&out, "  return ", absl::StrJoin(outs, ", "), "\n}\n");
  return out;
}

}  // namespace openbpu::ir
