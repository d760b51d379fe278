// Convert: the observed float graph becomes the quantized graph of /work/notes/quant_contract.md
// (int8/int16/int32 values with QuantInfo, per-channel int8 weights, int32 bias, QuantizeLinear /
// DequantizeLinear at the borders, per-node integer parameters from each op's qprepare).
// docs/NUMERICS.md "Convert".
#ifndef OPENBPU_COMPILER_QUANTIZATION_CONVERT_H_
#define OPENBPU_COMPILER_QUANTIZATION_CONVERT_H_

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/quantization/calibration.h"

namespace openbpu::quantization {

struct ConvertOptions {
  std::string march = "bayes";  // "bernoulli2", "bayes" or "bayes-e"
  // Run FuseFx first (a no-op when PrepareCalibration already fused).
  bool fuse = true;
  // The seed's optimize_graph(unify_inputs_scale): the activation inputs and the output of each
  // Concat share one scale (the widest of their calibrated ones, per-tensor, same dtype), so
  // the concat moves integers without requantizing; values shared by several concats share it
  // too; an input made by ops that inherit their input's scale (Resize, MaxPool, Reshape...)
  // joins through the value it inherits from. Values with a fixed (QDQ) scale keep theirs. Off
  // here; `bpu quantize` (driver::QuantizeOptions) turns it on by default.
  bool unify_concat_scales = false;
  // Bias correction (Nagel et al., "Data-free quantization", section 4.2, with the input means
  // measured on the calibration data): each convolution's float bias is shifted by
  // -(dequant(quant(W)) - W) . E[x], the expected output shift its weight rounding introduces, so
  // the quantized layer's mean output matches the float one. Needs the calibration to have run with
  // PrepareOptions::bias_correction (else it changes nothing).
  bool bias_correction = false;
  // Learned rounding (adaround.h): each 2-D convolution whose input's receptive fields the
  // calibration sampled (PrepareOptions::adaround) gets its int8 weights rounded up or down by
  // AdaRoundWeight instead of to nearest. Bias correction, when on too, corrects against the
  // float weights.
  bool adaround = false;
  // With bias_correction: measure only the learned-rounded convolutions' shift, against their
  // round-to-nearest weights instead of the float ones: -(dequant(learned) - dequant(nearest)) .
  // E[x]. For biases the empirical correction (empirical_bias.h) already set with nearest
  // weights.
  bool bias_correction_from_nearest = false;
  // Learned rounding's progress (`round: 12/53 convolutions (20.1 s)`); null for silence.
  std::FILE* adaround_progress = nullptr;
};

struct ConvertReport {
  std::vector<std::string> quantized_nodes;  // node names, in graph order
  std::vector<std::string> float_nodes;      // left in float (null qconfig or no integer kernel)
  int quantize_inserted = 0;
  int dequantize_inserted = 0;
  // Layers the march may not run as computed, e.g. "node 'conv3' (FusedConv): int16 input,
  // worst-case accumulation 4294705153 (K=1032 ...) exceeds int32", and nodes whose dtypes the
  // march's op table does not list (TableDTypeDeviations).
  std::vector<std::string> warnings;
  // unify_concat_scales: how many concats and values now share a scale.
  int unified_concats = 0, unified_values = 0;
  // bias_correction: convolutions whose bias was corrected.
  int corrected_biases = 0;
  // adaround: convolutions rounded, weights moved off nearest, and the summed objective
  // (AdaRoundResult) before and after.
  bool biases_from_nearest = false;  // ConvertOptions::bias_correction_from_nearest
  int adarounded_layers = 0;
  int adaround_skipped = 0;  // left at nearest: fewer than kMinAdaRoundPatches positions sampled
  int64_t adaround_flipped = 0;
  double adaround_error_nearest = 0, adaround_error_learned = 0;
  // Layers whose output is their int32 accumulator (qint32, the high-precision output).
  std::vector<std::string> int32_outputs;

  std::string ToString() const;
};

// Converts state.graph() in place: a PassPipeline of the passes in convert_passes.h, then
// VerifyQuantizedGraph (its op-table dtype check reported as warnings). Errors name the node: a
// qint16 request on bernoulli2, a qint16 weight, a qint32 output feeding a quantized node, a
// failing qprepare. The graph is unusable after an error.
absl::StatusOr<ConvertReport> Convert(CalibrationState& state, const ConvertOptions& options = {});

// The worst-case |accumulator| of an int16-input conv/linear: K * 32767 * 127 + max|bias|,
// K = weight elements per output channel.
int64_t WorstCaseAccumulation(int64_t k, int64_t max_abs_bias);

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_CONVERT_H_
