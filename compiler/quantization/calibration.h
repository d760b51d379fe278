// Prepare-for-calibration and calibration (the vendor's prepare_calibration + forward passes):
// observers on every value a quantized node produces or consumes, per-channel weight observers,
// fed by the float reference interpreter over a Dataset. docs/NUMERICS.md "Calibration".
#ifndef OPENBPU_COMPILER_QUANTIZATION_CALIBRATION_H_
#define OPENBPU_COMPILER_QUANTIZATION_CALIBRATION_H_

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "compiler/ir/graph.h"
#include "compiler/quantization/adaround.h"
#include "compiler/quantization/dataset.h"
#include "compiler/quantization/observer.h"
#include "compiler/quantization/qconfig.h"

namespace openbpu::quantization {

// A scale fixed before calibration (a QDQ pair of an imported QAT model, or the fixed input
// scale option): calibration still observes the value but never changes these.
struct FixedQuant {
  QDType dtype = QDType::kQInt8;
  std::vector<float> scales;  // one, or one per channel along axis
  int axis = -1;
};

struct PrepareOptions {
  // Run FuseFx first (conv/linear + bn + add + relu), so observers sit on the fused graph's values.
  bool fuse = true;
  // The vendor's fixed input scale (1/128 for data normalized to [-1, 1]): every graph input that
  // feeds a quantized node gets this scale instead of a calibrated one. Never the default.
  std::optional<float> fixed_input_scale;
  // Value name -> fixed scale (from StripQdq). Constant values here are weights whose scales
  // replace the weight observer.
  std::map<std::string, FixedQuant> fixed_scales;
  // Bias correction (ConvertOptions::bias_correction): also record, over the calibration data,
  // the per-channel mean of every convolution's input.
  bool bias_correction = false;
  // Learned rounding (ConvertOptions::adaround): also sample, over the calibration data, receptive
  // fields of every 2-D convolution's input (AdaRoundable), as `adaround` says.
  std::optional<PatchSampling> adaround;
  // The vendor's high-precision output (get_default_qat_out_qconfig on the last layers): after
  // fusion, each quantized weighted node (Conv, FusedConv, Gemm, FusedLinear, MatMul...) whose
  // output is a graph output read by no node gets the qint32 "out" qconfig
  // (GetDefaultQatOutQConfig) as a per-node override, so its raw accumulator is the output --
  // unless a node-name rule or override of the qconfig map names the node, or its output has a
  // fixed scale (a QDQ pair): there the user decided.
  bool high_precision_output = false;
  // When set, only the nodes it accepts get it (the driver: where the march's op table allows an
  // int32 output).
  std::function<bool(const ir::Node&)> high_precision_output_allowed;
};

// What PrepareCalibration decided for one activation value.
struct ActivationEntry {
  QDType dtype = QDType::kQInt8;
  ObserverConfig observer_config;
  std::unique_ptr<Observer> observer;  // null for qint32 (accumulator outputs are not observed)
  std::optional<FixedQuant> fixed;
  // Per-layer selection (SelectActivationScales): the scale chosen among the observers'
  // candidates, used instead of the observer's own, and the method that gave it ("mse", ...).
  std::optional<float> selected_scale;
  std::string selected_by;
};

struct WeightEntry {
  int axis = 0;  // output-channel axis of the weight
  std::unique_ptr<Observer> observer;
  std::optional<FixedQuant> fixed;
};

// The graph (owned by the caller, fused by PrepareCalibration) and its observers.
class CalibrationState {
 public:
  CalibrationState(ir::Graph* graph, QConfigMap qconfig_map)
      : graph_(graph), qconfig_map_(std::move(qconfig_map)) {}

  ir::Graph& graph() const { return *graph_; }
  const QConfigMap& qconfig_map() const { return qconfig_map_; }

  // Activation value name -> entry; weight (constant) value name -> entry.
  std::map<std::string, ActivationEntry>& activations() { return activations_; }
  const std::map<std::string, ActivationEntry>& activations() const { return activations_; }
  std::map<std::string, WeightEntry>& weights() { return weights_; }
  const std::map<std::string, WeightEntry>& weights() const { return weights_; }
  int samples_seen() const { return samples_seen_; }

  // The scales a value gets: fixed ones, else the observer's. qint32 values have none here.
  absl::StatusOr<std::vector<float>> ActivationScales(const std::string& value) const;

  // Runs the float interpreter on one sample and feeds every activation observer.
  absl::Status ObserveSample(absl::Span<const Tensor> sample);
  // The two halves of ObserveSample: the float run (reads the graph only, so runs of several
  // samples may go on concurrently) and feeding its values to the observers.
  absl::StatusOr<std::map<std::string, Tensor>> RunSample(absl::Span<const Tensor> sample) const;
  absl::Status ObserveValues(const std::map<std::string, Tensor>& values);

  // Bias correction: record the per-channel (axis 1) mean of `value` from now on.
  void TrackChannelMean(const std::string& value) { channel_sums_[value]; }
  // Its mean per channel over the samples seen; nullopt when it is not tracked or saw nothing.
  std::optional<std::vector<double>> ChannelMean(const std::string& value) const;

  // Learned rounding: sample receptive fields of convolution `node`'s input from now on.
  void TrackPatches(const std::string& node, const PatchSampling& sampling) {
    patch_sampling_ = sampling;
    patches_[node];
  }
  // The patches sampled for `node`; null when it is not tracked.
  const PatchSet* Patches(const std::string& node) const {
    auto it = patches_.find(node);
    return it == patches_.end() ? nullptr : &it->second;
  }

 private:
  ir::Graph* graph_;
  QConfigMap qconfig_map_;
  std::map<std::string, ActivationEntry> activations_;
  std::map<std::string, WeightEntry> weights_;
  int samples_seen_ = 0;
  struct ChannelSums {
    std::vector<double> sum;
    int64_t count = 0;  // elements per channel
  };
  std::map<std::string, ChannelSums> channel_sums_;
  PatchSampling patch_sampling_;
  std::map<std::string, PatchSet> patches_;  // node name -> its input's receptive fields
};

// A node is quantized when its qconfig is not null, its op has integer semantics (qkind != kNone)
// and it has a float32 output or a non-constant float32 input (ArgMax, comparisons).
bool IsQuantizable(const ir::Node& node, const std::optional<QConfig>& qconfig);

// The weight input (OpSchema::weight_input: Conv/FusedConv/ConvTranspose/Gemm/FusedLinear/MatMul)
// when it is a float32 constant: the input quantized per channel as a weight. Else null.
const ir::Value* ConstantWeight(const ir::Node& node);

// Fuses (options.fuse), validates every quantized node's qconfig (ValidateQConfig) and attaches
// observers. `graph` must have inferred types and stays owned by the caller; it must outlive the
// state.
absl::StatusOr<std::unique_ptr<CalibrationState>> PrepareCalibration(
    ir::Graph& graph, const QConfigMap& qconfig_map, const PrepareOptions& options = {});

struct CalibrateOptions {
  // Progress line `calibrate: 12/32 samples ...` (rewritten with \r, a newline at the end);
  // null for silence.
  std::FILE* progress = stderr;
  // Float runs of this many samples at once, each on its own thread; the observers then see
  // them one by one in sample order, so the scales (and every byte downstream) do not depend on
  // it. 1: no threads.
  int jobs = 1;
};

// Feeds every sample, in dataset order, to the observers. Deterministic: the same dataset gives
// bit-identical scales on every run.
absl::Status Calibrate(CalibrationState& state, const Dataset& dataset,
                       const CalibrateOptions& options = {});

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_CALIBRATION_H_
