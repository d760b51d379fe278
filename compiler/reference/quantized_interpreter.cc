// Node-by-node execution choosing qkernel or kernel, with type checks on every result.
#include "compiler/reference/quantized_interpreter.h"

#include "absl/strings/str_cat.h"
#include "compiler/ir/op_registry.h"
#include "compiler/reference/interpreter_util.h"

namespace openbpu::reference {

bool RunsQuantized(const ir::Node& node) {
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node.op());
  if (schema == nullptr || schema->qkind == ir::QuantKind::kNone) return false;
  for (const ir::Value* v : node.inputs()) {
    if (v != nullptr && v->type().quant.has_value()) return true;
  }
  for (const ir::Value* v : node.outputs()) {
    if (v->type().quant.has_value()) return true;
  }
  return false;
}

namespace {

absl::Status Execute(const ir::Graph& graph, absl::Span<const Tensor> inputs, ValueMap& env) {
  return ExecuteGraph(
      graph, inputs,
      [](const ir::Node& node, const ir::OpSchema& schema) -> absl::StatusOr<NodeKernel> {
        if (!RunsQuantized(node)) {
          return NodeKernel{&schema.kernel, "float kernel output", "the value is"};
        }
        if (!schema.qkernel) {
          return absl::UnimplementedError(
              absl::StrCat(node.Describe(), ": the op has no integer kernel yet"));
        }
        return NodeKernel{&schema.qkernel, "integer kernel output", "the value is"};
      },
      env);
}

}  // namespace

absl::StatusOr<std::vector<Tensor>> RunQuantized(const ir::Graph& graph,
                                                 absl::Span<const Tensor> inputs) {
  ValueMap env;
  if (absl::Status s = Execute(graph, inputs, env); !s.ok()) return s;
  return GraphOutputs(graph, env);
}

absl::StatusOr<std::map<std::string, QuantizedValue>> RunQuantizedAllValues(
    const ir::Graph& graph, absl::Span<const Tensor> inputs) {
  ValueMap env;
  if (absl::Status s = Execute(graph, inputs, env); !s.ok()) return s;
  std::map<std::string, QuantizedValue> out;
  for (auto& [value, tensor] : env) {
    out[value->name()] = QuantizedValue{std::move(tensor), value->type().quant};
  }
  return out;
}

}  // namespace openbpu::reference
