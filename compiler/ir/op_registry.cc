// Op registry, node validation and whole-graph shape inference with constant
// folding.
#include "compiler/ir/op_registry.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "compiler/ir/node_error.h"

namespace openbpu::ir {

OpRegistry& OpRegistry::Global() {
  static OpRegistry* registry = new OpRegistry();
  return *registry;
}

bool OpRegistry::Register(OpSchema schema) {
  if (schemas_.count(schema.name) > 0) {
    std::fprintf(stderr, "op '%s' registered twice\n", schema.name.c_str());
    std::abort();
  }
  std::string name = schema.name;
  schemas_.emplace(std::move(name), std::move(schema));
  return true;
}

const OpSchema* OpRegistry::Find(absl::string_view name) const {
  auto it = schemas_.find(name);
  return it == schemas_.end() ? nullptr : &it->second;
}

std::vector<std::string> OpRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, schema] : schemas_) names.push_back(name);
  return names;
}

absl::Status ValidateNode(const Node& node) {
  const OpSchema* schema = OpRegistry::Global().Find(node.op());
  if (schema == nullptr) {
    return absl::UnimplementedError(
        absl::StrCat(node.Describe(), ": op '", node.op(), "' is not supported"));
  }
  // Trailing omitted inputs do not count towards arity.
  int given = node.num_inputs();
  while (given > 0 && node.input(given - 1) == nullptr) --given;
  if (given < schema->min_inputs || node.num_inputs() > schema->max_inputs) {
    return absl::InvalidArgumentError(absl::StrCat(node.Describe(), ": takes ", schema->min_inputs,
                                                   "..", schema->max_inputs, " inputs, got ",
                                                   node.num_inputs()));
  }
  for (int i = 0; i < schema->min_inputs; ++i) {
    if (node.input(i) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(node.Describe(), ": required input ", i, " is missing"));
    }
  }
  if (node.num_outputs() < schema->min_outputs || node.num_outputs() > schema->max_outputs) {
    return absl::UnimplementedError(absl::StrCat(
        node.Describe(), ": ", node.num_outputs(),
        " outputs requested, supported: ", schema->min_outputs, "..", schema->max_outputs));
  }
  for (const auto& [name, value] : node.attrs().all()) {
    const AttrSpec* spec = nullptr;
    for (const AttrSpec& s : schema->attrs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) {
      return absl::UnimplementedError(
          absl::StrCat(node.Describe(), ": attribute '", name, "' is not supported"));
    }
    if (KindOf(value) != spec->kind) {
      return absl::InvalidArgumentError(absl::StrCat(node.Describe(), ": attribute '", name,
                                                     "' must be ", AttrKindName(spec->kind),
                                                     ", got ", AttrKindName(KindOf(value))));
    }
  }
  for (int i : schema->constant_inputs) {
    const Value* in = node.input(i);
    if (in != nullptr && !in->is_constant()) {
      return absl::UnimplementedError(absl::StrCat(node.Describe(), ": input ", i, " ('",
                                                   in->name(),
                                                   "') must be a constant; dynamic values are "
                                                   "not supported"));
    }
  }
  if (schema->validate) return NodeError(node, schema->validate(node));
  return absl::OkStatus();
}

absl::Status CheckShape(const Shape& shape) {
  double elements = 1;
  for (int64_t d : shape) {
    if (d < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("negative dimension in ", ShapeToString(shape)));
    }
    elements *= static_cast<double>(d);
  }
  if (elements > static_cast<double>(kMaxTensorElements)) {
    return absl::InvalidArgumentError(absl::StrCat("shape ", ShapeToString(shape),
                                                   " exceeds the supported ", kMaxTensorElements,
                                                   " elements"));
  }
  return absl::OkStatus();
}

absl::Status InferShapes(Graph& graph, const ShapeInferenceOptions& options) {
  for (const Value* in : graph.inputs()) {
    if (absl::Status s = CheckShape(in->type().shape); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("graph input '", in->name(), "': ", s.message()));
    }
  }
  if (absl::Status s = graph.TopologicalSort(); !s.ok()) return s;
  if (absl::Status s = graph.Verify(); !s.ok()) return s;
  std::vector<Node*> order;
  for (const auto& n : graph.nodes()) order.push_back(n.get());
  std::vector<Node*> folded;
  for (Node* node : order) {
    if (absl::Status s = ValidateNode(*node); !s.ok()) return s;
    for (int i = 0; i < node->num_inputs(); ++i) {
      const Value* in = node->input(i);
      if (in != nullptr && !in->type().known()) {
        return absl::InvalidArgumentError(
            absl::StrCat(node->Describe(), ": input ", i, " '", in->name(), "' has no known type"));
      }
    }
    const OpSchema* schema = OpRegistry::Global().Find(node->op());
    std::vector<TensorType> types(node->num_outputs());
    if (absl::Status s = schema->infer(*node, types); !s.ok()) return NodeError(*node, s);
    for (int i = 0; i < node->num_outputs(); ++i) {
      if (!types[i].known()) {
        return absl::InternalError(
            absl::StrCat(node->Describe(), ": shape function left output ", i, " untyped"));
      }
      if (absl::Status s = CheckShape(types[i].shape); !s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(node->Describe(), ": output ", i, ": ", s.message()));
      }
      std::optional<QuantInfo> quant = node->output(i)->type().quant;
      types[i].quant = quant;
      node->output(i)->set_type(types[i]);
    }
    if (!options.fold_constants) continue;
    bool all_constant = true;
    for (const Value* in : node->inputs()) {
      if (in != nullptr && !in->is_constant()) all_constant = false;
    }
    if (!all_constant && !schema->shape_only) continue;
    std::vector<Tensor> placeholders;
    std::vector<const Tensor*> inputs;
    placeholders.reserve(node->num_inputs());
    for (const Value* in : node->inputs()) {
      if (in == nullptr) {
        inputs.push_back(nullptr);
      } else if (in->is_constant()) {
        inputs.push_back(&in->constant());
      } else {
        placeholders.push_back(Tensor::ShapeOnly(in->type().dtype, in->type().shape));
        inputs.push_back(&placeholders.back());
      }
    }
    std::vector<Tensor> outputs;
    if (absl::Status s = schema->kernel(*node, inputs, outputs); !s.ok()) {
      return NodeError(*node, s);
    }
    if (static_cast<int>(outputs.size()) != node->num_outputs()) {
      return absl::InternalError(
          absl::StrCat(node->Describe(), ": kernel returned ", outputs.size(), " outputs"));
    }
    for (int i = 0; i < node->num_outputs(); ++i)
      node->output(i)->set_constant(std::move(outputs[i]));
    folded.push_back(node);
  }
  for (Node* node : folded) graph.RemoveNode(node);
  if (!folded.empty()) graph.RemoveDeadValues();
  return absl::OkStatus();
}

}  // namespace openbpu::ir
