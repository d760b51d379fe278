// Steps shared by the reference interpreters (see interpreter_util.h).
#include "compiler/reference/interpreter_util.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "compiler/ir/node_error.h"

namespace openbpu::reference {
namespace {

absl::Status BindInputs(const ir::Graph& graph, absl::Span<const Tensor> inputs, ValueMap& env) {
  if (inputs.size() != graph.inputs().size()) {
    return absl::InvalidArgumentError(absl::StrCat("graph '", graph.name(), "' takes ",
                                                   graph.inputs().size(), " inputs, got ",
                                                   inputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ir::Value* v = graph.inputs()[i];
    if (inputs[i].dtype() != v->type().dtype || inputs[i].shape() != v->type().shape) {
      return absl::InvalidArgumentError(
          absl::StrCat("input '", v->name(), "': expected ", DTypeName(v->type().dtype),
                       ShapeToString(v->type().shape), ", got ", DTypeName(inputs[i].dtype()),
                       ShapeToString(inputs[i].shape())));
    }
    env[v] = inputs[i];
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<const Tensor*>> NodeArgs(const ir::Node& node, const ValueMap& env) {
  std::vector<const Tensor*> args;
  for (const ir::Value* in : node.inputs()) {
    if (in == nullptr) {
      args.push_back(nullptr);
    } else if (in->is_constant()) {
      args.push_back(&in->constant());
    } else {
      auto it = env.find(in);
      if (it == env.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(node.Describe(), ": input '", in->name(), "' was never computed"));
      }
      args.push_back(&it->second);
    }
  }
  return args;
}

absl::Status StoreResults(const ir::Node& node, std::vector<Tensor>& results,
                          absl::string_view what, absl::string_view want, ValueMap& env) {
  if (static_cast<int>(results.size()) != node.num_outputs()) {
    return absl::InternalError(
        absl::StrCat(node.Describe(), ": kernel returned ", results.size(), " outputs"));
  }
  for (int i = 0; i < node.num_outputs(); ++i) {
    const ir::TensorType& type = node.output(i)->type();
    if (results[i].dtype() != type.dtype || results[i].shape() != type.shape) {
      return ir::NodeError(absl::StatusCode::kInternal, node,
                           absl::StrCat(what, " ", i, " is ", DTypeName(results[i].dtype()),
                                        ShapeToString(results[i].shape()), " but ", want, " ",
                                        ir::TensorTypeToString(type)));
    }
    env[node.output(i)] = std::move(results[i]);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ExecuteGraph(const ir::Graph& graph, absl::Span<const Tensor> inputs,
                          KernelChooser choose, ValueMap& env) {
  if (absl::Status s = BindInputs(graph, inputs, env); !s.ok()) return s;
  for (const auto& node : graph.nodes()) {
    const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node->op());
    if (schema == nullptr) {
      return absl::UnimplementedError(absl::StrCat(node->Describe(), ": op is not supported"));
    }
    absl::StatusOr<NodeKernel> kernel = choose(*node, *schema);
    if (!kernel.ok()) return kernel.status();
    absl::StatusOr<std::vector<const Tensor*>> args = NodeArgs(*node, env);
    if (!args.ok()) return args.status();
    std::vector<Tensor> results;
    if (absl::Status s = (*kernel->kernel)(*node, *args, results); !s.ok()) {
      return ir::NodeError(*node, s);
    }
    if (absl::Status s = StoreResults(*node, results, kernel->what, kernel->want, env); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

std::vector<Tensor> GraphOutputs(const ir::Graph& graph, const ValueMap& env) {
  std::vector<Tensor> outputs;
  for (const ir::Value* v : graph.outputs()) {
    outputs.push_back(v->is_constant() ? v->constant() : env.at(v));
  }
  return outputs;
}

}  // namespace openbpu::reference
