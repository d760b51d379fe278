// Node-by-node execution with type checks on every kernel result.
#include "compiler/reference/float_interpreter.h"

#include "absl/strings/str_cat.h"
#include "compiler/ir/op_registry.h"
#include "compiler/reference/interpreter_util.h"

namespace openbpu::reference {
namespace {

absl::Status Execute(const ir::Graph& graph, absl::Span<const Tensor> inputs, ValueMap& env) {
  return ExecuteGraph(
      graph, inputs,
      [](const ir::Node&, const ir::OpSchema& schema) -> absl::StatusOr<NodeKernel> {
        return NodeKernel{&schema.kernel, "output", "shape inference said"};
      },
      env);
}

}  // namespace

absl::StatusOr<std::vector<Tensor>> RunFloat(const ir::Graph& graph,
                                             absl::Span<const Tensor> inputs) {
  ValueMap env;
  if (absl::Status s = Execute(graph, inputs, env); !s.ok()) return s;
  return GraphOutputs(graph, env);
}

absl::StatusOr<std::map<std::string, Tensor>> RunFloatAllValues(const ir::Graph& graph,
                                                                absl::Span<const Tensor> inputs) {
  ValueMap env;
  if (absl::Status s = Execute(graph, inputs, env); !s.ok()) return s;
  std::map<std::string, Tensor> out;
  for (auto& [value, tensor] : env) out[value->name()] = std::move(tensor);
  return out;
}

}  // namespace openbpu::reference
