// ConvertOptions::unify_concat_scales (the seed's optimize_graph(unify_inputs_scale)), for the
// assign-quant-info pass.
#include "compiler/quantization/unify_concat.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "compiler/ir/op_registry.h"
#include "compiler/quantization/convert_passes.h"

namespace openbpu::quantization {

absl::StatusOr<std::map<std::string, float>> UnifiedConcatScales(const ir::Graph& graph,
                                                                 const CalibrationState& state,
                                                                 int* concats) {
  std::map<std::string, std::string> parent;
  std::function<std::string(const std::string&)> find = [&](const std::string& x) {
    auto it = parent.find(x);
    if (it == parent.end() || it->second == x) return x;
    return it->second = find(it->second);
  };
  // The value whose scale `v` takes: through producers that inherit their input's scale
  // (Resize, MaxPool, Reshape...), so an upsampled input of a neck's concat unifies too.
  auto source = [](const ir::Value* v) {
    for (int hops = 0; v != nullptr && hops < 64; ++hops) {
      const ir::Node* p = v->producer();
      const ir::OpSchema* ps = p == nullptr ? nullptr : ir::OpRegistry::Global().Find(p->op());
      if (ps == nullptr || ps->qinherit_input < 0 || ps->qinherit_input >= p->num_inputs()) {
        break;
      }
      v = p->input(ps->qinherit_input);
    }
    return v;
  };
  // A member: an observed, unfixed, per-tensor activation whose producer does not inherit.
  auto eligible = [&](const ir::Value* v) {
    if (v == nullptr || v->is_constant()) return false;
    auto it = state.activations().find(v->name());
    if (it == state.activations().end() || it->second.observer == nullptr ||
        it->second.fixed.has_value()) {
      return false;
    }
    const ir::Node* p = v->producer();
    const ir::OpSchema* ps = p == nullptr ? nullptr : ir::OpRegistry::Global().Find(p->op());
    return ps == nullptr || ps->qinherit_input < 0;
  };
  for (const auto& node_ptr : graph.nodes()) {
    const ir::Node* node = node_ptr.get();
    if (node->op() != "Concat" || !IsQuantizable(*node, state.qconfig_map().Resolve(*node))) {
      continue;
    }
    const ir::Value* out = node->output(0);
    if (!eligible(out)) continue;
    const QDType dtype = state.activations().at(out->name()).dtype;
    parent.emplace(out->name(), out->name());
    if (concats != nullptr) ++*concats;
    for (int i = 0; i < node->num_inputs(); ++i) {
      const ir::Value* in = source(node->input(i));
      if (!eligible(in) || state.activations().at(in->name()).dtype != dtype) continue;
      parent.emplace(in->name(), in->name());
      parent[find(in->name())] = find(out->name());
    }
  }
  std::map<std::string, float> widest;
  for (const auto& [name, p] : parent) {
    absl::StatusOr<std::vector<float>> s = state.ActivationScales(name);
    if (!s.ok()) return s.status();
    if (s->size() != 1) continue;
    float& w = widest[find(name)];
    w = std::max(w, (*s)[0]);
  }
  std::map<std::string, float> unified;
  for (const auto& [name, p] : parent) {
    auto w = widest.find(find(name));
    if (w == widest.end() || w->second <= 0.f) continue;
    unified[name] = w->second;
  }
  return unified;
}

// The assign-quant-info pass's part: the groups' scales into the context.
absl::Status UnifyConcatScales(const ir::Graph& graph, ConvertContext& context) {
  int concats = 0;
  absl::StatusOr<std::map<std::string, float>> unified =
      UnifiedConcatScales(graph, context.state, &concats);
  if (!unified.ok()) return unified.status();
  context.report.unified_concats += concats;
  for (const auto& [name, scale] : *unified) {
    context.unified_scale[name] = scale;
    ++context.report.unified_values;
  }
  return absl::OkStatus();
}

}  // namespace openbpu::quantization
