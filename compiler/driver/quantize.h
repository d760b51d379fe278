// The quantization driver: one call from options to a quantized graph — import (float or QDQ
// ONNX), fuse, calibrate over a dataset, convert for a march (docs/QUANTIZATION.md "The flow").
// `bpu quantize` is a shell over it; `bpu compile` will start from it.
#ifndef OPENBPU_COMPILER_DRIVER_QUANTIZE_H_
#define OPENBPU_COMPILER_DRIVER_QUANTIZE_H_

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "compiler/ir/graph.h"
#include "compiler/quantization/convert.h"

namespace openbpu::driver {

struct QuantizeOptions {
  std::string model;             // a float ONNX model, or a QDQ one exported after QAT
  std::string calibration_data;  // a .npy file or a directory of them (LoadDataset)
  std::string march = "bayes";   // "bernoulli2", "bayes" or "bayes-e"
  std::string dtype = "qint8";   // activation dtype: "qint8" or "qint16"
  // Activation observer: "mse" (the default: it won the PTQ sweep, docs/QUANTIZATION.md),
  // "percentile" (99.99 %, the default calibration qconfig's), "minmax" or "kl". Weights are
  // always per-channel MinMax int8.
  std::string observer = "mse";
  // Op types quantized to qint16 whatever `dtype` says (a qconfig rule by op type: the vendor's
  // mixed precision), e.g. {"Softmax", "LayerNormalization", "Erf"} for a transformer's
  // attention and GELU paths on bayes. An unknown op type is InvalidArgument.
  std::vector<std::string> int16_ops;
  // The vendor's hybrid mode: nodes left in float, which a hybrid model runs on the CPU (bpu
  // compile --hybrid; compiler/backend/hybrid.h). `hybrid`: every node whose op the march's op
  // table does not run on the BPU (except linear layers, which the back end runs as 1x1
  // convolutions). `hybrid_ops` / `hybrid_nodes`: the seed's hybrid_dict, by op type (a fused
  // node's type is its own: FusedConv, FusedLinear) or by node name (after fusion a fused node
  // keeps its core's name, e.g. the Conv's). An unknown op type or node name is InvalidArgument.
  bool hybrid = false;
  std::vector<std::string> hybrid_ops, hybrid_nodes;
  // ConvertOptions::unify_concat_scales (the seed's optimize_graph(unify_inputs_scale)): each
  // concat's inputs and output share one scale, as torch's shared observers for cat do. On by
  // default since the PTQ sweep (densenet169 +1.0 dB, squeezenet1_0 +0.65: no requantization
  // at every dense layer's concat; docs/QUANTIZATION.md).
  bool unify_concat_scales = true;
  // ConvertOptions::bias_correction (with the calibration's per-channel input means).
  bool bias_correction = false;
  // Empirical bias correction after the scales are final (quantization::CorrectBiasesEmpirically):
  // each quantized convolution's bias absorbs the mean shift between the fake-quantized and the
  // float run on the calibration samples, layer after layer. It measures the weight rounding's
  // shift too, so it and bias_correction exclude each other: unset, it is on unless
  // bias_correction is (the default since the PTQ sweep, docs/QUANTIZATION.md); true with
  // bias_correction is InvalidArgument.
  std::optional<bool> empirical_bias_correction;
  // Per-layer choice of each activation's calibration method among min-max, percentile, MSE and
  // KL by its consumers' quantized output error (quantization::SelectActivationScales). Unset:
  // on with a histogram observer (percentile, mse, kl: the default since the PTQ sweep,
  // docs/QUANTIZATION.md), off with minmax; true with minmax is InvalidArgument.
  std::optional<bool> select_observer;
  // Learned (AdaRound-style) rounding of every 2-D convolution's weights against its input's
  // receptive fields sampled from the calibration data with `adaround_seed`
  // (quantization::AdaRoundWeight); the same seed gives the same weights. On by default (the
  // PTQ sweep).
  bool adaround = true;
  uint64_t adaround_seed = 0;
  // With per-layer selection: the whole-model choice among scale assignments derived from the
  // selection's scores (the least error, wider ones within a tolerance of it, each method
  // everywhere) by the fake-quantized model's output on calibration samples
  // (quantization::TuneActivationScales). Off by default: on the PTQ sweep its choices, right on
  // the calibration crops, moved the test crops' SQNR both ways (resnet50 -0.47 dB,
  // efficientnet_b2 +0.54; docs/QUANTIZATION.md).
  bool tune_scales = false;
  // The vendor's high-precision output (get_default_qat_out_qconfig): each weighted layer (Conv,
  // Gemm, MatMul) whose output is a graph output keeps its raw int32 accumulator at scale
  // s_in x s_w[c], so the model's outputs carry no int8 rounding or clipping. On by default,
  // where the march's op table allows an int32 output for the layer (bayes; not bernoulli2,
  // whose Conv2d cell names int8 output only).
  bool high_precision_output = true;
  // Cross-layer equalization of Conv -> Relu -> Conv pairs before fusion
  // (quantization::EqualizeCrossLayer).
  bool equalize = false;
  // The vendor's fixed input scale (PrepareOptions::fixed_input_scale); calibrated when unset.
  std::optional<float> fixed_input_scale;
  // Calibration samples run at once on this many threads (CalibrateOptions::jobs); the result
  // is the same for every value.
  int jobs = 1;
  // Calibration progress (`calibrate: N/M samples ...`); null for silence.
  std::FILE* progress = stderr;
};

struct QuantizedModel {
  std::unique_ptr<ir::Graph> graph;  // quantized, checked by quantization::VerifyQuantizedGraph
  quantization::ConvertReport report;
  // The march rewrites applied to the float graph first (passes::RewriteForMarch), one line each.
  std::vector<std::string> rewrites;
};

// Imports options.model with ImportQdqOnnxFile (QDQ pairs become fixed scales), rewrites what the
// march runs only in another form (passes::RewriteForMarch), loads the
// calibration data (none: a QDQ model whose every activation has its pair's scale; a float model
// is then an error saying how to calibrate), fuses and places observers (PrepareCalibration with
// the default calibration qconfig for every node), calibrates and converts. Errors are those of
// each step, naming the file, input or node; an unknown dtype, observer or march is
// InvalidArgument.
absl::StatusOr<QuantizedModel> Quantize(const QuantizeOptions& options);

}  // namespace openbpu::driver

#endif  // OPENBPU_COMPILER_DRIVER_QUANTIZE_H_
