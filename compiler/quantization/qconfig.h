// Quantization settings (the vendor's QConfig, get_default_*_qconfig and qconfig_dict): which
// dtype, observer, fake-quant kind and rounding each node's activation and weight use.
#ifndef OPENBPU_COMPILER_QUANTIZATION_QCONFIG_H_
#define OPENBPU_COMPILER_QUANTIZATION_QCONFIG_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/dtype.h"
#include "compiler/ir/graph.h"

namespace openbpu::quantization {

// Symmetric quantized types (zero point 0). qint32 is only the raw accumulator output of a final
// conv/linear (the "out" qconfig); it is never observed or fake-quantized.
enum class QDType { kQInt8, kQInt16, kQInt32 };

absl::string_view QDTypeName(QDType dtype);  // "qint8", "qint16", "qint32"
absl::StatusOr<QDType> ParseQDType(absl::string_view name);
int64_t QMin(QDType dtype);
int64_t QMax(QDType dtype);
DType StorageDType(QDType dtype);  // kInt8, kInt16, kInt32

enum class ObserverKind {
  kMinMax,
  kMovingAverageMinMax,
  kMovingAveragePerChannelMinMax,
  kPercentile,
  kMSE,
  kKL,
  kFixedScale,
};

// The vendor's class name, e.g. "MovingAverageMinMaxObserver".
absl::string_view ObserverKindName(ObserverKind kind);

// An observer and its arguments (docs/NUMERICS.md "Observers"). Fields a kind does not use are
// ignored; build one with the named constructors.
struct ObserverConfig {
  ObserverKind kind = ObserverKind::kMovingAverageMinMax;
  // MovingAverage*: m <- m + c * (batch - m) after the first batch.
  double averaging_constant = 0.01;
  // MovingAveragePerChannelMinMax: the channel axis. Unset means "the node's weight output-channel
  // axis" (WeightChannelAxis), which is what the weight qconfigs use.
  std::optional<int> ch_axis;
  // Percentile: the percentage of |x| kept inside the range.
  double percentile = 99.99;
  // Percentile, MSE, KL: histogram bins over [0, amax]; a power of two.
  int bins = 2048;
  // FixedScale: the scale returned whatever is observed.
  float scale = 1.0f / 128.0f;

