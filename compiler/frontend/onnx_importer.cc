// ONNX ModelProto -> ir::Graph. Steps: parse, read the default-domain opset,
// create constants (initializers, Constant nodes) and typed graph inputs,
// create every node output, then each node (upgraded to the newest opset form
// by onnx_upgrade.cc), then infer shapes with constant folding.
#include "compiler/frontend/onnx_importer.h"

#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "compiler/frontend/onnx_tensor.h"
#include "compiler/frontend/onnx_upgrade.h"
#include "compiler/ir/op_registry.h"
#include "onnx/onnx_pb.h"

namespace openbpu::frontend {
namespace {

std::string NodeLabel(const onnx::NodeProto& node, const std::string& name) {
  return absl::StrCat("node '", name, "' (", node.op_type(), ")");
}

absl::StatusOr<ir::AttrValue> ConvertAttribute(const onnx::AttributeProto& attr,
                                               const std::string& where) {
  switch (attr.type()) {
    case onnx::AttributeProto::FLOAT:
      return ir::AttrValue(attr.f());
    case onnx::AttributeProto::INT:
      return ir::AttrValue(static_cast<int64_t>(attr.i()));
    case onnx::AttributeProto::STRING:
      return ir::AttrValue(attr.s());
    case onnx::AttributeProto::FLOATS:
      return ir::AttrValue(std::vector<float>(attr.floats().begin(), attr.floats().end()));
    case onnx::AttributeProto::INTS:
      return ir::AttrValue(std::vector<int64_t>(attr.ints().begin(), attr.ints().end()));
    case onnx::AttributeProto::STRINGS:
      return ir::AttrValue(std::vector<std::string>(attr.strings().begin(), attr.strings().end()));
    case onnx::AttributeProto::TENSOR: {
      absl::StatusOr<Tensor> t = TensorFromOnnx(attr.t());
      if (!t.ok()) {
        return absl::Status(t.status().code(), absl::StrCat(where, ": attribute '", attr.name(),
                                                            "': ", t.status().message()));
      }
      return ir::AttrValue(*std::move(t));
    }
    default:
      break;
  }
  return absl::UnimplementedError(
      absl::StrCat(where, ": attribute '", attr.name(), "' of type ",
                   onnx::AttributeProto::AttributeType_IsValid(attr.type())
                       ? onnx::AttributeProto::AttributeType_Name(attr.type())
                       : absl::StrCat(attr.type()),
                   " is not supported"));
}

// A Constant node's value from whichever attribute holds it.
absl::StatusOr<Tensor> ConstantNodeValue(const onnx::NodeProto& node, const std::string& where) {
  if (node.attribute_size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": Constant needs exactly one value attribute"));
  }
  const onnx::AttributeProto& a = node.attribute(0);
  if (a.name() == "value" && a.type() == onnx::AttributeProto::TENSOR) {
    absl::StatusOr<Tensor> t = TensorFromOnnx(a.t());
    if (!t.ok())
      return absl::Status(t.status().code(), absl::StrCat(where, ": ", t.status().message()));
    return t;
  }
  if (a.name() == "value_float" && a.type() == onnx::AttributeProto::FLOAT) {
    return Tensor::Scalar<float>(a.f());
  }
  if (a.name() == "value_int" && a.type() == onnx::AttributeProto::INT) {
    return Tensor::Scalar<int64_t>(a.i());
  }
  if (a.name() == "value_floats" && a.type() == onnx::AttributeProto::FLOATS) {
    return Tensor::FromVector<float>({a.floats_size()},
                                     std::vector<float>(a.floats().begin(), a.floats().end()));
  }
  if (a.name() == "value_ints" && a.type() == onnx::AttributeProto::INTS) {
    return Tensor::FromVector<int64_t>({a.ints_size()},
                                       std::vector<int64_t>(a.ints().begin(), a.ints().end()));
  }
  return absl::UnimplementedError(
      absl::StrCat(where, ": Constant attribute '", a.name(), "' is not supported"));
}

