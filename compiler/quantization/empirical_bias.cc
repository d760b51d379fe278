// CorrectBiasesEmpirically: the float and the fake-quantized run side by side over a batch of
// calibration samples, node by node (docs/QUANTIZATION.md "Empirical bias correction").
#include "compiler/quantization/empirical_bias.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "compiler/ir/node_error.h"
#include "compiler/ir/op_registry.h"
#include "compiler/quantization/fake_quant.h"
#include "compiler/quantization/fake_quant_run.h"
#include "compiler/quantization/progress.h"

namespace openbpu::quantization {
namespace {

using Batch = std::vector<Tensor>;  // one tensor per sample

// The bias a correctable layer reads: a float constant of one value per output channel.
const ir::Value* CorrectableBias(const ir::Node& node) {
  if (node.op() != "Conv" && node.op() != "FusedConv" && node.op() != "Gemm" &&
      node.op() != "FusedLinear") {
    return nullptr;
  }
  const ir::Value* b = node.input(2);
  if (b == nullptr || !b->is_constant() || b->constant().dtype() != DType::kFloat32) {
    return nullptr;
  }
  if (node.num_outputs() != 1 || node.output(0) == nullptr) return nullptr;
  const Shape& out = node.output(0)->type().shape;
  if (out.size() < 2 || b->constant().num_elements() != out[1]) return nullptr;
  return b;
}

// y = act(x) in place for FusedConv's activations.
void Activate(const std::string& act, Tensor& t) {
  float* p = t.data<float>();
  const int64_t n = t.num_elements();
  if (act == "relu") {
    for (int64_t i = 0; i < n; ++i) p[i] = std::max(p[i], 0.0f);
  } else if (act == "relu6") {
    for (int64_t i = 0; i < n; ++i) p[i] = std::min(std::max(p[i], 0.0f), 6.0f);
  }
}

}  // namespace

std::string EmpiricalBiasReport::ToString() const {
  return absl::StrFormat(
      "empirical bias correction: %d layers over %d calibration samples, mean shift %.3f LSB",
      corrected, samples, mean_abs_shift_lsb);
}

absl::StatusOr<EmpiricalBiasReport> CorrectBiasesEmpirically(ir::Graph& graph,
                                                             const CalibrationState& state,
                                                             const Dataset& dataset,
                                                             const EmpiricalBiasOptions& options) {
  if (&graph != &state.graph()) {
    return absl::InvalidArgumentError("empirical bias correction: not the calibrated graph");
  }
  if (state.samples_seen() == 0 || dataset.num_samples() == 0) {
    return absl::FailedPreconditionError("empirical bias correction needs a calibrated state");
  }
  const int samples = std::min(std::max(1, options.max_samples), dataset.num_samples());
  FakeQuantPlan plan;
  OPENBPU_ASSIGN_OR_RETURN(plan.weights, FakeQuantizedWeights(state));
  plan.activations = ActivationFakeQuant(state, options.scale_overrides);

  absl::flat_hash_map<const ir::Value*, int> left;  // readers still to run
  int layers = 0;
  for (const auto& node : graph.nodes()) {
    for (const ir::Value* in : node->inputs()) {
      if (in != nullptr && !in->is_constant()) ++left[in];
    }
    if (CorrectableBias(*node) != nullptr) ++layers;
  }
  absl::flat_hash_map<const ir::Value*, Batch> fenv, qenv;  // float, fake-quantized
  auto store_q = [&](const ir::Value* v, Tensor t) -> absl::Status {
    auto p = plan.activations.find(v);
    if (p != plan.activations.end() && t.dtype() == DType::kFloat32) {
      OPENBPU_ASSIGN_OR_RETURN(t, FakeQuantize(t, p->second));
    }
    qenv[v].push_back(std::move(t));
    return absl::OkStatus();
  };
  for (size_t i = 0; i < graph.inputs().size(); ++i) {
    const ir::Value* in = graph.inputs()[i];
    for (int s = 0; s < samples; ++s) {
      const std::vector<Tensor>& sample = dataset.sample(s);
      if (sample.size() != graph.inputs().size()) {
        return absl::InvalidArgumentError(absl::StrCat("sample ", dataset.origin(s), " has ",
                                                       sample.size(), " inputs, the graph ",
                                                       graph.inputs().size()));
      }
      fenv[in].push_back(sample[i]);
      OPENBPU_RETURN_IF_ERROR(store_q(in, sample[i]));
    }
  }

  EmpiricalBiasReport report;
  report.samples = samples;
  double shift_sum = 0;
  int64_t shift_count = 0;
  Progress progress(options.progress, "bias", "layers", layers);
  int done = 0;
  std::vector<const Tensor*> fargs, qargs;
  std::vector<Tensor> outputs;
  for (const auto& node_ptr : graph.nodes()) {
    ir::Node& node = *node_ptr;
    const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node.op());
    if (schema == nullptr || !schema->kernel) {
      return ir::NodeError(absl::StatusCode::kUnimplemented, node, "no float kernel");
    }
    const ir::Value* bias = CorrectableBias(node);
    const bool correct = bias != nullptr &&
                         IsQuantizable(node, state.qconfig_map().Resolve(node)) &&
                         plan.weights.contains(node.input(1));
    // A corrected layer runs without its activation: the shift is measured before it.
    const std::string act = node.attrs().GetString("activation", "none");
    if (correct && act != "none") node.mutable_attrs().Set("activation", std::string("none"));
    std::vector<Batch> fout(static_cast<size_t>(node.num_outputs()));
    std::vector<Batch> qout(static_cast<size_t>(node.num_outputs()));
    absl::Status failed;
    for (int s = 0; s < samples && failed.ok(); ++s) {
      fargs.assign(static_cast<size_t>(node.num_inputs()), nullptr);
      qargs.assign(static_cast<size_t>(node.num_inputs()), nullptr);
      for (int i = 0; i < node.num_inputs(); ++i) {
        const ir::Value* in = node.input(i);
        if (in == nullptr) continue;
        if (in->is_constant()) {
          fargs[i] = &in->constant();
          auto w = plan.weights.find(in);
          qargs[i] = w != plan.weights.end() ? &w->second : &in->constant();
          continue;
        }
        auto f = fenv.find(in);
        auto q = qenv.find(in);
        if (f == fenv.end() || q == qenv.end()) {
          failed = ir::NodeError(absl::StatusCode::kInternal, node,
                                 absl::StrCat("input '", in->name(), "' was not computed"));
          break;
        }
        fargs[i] = &f->second[s];
        qargs[i] = &q->second[s];
      }
      if (!failed.ok()) break;
      for (int pass = 0; pass < 2; ++pass) {
        outputs.clear();
        if (absl::Status st = schema->kernel(node, pass == 0 ? fargs : qargs, outputs); !st.ok()) {
          failed = ir::NodeError(st.code(), node, st.message());
          break;
        }
        if (static_cast<int>(outputs.size()) < node.num_outputs()) {
          failed = ir::NodeError(absl::StatusCode::kInternal, node, "too few kernel outputs");
          break;
        }
        for (int o = 0; o < node.num_outputs(); ++o) {
          (pass == 0 ? fout : qout)[o].push_back(std::move(outputs[o]));
        }
      }
    }
    if (correct && act != "none") node.mutable_attrs().Set("activation", act);
    OPENBPU_RETURN_IF_ERROR(failed);

    if (correct) {
      // Per output channel: the mean of (fake-quantized - float) before the activation.
      const Shape& shape = fout[0][0].shape();
      const int64_t channels = shape[1];
      int64_t inner = 1;
      for (size_t d = 2; d < shape.size(); ++d) inner *= shape[d];
      const int64_t outer = fout[0][0].num_elements() / (channels * inner);
      // Per sample and channel the mean difference, then their mean over the samples.
      std::vector<double> diff(static_cast<size_t>(channels), 0.0);
      const double per_sample = static_cast<double>(outer) * inner;
      for (int s = 0; s < samples; ++s) {
        const float* f = fout[0][s].data<float>();
        const float* q = qout[0][s].data<float>();
        std::vector<double> m(static_cast<size_t>(channels), 0.0);
        for (int64_t o = 0; o < outer; ++o) {
          for (int64_t c = 0; c < channels; ++c) {
            const int64_t at = (o * channels + c) * inner;
            double sum = 0;
            for (int64_t i = 0; i < inner; ++i) sum += static_cast<double>(q[at + i]) - f[at + i];
            m[c] += sum;
          }
        }
        for (int64_t c = 0; c < channels; ++c) {
          diff[c] += m[c] / per_sample;
        }
      }
      const double count = static_cast<double>(samples);
      const Tensor& b = bias->constant();
      Tensor corrected(DType::kFloat32, b.shape());
      float* cb = corrected.data<float>();
      std::vector<float> delta(static_cast<size_t>(channels));
      for (int64_t c = 0; c < channels; ++c) delta[c] = static_cast<float>(diff[c] / count);
      // What the next layer reads is the output after the activation: a ReLU zeroes the
      // positions below 0 on both sides, a ReLU6 flattens those above 6, and a shift there does
      // not matter. So the shift corrected is the delta whose activated output act(q - delta)
      // has the least squared error against act(f): its stationary point is delta = mean(q -
      // act(f)) over the positions where q - delta is inside the activation's linear range;
      // a few fixed-point steps from the pre-activation mean find it. (The output's own clip is
      // left out: counting it measured worse on the sweep, docs/QUANTIZATION.md.)
      if (options.post_activation && (act == "relu" || act == "relu6")) {
        const auto fq = plan.activations.find(node.output(0));
        const double s = fq == plan.activations.end() ? 1.0 : fq->second.scales[0];
        const double lo = 0.0, hi = act == "relu6" ? 6.0 : HUGE_VAL;
        auto target = [&](double f) { return std::min(std::max(f, lo), hi); };
        for (int64_t c = 0; c < channels; ++c) {
          double d = delta[c];
          for (int iter = 0; iter < 8; ++iter) {
            double sum = 0;
            int64_t n = 0;
            for (int sm = 0; sm < samples; ++sm) {
              const float* f = fout[0][sm].data<float>();
              const float* q = qout[0][sm].data<float>();
              for (int64_t o = 0; o < outer; ++o) {
                const int64_t at = (o * channels + c) * inner;
                for (int64_t i = 0; i < inner; ++i) {
                  const double y = static_cast<double>(q[at + i]) - d;
                  if (y > lo && y < hi) {
                    sum += static_cast<double>(q[at + i]) - target(f[at + i]);
                    ++n;
                  }
                }
              }
            }
            if (n == 0) break;
            const double next = sum / static_cast<double>(n);
            const bool done = std::fabs(next - d) <= 1e-3 * s;
            d = next;
            if (done) break;
          }
          delta[c] = static_cast<float>(d);
        }
      }
      for (int64_t c = 0; c < channels; ++c) cb[c] = b.data<float>()[c] - delta[c];
      // The fake-quantized output with the corrected bias, then the activation.
      for (int s = 0; s < samples; ++s) {
        float* q = qout[0][s].data<float>();
        for (int64_t o = 0; o < outer; ++o) {
          for (int64_t c = 0; c < channels; ++c) {
            const int64_t at = (o * channels + c) * inner;
            for (int64_t i = 0; i < inner; ++i) q[at + i] -= delta[c];
          }
        }
        Activate(act, qout[0][s]);
        Activate(act, fout[0][s]);
      }
      if (auto p = plan.activations.find(node.output(0)); p != plan.activations.end()) {
        for (float d : delta) shift_sum += std::fabs(d) / p->second.scales[0];
        shift_count += channels;
      }
      OPENBPU_ASSIGN_OR_RETURN(
          ir::Value * v, graph.AddValue(graph.UniqueValueName(absl::StrCat(bias->name(), "_ebc"))));
      v->set_constant(std::move(corrected));
      node.set_input(2, v);
      ++report.corrected;
    }
    for (int o = 0; o < node.num_outputs(); ++o) {
      const ir::Value* out = node.output(o);
      if (out == nullptr) continue;
      fenv[out] = std::move(fout[o]);
      for (Tensor& t : qout[o]) OPENBPU_RETURN_IF_ERROR(store_q(out, std::move(t)));
    }
    for (const ir::Value* in : node.inputs()) {
      if (in != nullptr && !in->is_constant() && --left[in] == 0) {
        fenv.erase(in);
        qenv.erase(in);
      }
    }
    if (bias != nullptr) progress.Update(++done);
  }
  progress.Finish();
  if (shift_count > 0) report.mean_abs_shift_lsb = shift_sum / static_cast<double>(shift_count);
  return report;
}

}  // namespace openbpu::quantization
