// RunFakeQuantized: node by node in graph order, like the float interpreter.
#include "compiler/quantization/fake_quant_run.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "compiler/ir/node_error.h"
#include "compiler/ir/op_registry.h"

namespace openbpu::quantization {

absl::flat_hash_map<const ir::Value*, FakeQuantParams> ActivationFakeQuant(
    const CalibrationState& state, const std::map<std::string, float>& overrides) {
  const ir::Graph& graph = state.graph();
  absl::flat_hash_map<const ir::Value*, FakeQuantParams> plan;
  auto own = [&](const ir::Value* v) {
    auto it = state.activations().find(v->name());
    if (it == state.activations().end()) return;
    const ActivationEntry& entry = it->second;
    if (entry.dtype != QDType::kQInt8 && entry.dtype != QDType::kQInt16) return;
    absl::StatusOr<std::vector<float>> scales = state.ActivationScales(v->name());
    if (!scales.ok() || scales->size() != 1 || !((*scales)[0] > 0.0f)) return;
    FakeQuantParams p;
    p.scales = *scales;
    if (auto o = overrides.find(v->name()); o != overrides.end()) p.scales = {o->second};
    p.dtype = entry.dtype;
    plan[v] = p;
  };
  for (const ir::Value* in : graph.inputs()) own(in);
  for (const auto& node : graph.nodes()) {
    const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node->op());
    const int src = schema == nullptr ? -1 : schema->qinherit_input;
    const bool inherits = src >= 0 && src < node->num_inputs() && node->input(src) != nullptr &&
                          IsQuantizable(*node, state.qconfig_map().Resolve(*node));
    for (const ir::Value* out : node->outputs()) {
      if (out == nullptr || out->is_constant()) continue;
      if (!inherits) {
        own(out);
      } else if (auto p = plan.find(node->input(src)); p != plan.end()) {
        plan[out] = p->second;
      }
    }
  }
  return plan;
}

absl::StatusOr<absl::flat_hash_map<const ir::Value*, Tensor>> FakeQuantizedWeights(
    const CalibrationState& state) {
  absl::flat_hash_map<const ir::Value*, Tensor> weights;
  for (const auto& node : state.graph().nodes()) {
    const ir::Value* w = ConstantWeight(*node);
    if (w == nullptr || weights.contains(w)) continue;
    auto it = state.weights().find(w->name());
    if (it == state.weights().end()) continue;
    FakeQuantParams params;
    params.scales = it->second.fixed.has_value() ? it->second.fixed->scales
                                                 : it->second.observer->ComputeScales();
    params.axis = params.scales.size() == 1 ? -1 : it->second.axis;
    absl::StatusOr<Tensor> fq = FakeQuantize(w->constant(), params);
    if (!fq.ok()) return ir::NodeError(fq.status().code(), *node, fq.status().message());
    weights[w] = *std::move(fq);
  }
  return weights;
}

absl::StatusOr<std::vector<Tensor>> RunFakeQuantized(const ir::Graph& graph,
                                                     absl::Span<const Tensor> inputs,
                                                     const FakeQuantPlan& plan) {
  if (inputs.size() != graph.inputs().size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(inputs.size(), " inputs for a graph of ", graph.inputs().size()));
  }
  absl::flat_hash_map<const ir::Value*, int> left;  // readers still to run
  for (const auto& node : graph.nodes()) {
    for (const ir::Value* in : node->inputs()) {
      if (in != nullptr && !in->is_constant()) ++left[in];
    }
  }
  for (const ir::Value* out : graph.outputs()) ++left[out];  // kept to the end
  absl::flat_hash_map<const ir::Value*, Tensor> env;
  auto store = [&](const ir::Value* v, Tensor t) -> absl::Status {
    auto p = plan.activations.find(v);
    if (p != plan.activations.end() && t.dtype() == DType::kFloat32) {
      OPENBPU_ASSIGN_OR_RETURN(t, FakeQuantize(t, p->second));
    }
    env[v] = std::move(t);
    return absl::OkStatus();
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    OPENBPU_RETURN_IF_ERROR(store(graph.inputs()[i], inputs[i]));
  }
  std::vector<const Tensor*> args;
  std::vector<Tensor> outputs;
  for (const auto& node_ptr : graph.nodes()) {
    const ir::Node& node = *node_ptr;
    const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node.op());
    if (schema == nullptr || !schema->kernel) {
      return ir::NodeError(absl::StatusCode::kUnimplemented, node, "no float kernel");
    }
    args.assign(static_cast<size_t>(node.num_inputs()), nullptr);
    for (int i = 0; i < node.num_inputs(); ++i) {
      const ir::Value* in = node.input(i);
      if (in == nullptr) continue;
      if (auto w = plan.weights.find(in); w != plan.weights.end()) {
        args[i] = &w->second;
      } else if (in->is_constant()) {
        args[i] = &in->constant();
      } else if (auto e = env.find(in); e != env.end()) {
        args[i] = &e->second;
      } else {
        return ir::NodeError(absl::StatusCode::kInternal, node,
                             absl::StrCat("input '", in->name(), "' was not computed"));
      }
    }
    outputs.clear();
    if (absl::Status st = schema->kernel(node, args, outputs); !st.ok()) {
      return ir::NodeError(st.code(), node, st.message());
    }
    if (static_cast<int>(outputs.size()) < node.num_outputs()) {
      return ir::NodeError(absl::StatusCode::kInternal, node, "the kernel gave too few outputs");
    }
    for (int o = 0; o < node.num_outputs(); ++o) {
      if (node.output(o) != nullptr) {
        OPENBPU_RETURN_IF_ERROR(store(node.output(o), std::move(outputs[o])));
      }
    }
    for (const ir::Value* in : node.inputs()) {
      if (in != nullptr && !in->is_constant() && --left[in] == 0) env.erase(in);
    }
  }
  std::vector<Tensor> result;
  for (const ir::Value* v : graph.outputs()) {
    if (v->is_constant()) {
      result.push_back(v->constant());
    } else if (auto e = env.find(v); e != env.end()) {
      result.push_back(e->second);
    } else {
      return absl::InternalError(absl::StrCat("graph output '", v->name(), "' was not computed"));
    }
  }
  return result;
}

}  // namespace openbpu::quantization
