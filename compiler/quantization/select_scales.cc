// SelectActivationScales: candidates from each histogram, judged on the consumers' outputs.
#include "compiler/quantization/select_scales.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "compiler/ir/node_error.h"
#include "compiler/ir/op_registry.h"
#include "compiler/quantization/fake_quant.h"
#include "compiler/quantization/fake_quant_run.h"
#include "compiler/quantization/observer.h"
#include "compiler/quantization/progress.h"

namespace openbpu::quantization {
namespace {

struct Candidate {
  std::string method;
  float scale = 1.0f;
  double error = 0.0;  // sum over consumers of squared error / signal power
};

struct Selection {
  std::string value;
  const ir::Value* v = nullptr;
  ActivationEntry* entry = nullptr;
  std::vector<Candidate> candidates;
  std::vector<const ir::Node*> consumers;  // empty: judged on the value itself
  // Per consumer (or the value itself): squared error per candidate, and the signal power.
  std::vector<std::vector<double>> error;
  std::vector<double> power;
};

std::string MethodOf(ObserverKind kind) {
  switch (kind) {
    case ObserverKind::kPercentile:
      return "percentile";
    case ObserverKind::kKL:
      return "kl";
    default:
      return "mse";
  }
}

std::vector<Candidate> Candidates(const AbsHistogram& hist, const ObserverConfig& config,
                                  QDType dtype) {
  std::vector<Candidate> all = {
      {"minmax", hist.amax()},
      {"percentile", PercentileAmax(hist, 99.99)},
      {"mse", MseAmax(hist, dtype)},
      {"kl", KlAmax(hist, dtype)},
  };
  const std::string own = MethodOf(config.kind);
  std::stable_partition(all.begin(), all.end(),
                        [&](const Candidate& c) { return c.method == own; });
  std::vector<Candidate> out;
  for (Candidate c : all) {
    if (!(c.scale > 0.0f)) continue;  // still the amax here
    c.scale = SymmetricScale(-c.scale, c.scale, dtype);
    bool seen = false;
    for (const Candidate& o : out) seen = seen || o.scale == c.scale;
    if (!seen) out.push_back(c);
  }
  return out;
}

double SquaredDiff(const Tensor& a, const Tensor& b) {
  const float* x = a.data<float>();
  const float* y = b.data<float>();
  double sum = 0.0;
  for (int64_t i = 0; i < a.num_elements(); ++i) {
    const double d = static_cast<double>(x[i]) - y[i];
    sum += d * d;
  }
  return sum;
}

double Power(const Tensor& a) {
  const float* x = a.data<float>();
  double sum = 0.0;
  for (int64_t i = 0; i < a.num_elements(); ++i) sum += static_cast<double>(x[i]) * x[i];
  return sum;
}

}  // namespace

std::string SelectReport::ToString() const {
  std::string s = absl::StrCat("select: ", values, " activations over ", samples, " samples:");
  std::vector<std::pair<int, std::string>> order;
  for (const auto& [method, count] : by_method) order.push_back({-count, method});
  std::sort(order.begin(), order.end());
  for (size_t i = 0; i < order.size(); ++i) {
    absl::StrAppend(&s, i == 0 ? " " : ", ", order[i].second, " ", -order[i].first);
  }
  return s;
}

absl::StatusOr<SelectReport> SelectActivationScales(CalibrationState& state, const Dataset& dataset,
                                                    const SelectOptions& options) {
  if (state.samples_seen() == 0) {
    return absl::FailedPreconditionError("per-layer selection needs a calibrated state");
  }
  const ir::Graph& graph = state.graph();
  std::map<const ir::Value*, std::vector<const ir::Node*>> consumers;
  for (const auto& node : graph.nodes()) {
    if (!IsQuantizable(*node, state.qconfig_map().Resolve(*node))) continue;
    const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node->op());
    if (schema == nullptr || !schema->kernel || node->num_outputs() == 0) continue;
    for (const ir::Value* in : node->inputs()) {
      if (in == nullptr) continue;
      auto& list = consumers[in];
      if (list.empty() || list.back() != node.get()) list.push_back(node.get());
    }
  }
  std::vector<Selection> selections;
  for (auto& [name, entry] : state.activations()) {
    if (entry.fixed.has_value() || entry.observer == nullptr) continue;
    const AbsHistogram* hist = entry.observer->histogram();
    if (hist == nullptr || hist->amax() <= 0.0f) continue;
    Selection sel;
    sel.value = name;
    sel.entry = &entry;
    sel.candidates = Candidates(*hist, entry.observer_config, entry.dtype);
    if (sel.candidates.empty()) continue;
    const ir::Value* v = graph.FindValue(name);
    if (v == nullptr) continue;
    sel.v = v;
    if (auto it = consumers.find(v); it != consumers.end()) sel.consumers = it->second;
    const size_t slots = std::max<size_t>(1, sel.consumers.size());
    sel.error.assign(slots, std::vector<double>(sel.candidates.size(), 0.0));
    sel.power.assign(slots, 0.0);
    selections.push_back(std::move(sel));
  }