absl::StatusOr<ir::TensorType> InputType(const onnx::ValueInfoProto& info,
                                         const OnnxImportOptions& options) {
  const std::string where = absl::StrCat("graph input '", info.name(), "'");
  if (!info.type().has_tensor_type()) {
    return absl::UnimplementedError(absl::StrCat(where, ": only tensor inputs are supported"));
  }
  const onnx::TypeProto::Tensor& tt = info.type().tensor_type();
  absl::StatusOr<DType> dtype = DTypeFromOnnx(tt.elem_type());
  if (!dtype.ok())
    return absl::Status(dtype.status().code(), absl::StrCat(where, ": ", dtype.status().message()));
  ir::TensorType type;
  type.dtype = *dtype;
  auto it = options.input_shapes.find(info.name());
  if (it != options.input_shapes.end()) {
    type.shape = it->second;
    return type;
  }
  if (!tt.has_shape()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": has no shape; pass one in OnnxImportOptions::input_shapes"));
  }
  for (const onnx::TensorShapeProto::Dimension& d : tt.shape().dim()) {
    if (d.has_dim_value()) {
      if (d.dim_value() < 0) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": negative dimension"));
      }
      type.shape.push_back(d.dim_value());
    } else {
      type.shape.push_back(1);  // symbolic (e.g. batch): documented default
    }
  }
  return type;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ir::Graph>> ImportOnnx(absl::string_view model_bytes,
                                                      const OnnxImportOptions& options) {
  onnx::ModelProto model;
  if (model_bytes.empty() ||
      !model.ParseFromArray(model_bytes.data(), static_cast<int>(model_bytes.size()))) {
    return absl::InvalidArgumentError("not a valid ONNX model (protobuf parse failed)");
  }
  if (!model.has_graph()) return absl::InvalidArgumentError("ONNX model has no graph");
  int opset = -1;
  for (const onnx::OperatorSetIdProto& id : model.opset_import()) {
    if (id.domain().empty() || id.domain() == "ai.onnx") opset = static_cast<int>(id.version());
  }
  if (opset < 0) {
    if (model.opset_import_size() == 0 && model.ir_version() > 0 && model.ir_version() < 3) {
      opset = 1;  // IR v1/v2 models predate opset_import
    } else {
      return absl::InvalidArgumentError("ONNX model imports no default-domain opset");
    }
  }
  if (opset > kMaxOnnxOpset) {
    return absl::UnimplementedError(absl::StrCat(
        "ONNX opset ", opset, " is newer than the newest supported (", kMaxOnnxOpset, ")"));
  }
  const onnx::GraphProto& gp = model.graph();
  auto graph = std::make_unique<ir::Graph>(gp.name().empty() ? "model" : gp.name());

  absl::flat_hash_set<std::string> initializer_names;
  for (const onnx::TensorProto& init : gp.initializer()) {
    absl::StatusOr<Tensor> t = TensorFromOnnx(init);
    if (!t.ok()) return t.status();
    absl::StatusOr<ir::Value*> v = graph->AddConstant(init.name(), *std::move(t));
    if (!v.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("initializer '", init.name(), "': ", v.status().message()));
    }
    initializer_names.insert(init.name());
  }
  if (gp.sparse_initializer_size() > 0) {
    return absl::UnimplementedError("sparse initializers are not supported");
  }
  for (const onnx::ValueInfoProto& info : gp.input()) {
    if (initializer_names.contains(info.name())) continue;  // IR < 4 lists initializers as inputs
    auto bound = options.bind_constants.find(info.name());
    if (bound != options.bind_constants.end()) {
      absl::StatusOr<ir::Value*> v = graph->AddConstant(info.name(), bound->second);
      if (!v.ok()) return v.status();
      continue;
    }
    absl::StatusOr<ir::TensorType> type = InputType(info, options);
    if (!type.ok()) return type.status();
    absl::StatusOr<ir::Value*> v = graph->AddValue(info.name());
    if (!v.ok())
      return absl::InvalidArgumentError(absl::StrCat("graph input: ", v.status().message()));
    (*v)->set_type(*type);
    graph->AddInput(*v);
  }

  // Node names: ONNX allows empty and repeated ones; ours are unique.
  std::vector<std::string> node_names;
  absl::flat_hash_set<std::string> used_names;
  for (int i = 0; i < gp.node_size(); ++i) {
    std::string base =
        gp.node(i).name().empty() ? absl::StrCat(gp.node(i).op_type(), "_", i) : gp.node(i).name();
    std::string name = base;
    for (int k = 1; used_names.contains(name); ++k) name = absl::StrCat(base, "_", k);
    used_names.insert(name);
    node_names.push_back(name);
  }

  // Every node output first, so inputs can refer to any of them (the order is
  // checked by the topological sort, which also reports cycles).
  for (int i = 0; i < gp.node_size(); ++i) {
    const onnx::NodeProto& node = gp.node(i);
    const std::string where = NodeLabel(node, node_names[i]);
    if (!node.domain().empty() && node.domain() != "ai.onnx") {
      return absl::UnimplementedError(
          absl::StrCat(where, ": domain '", node.domain(), "' is not supported"));
    }
    if (node.op_type() == "Constant") {
      if (node.output_size() != 1) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": Constant has one output"));
      }
      absl::StatusOr<Tensor> value = ConstantNodeValue(node, where);
      if (!value.ok()) return value.status();
      absl::StatusOr<ir::Value*> v = graph->AddConstant(node.output(0), *std::move(value));
      if (!v.ok())
        return absl::InvalidArgumentError(absl::StrCat(where, ": ", v.status().message()));
      continue;
    }
    for (const std::string& out : node.output()) {
      if (out.empty()) continue;
      absl::StatusOr<ir::Value*> v = graph->AddValue(out);
      if (!v.ok())
        return absl::InvalidArgumentError(absl::StrCat(where, ": ", v.status().message()));
    }
  }

  for (int i = 0; i < gp.node_size(); ++i) {
    const onnx::NodeProto& node = gp.node(i);
    if (node.op_type() == "Constant") continue;
    const std::string where = NodeLabel(node, node_names[i]);
    OnnxNode n;
    n.name = node_names[i];
    n.op = node.op_type();
    for (const std::string& in : node.input()) {
      if (in.empty()) {
        n.inputs.push_back(nullptr);
        continue;
      }
      ir::Value* v = graph->FindValue(in);
      if (v == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": input '", in,
            "' is not a graph input, an initializer or a node output (missing initializer?)"));
      }
      n.inputs.push_back(v);
    }
    // Optional outputs: trailing empty names are dropped; an empty name in the
    // middle gets a placeholder value.
    int last = node.output_size();
    while (last > 0 && node.output(last - 1).empty()) --last;
    for (int k = 0; k < last; ++k) {
      if (node.output(k).empty()) {
        absl::StatusOr<ir::Value*> v =
            graph->AddValue(graph->UniqueValueName(absl::StrCat(n.name, "_unused", k)));
        if (!v.ok()) return v.status();
        n.outputs.push_back(*v);
      } else {
        n.outputs.push_back(graph->FindValue(node.output(k)));
      }
    }
    for (const onnx::AttributeProto& a : node.attribute()) {
      absl::StatusOr<ir::AttrValue> value = ConvertAttribute(a, where);
      if (!value.ok()) return value.status();
      n.attrs.Set(a.name(), *std::move(value));
    }
    if (absl::Status s = UpgradeToLatest(opset, n, *graph); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat(where, ": ", s.message()));
    }
    if (absl::Status s = EmitNode(std::move(n), *graph); !s.ok()) return s;
  }

  for (const onnx::ValueInfoProto& out : gp.output()) {
    ir::Value* v = graph->FindValue(out.name());
    if (v == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("graph output '", out.name(), "' is never computed"));
    }
    graph->AddOutput(v);
  }
  if (gp.output_size() == 0) return absl::InvalidArgumentError("ONNX graph has no outputs");

  ir::ShapeInferenceOptions inference;
  inference.fold_constants = options.fold_constants;
  if (absl::Status s = ir::InferShapes(*graph, inference); !s.ok()) return s;

  // Declared output types must agree with what we inferred.
  for (int i = 0; i < gp.output_size(); ++i) {
    const onnx::ValueInfoProto& info = gp.output(i);
    const ir::TensorType& got = graph->outputs()[i]->type();
    if (!info.type().has_tensor_type()) continue;
    const onnx::TypeProto::Tensor& tt = info.type().tensor_type();
    if (tt.elem_type() != 0) {
      absl::StatusOr<DType> d = DTypeFromOnnx(tt.elem_type());
      if (d.ok() && *d != got.dtype) {
        return absl::InvalidArgumentError(absl::StrCat("graph output '", info.name(),
                                                       "' is declared ", DTypeName(*d),
                                                       " but computes ", DTypeName(got.dtype)));
      }
    }
    if (!tt.has_shape()) continue;
    bool mismatch = tt.shape().dim_size() != static_cast<int>(got.shape.size());
    for (int k = 0; !mismatch && k < tt.shape().dim_size(); ++k) {
      const auto& d = tt.shape().dim(k);
      if (d.has_dim_value() && d.dim_value() != got.shape[k]) mismatch = true;
    }
    if (mismatch) {
      return absl::InvalidArgumentError(
          absl::StrCat("graph output '", info.name(), "' is declared with shape ",
                       tt.shape().ShortDebugString(), " but computes ", ShapeToString(got.shape)));
    }
  }
  return graph;
}

bool ImportsOnnxOp(absl::string_view op_type) {
  return op_type == "Constant" || op_type == "Upsample" ||
         ir::OpRegistry::Global().Find(op_type) != nullptr;
}

absl::StatusOr<std::unique_ptr<ir::Graph>> ImportOnnxFile(const std::string& path,
                                                          const OnnxImportOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = ImportOnnx(buffer.str(), options);
  if (!g.ok())
    return absl::Status(g.status().code(), absl::StrCat(path, ": ", g.status().message()));
  return g;
}

}  // namespace openbpu::frontend
