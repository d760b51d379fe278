// GraphBuilder implementation.
#include "compiler/frontend/graph_builder.h"

#include "absl/strings/str_cat.h"
#include "compiler/ir/op_registry.h"

namespace openbpu::frontend {

GraphBuilder::GraphBuilder(std::string graph_name)
    : graph_(std::make_unique<ir::Graph>(std::move(graph_name))) {}

ir::Value* GraphBuilder::Input(const std::string& name, DType dtype, Shape shape) {
  absl::StatusOr<ir::Value*> v = graph_->AddValue(name);
  if (!v.ok()) {
    if (status_.ok()) status_ = v.status();
    return nullptr;
  }
  (*v)->set_type(ir::TensorType{dtype, std::move(shape), std::nullopt});
  graph_->AddInput(*v);
  return *v;
}

ir::Value* GraphBuilder::Constant(Tensor tensor, const std::string& name) {
  absl::StatusOr<ir::Value*> v = graph_->AddConstant(
      graph_->UniqueValueName(name.empty() ? "const" : name), std::move(tensor));
  if (!v.ok()) {
    if (status_.ok()) status_ = v.status();
    return nullptr;
  }
  return *v;
}

ir::Value* GraphBuilder::Op(const std::string& op, std::vector<ir::Value*> inputs,
                            ir::AttributeMap attrs, const std::string& name) {
  std::vector<ir::Value*> outs = OpN(op, std::move(inputs), 1, std::move(attrs), name);
  return outs.empty() ? nullptr : outs[0];
}

std::vector<ir::Value*> GraphBuilder::OpN(const std::string& op, std::vector<ir::Value*> inputs,
                                          int num_outputs, ir::AttributeMap attrs,
                                          const std::string& name) {
  const std::string node_name = graph_->UniqueNodeName(name.empty() ? op : name);
  std::vector<ir::Value*> outputs;
  for (int i = 0; i < num_outputs; ++i) {
    absl::StatusOr<ir::Value*> v =
        graph_->AddValue(graph_->UniqueValueName(absl::StrCat(node_name, "_out", i)));
    if (!v.ok()) {
      if (status_.ok()) status_ = v.status();
      return {};
    }
    outputs.push_back(*v);
  }
  absl::StatusOr<ir::Node*> node =
      graph_->AddNode(node_name, op, std::move(inputs), outputs, std::move(attrs));
  if (!node.ok()) {
    if (status_.ok()) status_ = node.status();
    return {};
  }
  return outputs;
}

void GraphBuilder::Output(ir::Value* value) {
  if (value == nullptr) {
    if (status_.ok()) status_ = absl::InvalidArgumentError("graph output is null");
    return;
  }
  graph_->AddOutput(value);
}

absl::StatusOr<std::unique_ptr<ir::Graph>> GraphBuilder::Build(bool fold_constants) {
  if (!status_.ok()) return status_;
  ir::ShapeInferenceOptions options;
  options.fold_constants = fold_constants;
  if (absl::Status s = ir::InferShapes(*graph_, options); !s.ok()) return s;
  std::unique_ptr<ir::Graph> out = std::move(graph_);
  graph_ = std::make_unique<ir::Graph>(out->name());
  return out;
}

ir::AttributeMap Attrs(std::initializer_list<std::pair<std::string, ir::AttrValue>> values) {
  ir::AttributeMap map;
  for (const auto& [name, value] : values) map.Set(name, value);
  return map;
}

}  // namespace openbpu::frontend
