// TuneActivationScales: assignments from the selection's scores, judged by the fake-quantized
// model's output.
#include "compiler/quantization/tune_scales.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "compiler/quantization/fake_quant_run.h"
#include "compiler/quantization/progress.h"
#include "compiler/reference/float_interpreter.h"

namespace openbpu::quantization {
namespace {

// One assignment: activation name -> the index of its chosen candidate in `scores`.
struct Assignment {
  std::string name;
  std::map<std::string, size_t> choice;
};

size_t Least(const std::vector<ScoredScale>& s) {
  size_t best = 0;
  for (size_t k = 1; k < s.size(); ++k) {
    if (s[k].error < s[best].error) best = k;
  }
  return best;
}

std::vector<Assignment> Assignments(const SelectReport& selected, const TuneOptions& options) {
  std::vector<Assignment> all;
  Assignment least{"selected", {}};
  for (const auto& [name, s] : selected.scores) {
    if (!s.empty()) least.choice[name] = Least(s);
  }
  all.push_back(least);
  for (double t : options.tolerances) {
    Assignment a{absl::StrCat("wider-", t), {}};
    for (const auto& [name, s] : selected.scores) {
      if (s.empty()) continue;
      size_t best = Least(s);
      const double limit = s[best].error * (1.0 + t);
      for (size_t k = 0; k < s.size(); ++k) {
        if (s[k].error <= limit && s[k].scale > s[best].scale) best = k;
      }
      a.choice[name] = best;
    }
    all.push_back(std::move(a));
  }
  for (const std::string& method : options.methods) {
    Assignment a{method, {}};
    for (const auto& [name, s] : selected.scores) {
      if (s.empty()) continue;
      size_t pick = Least(s);
      for (size_t k = 0; k < s.size(); ++k) {
        if (s[k].method == method) pick = k;
      }
      a.choice[name] = pick;
    }
    all.push_back(std::move(a));
  }
  // Drop assignments identical to an earlier one (judged once, under the earlier name).
  std::vector<Assignment> distinct;
  for (Assignment& a : all) {
    bool seen = false;
    for (const Assignment& d : distinct) seen = seen || d.choice == a.choice;
    if (!seen) distinct.push_back(std::move(a));
  }
  return distinct;
}

}  // namespace

std::string TuneReport::ToString() const {
  std::string s = absl::StrCat("tune: output SQNR over ", samples, " calibration samples:");
  for (size_t i = 0; i < sqnr_db.size(); ++i) {
    absl::StrAppend(&s, i == 0 ? " " : ", ", sqnr_db[i].first, " ",
                    absl::StrFormat("%.2f", sqnr_db[i].second), i == 0 ? " dB" : "");
  }
  absl::StrAppend(&s, "; keeps ", chosen);
  return s;
}

absl::StatusOr<TuneReport> TuneActivationScales(CalibrationState& state, const Dataset& dataset,
                                                const SelectReport& selected,
                                                const TuneOptions& options) {
  if (state.samples_seen() == 0 || dataset.num_samples() == 0) {
    return absl::FailedPreconditionError("the output-driven choice needs a calibrated state");
  }
  const ir::Graph& graph = state.graph();
  const std::vector<Assignment> assignments = Assignments(selected, options);
  const int n = dataset.num_samples();
  const int samples = std::min(std::max(1, options.max_samples), n);
  std::vector<std::vector<Tensor>> reference;
  for (int s = n - samples; s < n; ++s) {
    absl::StatusOr<std::vector<Tensor>> out = reference::RunFloat(graph, dataset.sample(s));
    if (!out.ok()) {
      return absl::Status(out.status().code(), absl::StrCat("tune sample ", dataset.origin(s), ": ",
                                                            out.status().message()));
    }
    reference.push_back(*std::move(out));
  }
  FakeQuantPlan plan;
  OPENBPU_ASSIGN_OR_RETURN(plan.weights, FakeQuantizedWeights(state));
  TuneReport report;
  report.samples = samples;
  Progress progress(options.progress, "tune", "assignments", static_cast<int>(assignments.size()));
  size_t best = 0;
  double best_sqnr = 0.0;
  for (size_t a = 0; a < assignments.size(); ++a) {
    // The assignment's scales; every other activation keeps the one convert gives it, and an exact
    // op's output follows its input.
    std::map<std::string, float> chosen;
    for (const auto& [name, k] : assignments[a].choice) {
      chosen[name] = selected.scores.at(name)[k].scale;
    }
    plan.activations = ActivationFakeQuant(state, chosen);
    double signal = 0.0, noise = 0.0;
    for (int i = 0; i < samples; ++i) {
      absl::StatusOr<std::vector<Tensor>> out =
          RunFakeQuantized(graph, dataset.sample(n - samples + i), plan);
      if (!out.ok()) return out.status();
      for (size_t o = 0; o < out->size() && o < reference[i].size(); ++o) {
        const Tensor& r = reference[i][o];
        const Tensor& q = (*out)[o];
        if (r.dtype() != DType::kFloat32 || q.dtype() != DType::kFloat32 ||
            r.num_elements() != q.num_elements()) {
          continue;
        }
        for (int64_t e = 0; e < r.num_elements(); ++e) {
          const double x = r.data<float>()[e], d = q.data<float>()[e] - x;
          signal += x * x;
          noise += d * d;
        }
      }
    }
    const double sqnr = noise > 0.0 ? 10.0 * std::log10(signal / noise) : 300.0;
    report.sqnr_db.push_back({assignments[a].name, sqnr});
    if (a == 0 || sqnr > best_sqnr) {
      best = a;
      best_sqnr = sqnr;
    }
    progress.Update(static_cast<int>(a + 1));
  }
  progress.Finish();
  report.chosen = assignments[best].name;
  for (const auto& [name, k] : assignments[best].choice) {
    auto it = state.activations().find(name);
    if (it == state.activations().end()) continue;
    const ScoredScale& s = selected.scores.at(name)[k];
    it->second.selected_scale = s.scale;
    it->second.selected_by = s.method;
  }
  return report;
}

}  // namespace openbpu::quantization