  static ObserverConfig MinMax();
  static ObserverConfig MovingAverageMinMax(double averaging_constant = 0.01);
  static ObserverConfig MovingAveragePerChannelMinMax(std::optional<int> ch_axis = 0,
                                                      double averaging_constant = 0.01);
  static ObserverConfig Percentile(double percentile = 99.99, int bins = 2048);
  static ObserverConfig MSE(int bins = 2048);
  static ObserverConfig KL(int bins = 2048);
  static ObserverConfig FixedScale(float scale);
};

// Argument ranges: averaging_constant in [0, 1], percentile in (0, 100], bins a power of two in
// [2, 2^20], fixed scale finite and > 0.
absl::Status ValidateObserverConfig(const ObserverConfig& config);

// fake_quant: plain FakeQuantize; lsq: learnable scale (Esser et al.); pact: learnable clip
// value (Choi et al.).
enum class FakeQuantKind { kFakeQuant, kLsq, kPact };
absl::string_view FakeQuantKindName(FakeQuantKind kind);  // "fake_quant", "lsq", "pact"
absl::StatusOr<FakeQuantKind> ParseFakeQuantKind(absl::string_view name);

// How x * (1 / scale) becomes an integer (docs/NUMERICS.md "Fake quantization").
enum class Rounding {
  kHalfToEven,  // torch.round / nearbyint: the default
  kBpuRound,    // exact round half up, the legacy "BPU round"
};
absl::string_view RoundingName(Rounding rounding);  // "half_to_even", "bpu_round"

struct FakeQuantConfig {
  FakeQuantKind kind = FakeQuantKind::kFakeQuant;
  QDType dtype = QDType::kQInt8;
  ObserverConfig observer;
  Rounding rounding = Rounding::kHalfToEven;
  // Zero the gradient of values that quantize outside [qmin, qmax] (what torch always does).
  bool saturate = true;
};

struct QConfig {
  FakeQuantConfig activation;
  // Absent: the node's weights (if any) are not quantized by this qconfig.
  std::optional<FakeQuantConfig> weight;
};

// The vendor's *_qkwargs: overrides applied on top of a default fake-quant config.
struct QKwargs {
  std::optional<ObserverConfig> observer;
  std::optional<Rounding> rounding;
  std::optional<bool> saturate;
};

// QAT: activations FakeQuantize + MovingAverageMinMaxObserver(0.01) per tensor, weights
// FakeQuantize + MovingAveragePerChannelMinMaxObserver on the output-channel axis. As in the
// vendor's table, weight_fake_quant = pact gives LSQ weights (PACT clips activations only).
// dtype: qint8 or qint16; weight_dtype is accepted as qint8 or qint16 here and rejected per node
// by ValidateQConfig unless qint8.
absl::StatusOr<QConfig> GetDefaultQatQConfig(
    QDType dtype = QDType::kQInt8, QDType weight_dtype = QDType::kQInt8,
    FakeQuantKind activation_fake_quant = FakeQuantKind::kFakeQuant,
    FakeQuantKind weight_fake_quant = FakeQuantKind::kFakeQuant,
    const QKwargs& activation_qkwargs = {}, const QKwargs& weight_qkwargs = {});

// Calibration: activations PercentileObserver(99.99 %, 2048 bins) per tensor (the vendor's
// CalibObserver defaults), weights per-channel min/max of the constant weight.
absl::StatusOr<QConfig> GetDefaultCalibQConfig(QDType dtype = QDType::kQInt8,
                                               const QKwargs& calib_qkwargs = {});

// High-precision output of a final conv/linear: the activation is the raw qint32 accumulator
// (scale s_in * s_w[c], not observed), weights as in the QAT qconfig. `dtype` (qint8 or qint16)
// is validated but, as in the vendor's helper, does not change the result.
absl::StatusOr<QConfig> GetDefaultQatOutQConfig(
    QDType dtype = QDType::kQInt8, FakeQuantKind weight_fake_quant = FakeQuantKind::kFakeQuant,
    const QKwargs& weight_qkwargs = {});

// Per-node checks: weights are qint8 only (the vendor's quantized conv accepts nothing else);
// a qint32 activation only on an op with an accumulator output; LSQ/PACT not on qint32; valid
// observer arguments. Errors are InvalidArgument naming the node.
absl::Status ValidateQConfig(const ir::Node& node, const QConfig& qconfig);

// The axis of the node's weight that indexes output channels, for per-channel weight scales, as
// its op's schema says (OpSchema::weight_input, weight_channel_axis): Conv/FusedConv 0;
// ConvTranspose 1 (with group > 1 each group's block of input channels shares that axis: output
// channel g * (C_out / group) + j is column j of input-channel block g); Gemm 0 if transB = 1 else
// 1; FusedLinear 0 (torch Linear layout [out, in]); MatMul the last axis of the weight (its rank
// must be known). Ops without a weight: InvalidArgument.
absl::StatusOr<int> WeightChannelAxis(const ir::Node& node);

// The vendor's qconfig_dict. Priority, lowest to highest: global (""), op type, node name,
// per-node override (the vendor's module.qconfig). A rule may hold an explicit null (nullopt):
// the node stays in float (the vendor's hybrid mode; such nodes run on the CPU).
class QConfigMap {
 public:
  void SetGlobal(std::optional<QConfig> qconfig) { global_.emplace(std::move(qconfig)); }
  void SetOpType(const std::string& op, std::optional<QConfig> qconfig);
  void SetNodeName(const std::string& node_name, std::optional<QConfig> qconfig);
  void SetNodeOverride(const std::string& node_name, std::optional<QConfig> qconfig);

  // The highest-priority rule matching the node (exact op type, exact node name; a fused node's
  // op, e.g. FusedConv, is its own type). nullopt when that rule is null or no rule matches:
  // leave the node in float.
  std::optional<QConfig> Resolve(const ir::Node& node) const;
  // Whether a node-name rule or a per-node override names `node_name`.
  bool NamesNode(const std::string& node_name) const {
    return by_node_name_.contains(node_name) || overrides_.contains(node_name);
  }

 private:
  // Outer optional: a global rule exists; inner: its qconfig or null.
  std::optional<std::optional<QConfig>> global_;
  absl::flat_hash_map<std::string, std::optional<QConfig>> by_op_type_;
  absl::flat_hash_map<std::string, std::optional<QConfig>> by_node_name_;
  absl::flat_hash_map<std::string, std::optional<QConfig>> overrides_;
};

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_QCONFIG_H_
