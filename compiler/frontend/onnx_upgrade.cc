// Per-op opset upgrades, following the ONNX operator changelog.
#include "compiler/frontend/onnx_upgrade.h"

#include "absl/strings/str_cat.h"

namespace openbpu::frontend {
namespace {

ir::Value* AddConstant(ir::Graph& graph, const OnnxNode& node, absl::string_view what,
                       Tensor tensor) {
  return *graph.AddConstant(graph.UniqueValueName(absl::StrCat(node.name, "_", what)),
                            std::move(tensor));
}

void SetInput(OnnxNode& node, int index, ir::Value* value) {
  if (static_cast<int>(node.inputs.size()) <= index) node.inputs.resize(index + 1, nullptr);
  node.inputs[index] = value;
}

// Moves an ints attribute to a constant int64 input (if the attribute exists).
void IntsAttrToInput(OnnxNode& node, ir::Graph& graph, absl::string_view attr, int index) {
  if (!node.attrs.Has(attr)) return;
  std::vector<int64_t> values = node.attrs.GetInts(attr);
  node.attrs.Erase(attr);
  SetInput(node, index,
           AddConstant(graph, node, attr,
                       Tensor::FromVector<int64_t>({static_cast<int64_t>(values.size())}, values)));
}

bool IsLegacyBroadcastOp(const std::string& op) {
  return op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow" || op == "Equal" ||
         op == "Greater" || op == "Less" || op == "PRelu" || op == "And" || op == "Or" ||
         op == "Xor";
}

absl::StatusOr<int64_t> CastNameToCode(const std::string& name) {
  static const std::pair<const char*, int64_t> kNames[] = {
      {"FLOAT", 1}, {"UINT8", 2},  {"INT8", 3}, {"UINT16", 4},   {"INT16", 5},   {"INT32", 6},
      {"INT64", 7}, {"STRING", 8}, {"BOOL", 9}, {"FLOAT16", 10}, {"DOUBLE", 11},
  };
  for (const auto& [n, code] : kNames) {
    if (name == n) return code;
  }
  return absl::InvalidArgumentError(absl::StrCat("Cast to unknown type '", name, "'"));
}

// Opset < 7 `broadcast=1, axis=k`: B's dimensions align with A's starting at
// axis k. Appending ones to B (an Unsqueeze) makes numpy broadcasting agree.
absl::Status LegacyAxisBroadcast(OnnxNode& node, ir::Graph& graph) {
  const int64_t axis = node.attrs.GetInt("axis", 0);
  node.attrs.Erase("axis");
  if (node.attrs.GetInt("broadcast", 0) == 0) return absl::OkStatus();
  if (node.inputs.size() != 2 || node.inputs[0] == nullptr || node.inputs[1] == nullptr ||
      !node.inputs[0]->type().known() || !node.inputs[1]->type().known()) {
    return absl::UnimplementedError(
        "attribute 'axis' (legacy broadcast) needs inputs of known rank");
  }
  const int64_t rank_a = static_cast<int64_t>(node.inputs[0]->type().shape.size());
  const int64_t rank_b = static_cast<int64_t>(node.inputs[1]->type().shape.size());
  const int64_t start = axis < 0 ? axis + rank_a : axis;
  if (start < 0 || start + rank_b > rank_a) {
    return absl::InvalidArgumentError(absl::StrCat(
        "legacy broadcast axis ", axis, " does not fit ranks ", rank_a, " and ", rank_b));
  }
  const int64_t trailing = rank_a - start - rank_b;
  if (trailing == 0) return absl::OkStatus();
  std::vector<int64_t> axes;
  for (int64_t i = 0; i < trailing; ++i) axes.push_back(rank_b + i);
  ir::Value* axes_value =
      AddConstant(graph, node, "axes", Tensor::FromVector<int64_t>({trailing}, axes));
  absl::StatusOr<ir::Value*> unsqueezed =
      graph.AddValue(graph.UniqueValueName(absl::StrCat(node.name, "_broadcast")));
  if (!unsqueezed.ok()) return unsqueezed.status();
  absl::StatusOr<ir::Node*> n =
      graph.AddNode(graph.UniqueNodeName(absl::StrCat(node.name, "/broadcast")), "Unsqueeze",
                    {node.inputs[1], axes_value}, {*unsqueezed});
  if (!n.ok()) return n.status();
  node.inputs[1] = *unsqueezed;
  return absl::OkStatus();
}

}  // namespace

absl::Status UpgradeToLatest(int opset, OnnxNode& node, ir::Graph& graph) {
  const std::string& op = node.op;
  // Opset 1-5 bookkeeping attributes with no effect on inference.
  node.attrs.Erase("consumed_inputs");

  if (opset < 7 && (IsLegacyBroadcastOp(op) || op == "Gemm")) {
    if (node.attrs.Has("axis") && op != "Gemm") {
      if (absl::Status s = LegacyAxisBroadcast(node, graph); !s.ok()) return s;
    }
    // broadcast=1 broadcast a suffix of dimensions, which numpy broadcasting covers.
    node.attrs.Erase("broadcast");
  }
  if (op == "PRelu" && opset < 7 && node.inputs.size() == 2 && node.inputs[1] != nullptr &&
      node.inputs[1]->is_constant() && node.inputs[1]->constant().rank() == 1 &&
      node.inputs[1]->constant().num_elements() > 1) {
    // PRelu-1/6 applied a rank-1 slope per channel (axis 1): make that explicit
    // as [C, 1, ..., 1] for numpy broadcasting.
    const ir::Value* x = node.inputs[0];
    if (x == nullptr || !x->type().known() || x->type().shape.size() < 2) {
      return absl::UnimplementedError("legacy per-channel PRelu needs an input of known rank");
    }
    Tensor slope = node.inputs[1]->constant();
    Shape shape(x->type().shape.size() - 1, 1);
    shape[0] = slope.num_elements();
    if (absl::Status s = slope.Reshape(shape); !s.ok()) return s;
    node.inputs[1] = AddConstant(graph, node, "slope", std::move(slope));
  }
  if ((op == "Squeeze" || op == "Unsqueeze") && opset < 13) IntsAttrToInput(node, graph, "axes", 1);
  if (op == "ReduceSum" && opset < 13) IntsAttrToInput(node, graph, "axes", 1);
  if (op == "Split" && opset < 13) IntsAttrToInput(node, graph, "split", 1);
  if (op == "Reshape" && opset < 5) IntsAttrToInput(node, graph, "shape", 1);
  if (op == "Slice" && opset < 10) {
    IntsAttrToInput(node, graph, "starts", 1);
    IntsAttrToInput(node, graph, "ends", 2);
    IntsAttrToInput(node, graph, "axes", 3);
  }
  if (op == "TopK" && opset < 10) {
    const int64_t k = node.attrs.GetInt("k", -1);
    node.attrs.Erase("k");
    SetInput(node, 1, AddConstant(graph, node, "k", Tensor::FromVector<int64_t>({1}, {k})));
  }
  if (op == "Pad" && opset < 11) {
    if (node.attrs.Has("paddings")) {
      node.attrs.Set("pads", node.attrs.GetInts("paddings"));
      node.attrs.Erase("paddings");
    }
    IntsAttrToInput(node, graph, "pads", 1);
    if (node.attrs.Has("value")) {
      const float value = node.attrs.GetFloat("value", 0.f);
      node.attrs.Erase("value");
      SetInput(node, 2, AddConstant(graph, node, "value", Tensor::Scalar<float>(value)));
    }
  }
  if (op == "Clip" && opset < 11) {
    if (node.attrs.Has("min")) {
      SetInput(
          node, 1,
          AddConstant(graph, node, "min", Tensor::Scalar<float>(node.attrs.GetFloat("min", 0))));
      node.attrs.Erase("min");
    }
    if (node.attrs.Has("max")) {
      SetInput(
          node, 2,
          AddConstant(graph, node, "max", Tensor::Scalar<float>(node.attrs.GetFloat("max", 0))));
      node.attrs.Erase("max");
    }
  }
  if (op == "Dropout" && opset < 12) {
    node.attrs.Erase("ratio");
    node.attrs.Erase("is_test");
  }
  if (op == "BatchNormalization" && opset < 9) {
    if (node.attrs.GetInt("spatial", 1) != 1) {
      return absl::UnimplementedError("attribute 'spatial' = 0 is not supported");
    }
    node.attrs.Erase("spatial");
    if (opset < 7) {
      if (node.attrs.GetInt("is_test", 1) != 1) {
        return absl::UnimplementedError("attribute 'is_test' = 0 (training) is not supported");
      }
      node.attrs.Erase("is_test");
    }
  }
  if (op == "Concat" && opset < 4 && !node.attrs.Has("axis")) node.attrs.Set("axis", int64_t{1});
  if (op == "Cast" && opset < 6 && node.attrs.Has("to")) {
    const ir::AttrValue& to = node.attrs.all().at("to");
    if (const std::string* name = std::get_if<std::string>(&to)) {
      absl::StatusOr<int64_t> code = CastNameToCode(*name);
      if (!code.ok()) return code.status();
      node.attrs.Set("to", *code);
    }
  }
  if (op == "Tile" && opset < 6) {
    return absl::UnimplementedError("Tile-1 (tiles, axis inputs) is not supported");
  }
  if (op == "Upsample") {
    if (node.attrs.Has("height_scale") || node.attrs.Has("width_scale")) {
      return absl::UnimplementedError(
          "Upsample-1 attributes height_scale/width_scale are not supported");
    }
    if (node.attrs.Has("scales")) {
      std::vector<float> scales = node.attrs.GetFloats("scales");
      node.attrs.Erase("scales");
      SetInput(
          node, 1,
          AddConstant(graph, node, "scales",
                      Tensor::FromVector<float>({static_cast<int64_t>(scales.size())}, scales)));
    }
    const std::string mode = node.attrs.GetString("mode", "nearest");
    node.attrs.Set("mode", std::string(mode == "nearest" ? "nearest" : "linear"));
    if (mode != "nearest" && mode != "linear" && mode != "bilinear") {
      return absl::UnimplementedError(
          absl::StrCat("attribute 'mode' = '", mode, "' is not supported"));
    }
    node.op = "Resize";
    opset = 10;  // same inputs and semantics as Resize-10
  }
  if (node.op == "Resize" && opset < 11) {
    ir::Value* scales = node.inputs.size() > 1 ? node.inputs[1] : nullptr;
    node.inputs = {node.inputs[0], nullptr, scales};
    node.attrs.Set("coordinate_transformation_mode", std::string("asymmetric"));
    if (node.attrs.GetString("mode", "nearest") == "nearest") {
      node.attrs.Set("nearest_mode", std::string("floor"));
    }
  }
  if (op == "Softmax" && opset < 13) {
    // Pre-13 Softmax coerces the input to 2-D at `axis` (default 1).
    node.attrs.Set("legacy_axis", node.attrs.GetInt("axis", 1));
    node.attrs.Erase("axis");
  }
  return absl::OkStatus();
}

absl::Status EmitNode(OnnxNode node, ir::Graph& graph) {
  if (node.op == "Softmax" && node.attrs.Has("legacy_axis")) {
    // Flatten(axis) -> Softmax(-1) -> Reshape(Shape(x)).
    if (node.inputs.empty() || node.inputs[0] == nullptr || node.outputs.size() != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("node '", node.name, "' (Softmax): needs one input and one output"));
    }
    ir::Value* x = node.inputs[0];
    auto value = [&](absl::string_view what) {
      return *graph.AddValue(graph.UniqueValueName(absl::StrCat(node.name, "_", what)));
    };
    ir::Value* flat = value("flat");
    ir::Value* soft = value("softmax2d");
    ir::Value* shape = value("shape");
    ir::AttributeMap flatten_attrs;
    flatten_attrs.Set("axis", node.attrs.GetInt("legacy_axis", 1));
    ir::AttributeMap softmax_attrs;
    softmax_attrs.Set("axis", int64_t{-1});
    for (auto [name, op, ins, outs, attrs] :
         std::vector<std::tuple<std::string, std::string, std::vector<ir::Value*>,
                                std::vector<ir::Value*>, ir::AttributeMap>>{
             {"flatten", "Flatten", {x}, {flat}, flatten_attrs},
             {"softmax", "Softmax", {flat}, {soft}, softmax_attrs},
             {"shape", "Shape", {x}, {shape}, {}},
             {"reshape", "Reshape", {soft, shape}, {node.outputs[0]}, {}}}) {
      absl::StatusOr<ir::Node*> n = graph.AddNode(
          graph.UniqueNodeName(absl::StrCat(node.name, "/", name)), op, ins, outs, attrs);
      if (!n.ok()) return n.status();
    }
    return absl::OkStatus();
  }
  absl::StatusOr<ir::Node*> n = graph.AddNode(node.name, node.op, std::move(node.inputs),
                                              std::move(node.outputs), std::move(node.attrs));
  return n.status();
}

}  // namespace openbpu::frontend
