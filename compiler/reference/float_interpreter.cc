// Node-by-node execution with type checks on every kernel result.
#include "compiler/reference/float_interpreter.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "compiler/ir/op_registry.h"

namespace openbpu::reference {
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
    if (absl::Status s = schema->kernel(*node, args, results); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat(node->Describe(), ": ", s.message()));
    }
    if (static_cast<int>(results.size()) != node->num_outputs()) {
      return absl::InternalError(
          absl::StrCat(node->Describe(), ": kernel returned ", results.size(), " outputs"));
    }
    for (int i = 0; i < node->num_outputs(); ++i) {
      const ir::TensorType& want = node->output(i)->type();
      if (results[i].dtype() != want.dtype || results[i].shape() != want.shape) {
        return absl::InternalError(
            absl::StrCat(node->Describe(), ": output ", i, " is ", DTypeName(results[i].dtype()),
                         ShapeToString(results[i].shape()), " but shape inference said ",
                         ir::TensorTypeToString(want)));
      }
      env[node->output(i)] = std::move(results[i]);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Tensor>> RunFloat(const ir::Graph& graph,
                                             absl::Span<const Tensor> inputs) {
  absl::flat_hash_map<const ir::Value*, Tensor> env;
  if (absl::Status s = Execute(graph, inputs, env); !s.ok()) return s;
  std::vector<Tensor> outputs;
  for (const ir::Value* v : graph.outputs()) {
    if (v->is_constant()) {
      outputs.push_back(v->constant());
    } else {
      outputs.push_back(env.at(v));
    }
  }
  return outputs;
}

absl::StatusOr<std::map<std::string, Tensor>> RunFloatAllValues(const ir::Graph& graph,
                                                                absl::Span<const Tensor> inputs) {
  absl::flat_hash_map<const ir::Value*, Tensor> env;
  if (absl::Status s = Execute(graph, inputs, env); !s.ok()) return s;
  std::map<std::string, Tensor> out;
  for (auto& [value, tensor] : env) out[value->name()] = std::move(tensor);
  return out;
}

}  // namespace openbpu::reference
