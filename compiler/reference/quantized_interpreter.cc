// Node-by-node execution choosing qkernel or kernel, with type checks on every result.
#include "compiler/reference/quantized_interpreter.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "compiler/ir/op_registry.h"

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

absl::Status Execute(const ir::Graph& graph, absl::Span<const Tensor> inputs,
                     absl::flat_hash_map<const ir::Value*, Tensor>& env) {
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
  for (const auto& node : graph.nodes()) {
    const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node->op());
    if (schema == nullptr) {
      return absl::UnimplementedError(absl::StrCat(node->Describe(), ": op is not supported"));
    }
    const bool quantized = RunsQuantized(*node);
    if (quantized && !schema->qkernel) {
      return absl::UnimplementedError(
          absl::StrCat(node->Describe(), ": the op has no integer kernel yet"));
    }
    std::vector<const Tensor*> args;
    for (const ir::Value* in : node->inputs()) {
      if (in == nullptr) {
        args.push_back(nullptr);
      } else if (in->is_constant()) {
        args.push_back(&in->constant());
      } else {
        auto it = env.find(in);
        if (it == env.end()) {
          return absl::InvalidArgumentError(
              absl::StrCat(node->Describe(), ": input '", in->name(), "' was never computed"));
        }
        args.push_back(&it->second);
      }
    }
    std::vector<Tensor> results;
    const absl::Status s =
        quantized ? schema->qkernel(*node, args, results) : schema->kernel(*node, args, results);
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat(node->Describe(), ": ", s.message()));
    if (static_cast<int>(results.size()) != node->num_outputs()) {
      return absl::InternalError(
          absl::StrCat(node->Describe(), ": kernel returned ", results.size(), " outputs"));
    }
    for (int i = 0; i < node->num_outputs(); ++i) {
      const ir::TensorType& want = node->output(i)->type();
      if (results[i].dtype() != want.dtype || results[i].shape() != want.shape) {
        return absl::InternalError(absl::StrCat(
            node->Describe(), quantized ? ": integer" : ": float", " kernel output ", i, " is ",
            DTypeName(results[i].dtype()), ShapeToString(results[i].shape()), " but the value is ",
            ir::TensorTypeToString(want)));
      }
      env[node->output(i)] = std::move(results[i]);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Tensor>> RunQuantized(const ir::Graph& graph,
                                                 absl::Span<const Tensor> inputs) {
  absl::flat_hash_map<const ir::Value*, Tensor> env;
  if (absl::Status s = Execute(graph, inputs, env); !s.ok()) return s;
  std::vector<Tensor> outputs;
  for (const ir::Value* v : graph.outputs()) {
    outputs.push_back(v->is_constant() ? v->constant() : env.at(v));
  }
  return outputs;
}

absl::StatusOr<std::map<std::string, QuantizedValue>> RunQuantizedAllValues(
    const ir::Graph& graph, absl::Span<const Tensor> inputs) {
  absl::flat_hash_map<const ir::Value*, Tensor> env;
  if (absl::Status s = Execute(graph, inputs, env); !s.ok()) return s;
  std::map<std::string, QuantizedValue> out;
  for (auto& [value, tensor] : env) {
    out[value->name()] = QuantizedValue{std::move(tensor), value->type().quant};
  }
  return out;
}

}  // namespace openbpu::reference
