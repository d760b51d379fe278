// Empirical bias correction (Finkelstein et al. 2019, "Fighting Quantization Bias With Bias";
// AIMET's empirical bias correction): the calibration data runs through the float graph and
// through its fake-quantized copy side by side, node by node in graph order; at each quantized
// convolution or Gemm with a bias, the bias absorbs the mean per-channel difference of the two
// outputs (for a fused ReLU / ReLU6, as the activation sees it: post_activation below), and the
// fake-quantized run goes on with the corrected layer.
//
// Unlike the analytic correction (ConvertOptions::bias_correction, which removes only the shift
// the layer's own weight rounding causes), this removes the systematic shift that reaches the
// layer from everything before it: activations clipped by their scale, and noise through ReLUs
// (E[relu(x + n)] > relu(x)). Those shifts do not average out; a global average pool passes
// them straight to the logits (densenet169: a third of the output error was a per-class offset
// the same on every image). docs/QUANTIZATION.md "Empirical bias correction".
#ifndef OPENBPU_COMPILER_QUANTIZATION_EMPIRICAL_BIAS_H_
#define OPENBPU_COMPILER_QUANTIZATION_EMPIRICAL_BIAS_H_

#include <cstdio>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "compiler/ir/graph.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/dataset.h"

namespace openbpu::quantization {

struct EmpiricalBiasOptions {
  // Calibration samples run side by side (the first ones); every value of the graph is held for
  // all of them until its last reader ran.
  int max_samples = 32;
  // Value name -> the per-tensor scale convert will give it instead of the calibrated one (the
  // unified concat scales, UnifiedConcatScales).
  std::map<std::string, float> scale_overrides;
  // A layer with a ReLU or ReLU6 gets the shift that leaves the least squared error after the
  // activation, where the next layer reads it: the mean of (q - act(f)) over the positions its
  // corrected output keeps in the activation's linear range, instead of the pre-activation mean
  // over all (positions a ReLU zeroes on both sides do not matter). Off: the pre-activation mean.
  bool post_activation = true;
  std::FILE* progress = stderr;  // `bias: 120/254 layers ...`; null for silence
};

struct EmpiricalBiasReport {
  int samples = 0;
  int corrected = 0;  // layers whose bias changed
  // The mean over corrected channels of |shift| / the layer output's scale (LSB).
  double mean_abs_shift_lsb = 0;
  std::string ToString() const;
};

// Corrects the biases of `graph` (the graph `state` calibrated; calibrated and selected scales
// final) in place: each corrected layer's bias input becomes a new constant.
absl::StatusOr<EmpiricalBiasReport> CorrectBiasesEmpirically(ir::Graph& graph,
                                                             const CalibrationState& state,
                                                             const Dataset& dataset,
                                                             const EmpiricalBiasOptions& options);

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_EMPIRICAL_BIAS_H_