  // Every quantized weight, fake-quantized per channel to the scales convert will give it.
  OPENBPU_ASSIGN_OR_RETURN(const auto weights_fq, FakeQuantizedWeights(state));

  const int samples = std::min(std::max(1, options.max_samples), dataset.num_samples());
  Progress progress(options.progress, "select", "samples", samples);
  for (int s = 0; s < samples; ++s) {
    absl::StatusOr<std::map<std::string, Tensor>> values = state.RunSample(dataset.sample(s));
    if (!values.ok()) {
      return absl::Status(
          values.status().code(),
          absl::StrCat("selection sample ", dataset.origin(s), ": ", values.status().message()));
    }
    for (Selection& sel : selections) {
      auto xv = values->find(sel.value);
      if (xv == values->end()) continue;
      std::vector<Tensor> quantized;
      for (const Candidate& cand : sel.candidates) {
        FakeQuantParams params;
        params.scales = {cand.scale};
        params.dtype = sel.entry->dtype;
        OPENBPU_ASSIGN_OR_RETURN(Tensor fq, FakeQuantize(xv->second, params));
        quantized.push_back(std::move(fq));
      }
      if (sel.consumers.empty()) {
        sel.power[0] += Power(xv->second);
        for (size_t k = 0; k < quantized.size(); ++k) {
          sel.error[0][k] += SquaredDiff(quantized[k], xv->second);
        }
        continue;
      }
      const ir::Value* v = sel.v;
      for (size_t ci = 0; ci < sel.consumers.size(); ++ci) {
        const ir::Node& c = *sel.consumers[ci];
        auto ref = values->find(c.output(0)->name());
        if (ref == values->end() || ref->second.dtype() != DType::kFloat32) continue;
        std::vector<const Tensor*> inputs(c.num_inputs(), nullptr);
        std::vector<int> slots;
        for (int i = 0; i < c.num_inputs(); ++i) {
          const ir::Value* in = c.input(i);
          if (in == nullptr) continue;
          if (in == v) {
            slots.push_back(i);
          } else if (auto w = weights_fq.find(in); w != weights_fq.end()) {
            inputs[i] = &w->second;
          } else if (in->is_constant()) {
            inputs[i] = &in->constant();
          } else if (auto f = values->find(in->name()); f != values->end()) {
            inputs[i] = &f->second;
          }
        }
        const ir::OpSchema* schema = ir::OpRegistry::Global().Find(c.op());
        sel.power[ci] += Power(ref->second);
        for (size_t k = 0; k < quantized.size(); ++k) {
          for (int i : slots) inputs[i] = &quantized[k];
          std::vector<Tensor> outputs;
          if (absl::Status st = schema->kernel(c, inputs, outputs); !st.ok()) {
            return ir::NodeError(st.code(), c, st.message());
          }
          if (outputs.empty() || outputs[0].num_elements() != ref->second.num_elements()) {
            return ir::NodeError(absl::StatusCode::kInternal, c,
                                 "selection: the kernel's output differs from the float run's");
          }
          sel.error[ci][k] += SquaredDiff(outputs[0], ref->second);
        }
      }
    }
    progress.Update(s + 1);
  }
  progress.Finish();

  SelectReport report;
  report.samples = samples;
  for (Selection& sel : selections) {
    std::vector<double> errors(sel.candidates.size(), 0.0);
    double least = -1.0;
    for (size_t k = 0; k < sel.candidates.size(); ++k) {
      for (size_t ci = 0; ci < sel.error.size(); ++ci) {
        if (sel.power[ci] > 0.0) errors[k] += sel.error[ci][k] / sel.power[ci];
      }
      if (least < 0.0 || errors[k] < least) least = errors[k];
    }
    // The least error (the first among equals: the observer's own method); with a tolerance, the
    // widest candidate within it.
    size_t best =
        static_cast<size_t>(std::min_element(errors.begin(), errors.end()) - errors.begin());
    if (options.wider_tolerance > 0.0) {
      const double limit = least * (1.0 + options.wider_tolerance);
      for (size_t k = 0; k < sel.candidates.size(); ++k) {
        if (errors[k] <= limit && sel.candidates[k].scale > sel.candidates[best].scale) best = k;
      }
    }
    std::vector<ScoredScale>& scores = report.scores[sel.value];
    for (size_t k = 0; k < sel.candidates.size(); ++k) {
      scores.push_back({sel.candidates[k].method, sel.candidates[k].scale, errors[k]});
    }
    sel.entry->selected_scale = sel.candidates[best].scale;
    sel.entry->selected_by = sel.candidates[best].method;
    ++report.values;
    ++report.by_method[sel.candidates[best].method];
  }
  return report;
}

}  // namespace openbpu::quantization
