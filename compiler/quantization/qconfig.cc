// QConfig defaults, validation, per-channel weight axes and qconfig-map resolution.
#include "compiler/quantization/qconfig.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "compiler/ir/node_error.h"
#include "compiler/ir/op_registry.h"

namespace openbpu::quantization {
namespace {

bool IsPowerOfTwo(int v) { return v > 0 && (v & (v - 1)) == 0; }

// Weighted ops (a weight input in their schema): their output is an accumulator that can be
// emitted as raw qint32.
const ir::OpSchema* WeightedSchema(absl::string_view op) {
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(op);
  return schema != nullptr && schema->weight_input >= 0 ? schema : nullptr;
}

std::string WeightedOpNames() {
  std::vector<std::string> names;
  for (const std::string& name : ir::OpRegistry::Global().Names()) {
    if (WeightedSchema(name) != nullptr) names.push_back(name);
  }
  if (names.size() < 2) return absl::StrJoin(names, "");
  return absl::StrCat(absl::StrJoin(names.begin(), names.end() - 1, ", "), " and ", names.back());
}

void ApplyKwargs(const QKwargs& kwargs, FakeQuantConfig& config) {
  if (kwargs.observer.has_value()) config.observer = *kwargs.observer;
  if (kwargs.rounding.has_value()) config.rounding = *kwargs.rounding;
  if (kwargs.saturate.has_value()) config.saturate = *kwargs.saturate;
}

absl::Status RequireActivationDType(QDType dtype, absl::string_view helper) {
  if (dtype != QDType::kQInt8 && dtype != QDType::kQInt16) {
    return absl::InvalidArgumentError(absl::StrCat(helper, ": unsupported dtype ",
                                                   QDTypeName(dtype), " (allowed: qint8, qint16)"));
  }
  return absl::OkStatus();
}

FakeQuantConfig DefaultWeightConfig(QDType weight_dtype, FakeQuantKind weight_fake_quant,
                                    const QKwargs& weight_qkwargs) {
  FakeQuantConfig weight;
  // PACT learns an activation clip value; the vendor maps "pact" weights to LSQ.
  weight.kind = weight_fake_quant == FakeQuantKind::kPact ? FakeQuantKind::kLsq : weight_fake_quant;
  weight.dtype = weight_dtype;
  weight.observer = ObserverConfig::MovingAveragePerChannelMinMax(std::nullopt);
  ApplyKwargs(weight_qkwargs, weight);
  return weight;
}

}  // namespace

absl::string_view QDTypeName(QDType dtype) {
  switch (dtype) {
    case QDType::kQInt8:
      return "qint8";
    case QDType::kQInt16:
      return "qint16";
    case QDType::kQInt32:
      return "qint32";
  }
  return "?";
}

absl::StatusOr<QDType> ParseQDType(absl::string_view name) {
  if (name == "qint8") return QDType::kQInt8;
  if (name == "qint16") return QDType::kQInt16;
  if (name == "qint32") return QDType::kQInt32;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown quantized dtype '", name, "' (expected qint8, qint16 or qint32)"));
}

int64_t QMin(QDType dtype) {
  switch (dtype) {
    case QDType::kQInt8:
      return -128;
    case QDType::kQInt16:
      return -32768;
    case QDType::kQInt32:
      return INT64_C(-2147483648);
  }
  return 0;
}

int64_t QMax(QDType dtype) {
  switch (dtype) {
    case QDType::kQInt8:
      return 127;
    case QDType::kQInt16:
      return 32767;
    case QDType::kQInt32:
      return 2147483647;
  }
  return 0;
}

DType StorageDType(QDType dtype) {
  switch (dtype) {
    case QDType::kQInt8:
      return DType::kInt8;
    case QDType::kQInt16:
      return DType::kInt16;
    case QDType::kQInt32:
      return DType::kInt32;
  }
  return DType::kInvalid;
}

absl::string_view ObserverKindName(ObserverKind kind) {
  switch (kind) {
    case ObserverKind::kMinMax:
      return "MinMaxObserver";
    case ObserverKind::kMovingAverageMinMax:
      return "MovingAverageMinMaxObserver";
    case ObserverKind::kMovingAveragePerChannelMinMax:
      return "MovingAveragePerChannelMinMaxObserver";
    case ObserverKind::kPercentile:
      return "PercentileObserver";
    case ObserverKind::kMSE:
      return "MSEObserver";
    case ObserverKind::kKL:
      return "KLObserver";
    case ObserverKind::kFixedScale:
      return "FixedScaleObserver";
  }
  return "?";
}

ObserverConfig ObserverConfig::MinMax() {
  ObserverConfig c;
  c.kind = ObserverKind::kMinMax;
  return c;
}

ObserverConfig ObserverConfig::MovingAverageMinMax(double averaging_constant) {
  ObserverConfig c;
  c.kind = ObserverKind::kMovingAverageMinMax;
  c.averaging_constant = averaging_constant;
  return c;
}

ObserverConfig ObserverConfig::MovingAveragePerChannelMinMax(std::optional<int> ch_axis,
                                                             double averaging_constant) {
  ObserverConfig c;
  c.kind = ObserverKind::kMovingAveragePerChannelMinMax;
  c.ch_axis = ch_axis;
  c.averaging_constant = averaging_constant;
  return c;
}

ObserverConfig ObserverConfig::Percentile(double percentile, int bins) {
  ObserverConfig c;
  c.kind = ObserverKind::kPercentile;
  c.percentile = percentile;
  c.bins = bins;
  return c;
}

ObserverConfig ObserverConfig::MSE(int bins) {
  ObserverConfig c;
  c.kind = ObserverKind::kMSE;
  c.bins = bins;
  return c;
}

ObserverConfig ObserverConfig::KL(int bins) {
  ObserverConfig c;
  c.kind = ObserverKind::kKL;
  c.bins = bins;
  return c;
}

ObserverConfig ObserverConfig::FixedScale(float scale) {
  ObserverConfig c;
  c.kind = ObserverKind::kFixedScale;
  c.scale = scale;
  return c;
}

absl::Status ValidateObserverConfig(const ObserverConfig& config) {
  const absl::string_view name = ObserverKindName(config.kind);
  switch (config.kind) {
    case ObserverKind::kMinMax:
      break;
    case ObserverKind::kMovingAverageMinMax:
    case ObserverKind::kMovingAveragePerChannelMinMax:
      if (!(config.averaging_constant >= 0.0 && config.averaging_constant <= 1.0)) {
        return absl::InvalidArgumentError(absl::StrCat(
            name, ": averaging_constant ", config.averaging_constant, " is not in [0, 1]"));
      }
      break;
    case ObserverKind::kPercentile:
      if (!(config.percentile > 0.0 && config.percentile <= 100.0)) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": percentile ", config.percentile, " is not in (0, 100]"));
      }
      [[fallthrough]];
    case ObserverKind::kMSE:
    case ObserverKind::kKL:
      if (!IsPowerOfTwo(config.bins) || config.bins < 2 || config.bins > (1 << 20)) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": bins ", config.bins, " is not a power of two in [2, 1048576]"));
      }
      break;
    case ObserverKind::kFixedScale:
      if (!(std::isfinite(config.scale) && config.scale > 0.0f)) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": scale ", config.scale, " is not finite and > 0"));
      }
      break;
  }
  return absl::OkStatus();
}

absl::string_view FakeQuantKindName(FakeQuantKind kind) {
  switch (kind) {
    case FakeQuantKind::kFakeQuant:
      return "fake_quant";
    case FakeQuantKind::kLsq:
      return "lsq";
    case FakeQuantKind::kPact:
      return "pact";
  }
  return "?";
}

absl::StatusOr<FakeQuantKind> ParseFakeQuantKind(absl::string_view name) {
  if (name == "fake_quant") return FakeQuantKind::kFakeQuant;
  if (name == "lsq") return FakeQuantKind::kLsq;
  if (name == "pact") return FakeQuantKind::kPact;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown fake quant '", name, "' (expected fake_quant, lsq or pact)"));
}

absl::string_view RoundingName(Rounding rounding) {
  switch (rounding) {
    case Rounding::kHalfToEven:
      return "half_to_even";
    case Rounding::kBpuRound:
      return "bpu_round";
  }
  return "?";
}

absl::StatusOr<QConfig> GetDefaultQatQConfig(QDType dtype, QDType weight_dtype,
                                             FakeQuantKind activation_fake_quant,
                                             FakeQuantKind weight_fake_quant,
                                             const QKwargs& activation_qkwargs,
                                             const QKwargs& weight_qkwargs) {
  OPENBPU_RETURN_IF_ERROR(RequireActivationDType(dtype, "get_default_qat_qconfig"));
  if (weight_dtype != QDType::kQInt8 && weight_dtype != QDType::kQInt16) {
    return absl::InvalidArgumentError(
        absl::StrCat("get_default_qat_qconfig: unsupported weight dtype ", QDTypeName(weight_dtype),
                     " (allowed: qint8, qint16)"));
  }
  QConfig qconfig;
  qconfig.activation.kind = activation_fake_quant;
  qconfig.activation.dtype = dtype;
  qconfig.activation.observer = ObserverConfig::MovingAverageMinMax(0.01);
  ApplyKwargs(activation_qkwargs, qconfig.activation);
  qconfig.weight = DefaultWeightConfig(weight_dtype, weight_fake_quant, weight_qkwargs);
  return qconfig;
}

absl::StatusOr<QConfig> GetDefaultCalibQConfig(QDType dtype, const QKwargs& calib_qkwargs) {
  OPENBPU_RETURN_IF_ERROR(RequireActivationDType(dtype, "get_default_calib_qconfig"));
  QConfig qconfig;
  qconfig.activation.dtype = dtype;
  qconfig.activation.observer = ObserverConfig::Percentile(99.99, 2048);
  ApplyKwargs(calib_qkwargs, qconfig.activation);
  qconfig.weight = DefaultWeightConfig(QDType::kQInt8, FakeQuantKind::kFakeQuant, {});
  return qconfig;
}

absl::StatusOr<QConfig> GetDefaultQatOutQConfig(QDType dtype, FakeQuantKind weight_fake_quant,
                                                const QKwargs& weight_qkwargs) {
  OPENBPU_RETURN_IF_ERROR(RequireActivationDType(dtype, "get_default_qat_out_qconfig"));
  QConfig qconfig;
  qconfig.activation.dtype = QDType::kQInt32;
  qconfig.activation.observer = ObserverConfig::MinMax();  // unused: qint32 is not observed
  qconfig.weight = DefaultWeightConfig(QDType::kQInt8, weight_fake_quant, weight_qkwargs);
  return qconfig;
}

absl::Status ValidateQConfig(const ir::Node& node, const QConfig& qconfig) {
  const FakeQuantConfig& act = qconfig.activation;
  if (act.dtype == QDType::kQInt32) {
    if (WeightedSchema(node.op()) == nullptr) {
      return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                           absl::StrCat("qint32 activation (high-precision output) is only for ",
                                        WeightedOpNames()));
    }
    if (act.kind != FakeQuantKind::kFakeQuant) {
      return ir::NodeError(
          absl::StatusCode::kInvalidArgument, node,
          absl::StrCat("qint32 activation cannot use ", FakeQuantKindName(act.kind)));
    }
  } else if (absl::Status s = ValidateObserverConfig(act.observer); !s.ok()) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                         absl::StrCat("activation ", s.message()));
  }
  if (qconfig.weight.has_value()) {
    const FakeQuantConfig& w = *qconfig.weight;
    if (w.dtype != QDType::kQInt8) {
      return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                           absl::StrCat("weight dtype ", QDTypeName(w.dtype),
                                        " is not supported; weights are qint8 only"));
    }
    if (w.kind == FakeQuantKind::kPact) {
      return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                           "PACT is an activation fake quant, not for weights");
    }
    if (absl::Status s = ValidateObserverConfig(w.observer); !s.ok()) {
      return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                           absl::StrCat("weight ", s.message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> WeightChannelAxis(const ir::Node& node) {
  const ir::OpSchema* schema = WeightedSchema(node.op());
  if (schema == nullptr) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                         "op has no weight with an output-channel axis");
  }
  const int axis = schema->weight_channel_axis(node);
  if (axis >= 0) return axis;
  const ir::Value* weight = node.input(schema->weight_input);
  if (weight == nullptr || !weight->type().known() || weight->type().shape.empty()) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                         "the weight's rank is unknown or 0, so its output-channel axis is "
                         "undefined");
  }
  return static_cast<int>(weight->type().shape.size()) + axis;
}

void QConfigMap::SetOpType(const std::string& op, std::optional<QConfig> qconfig) {
  by_op_type_[op] = std::move(qconfig);
}

void QConfigMap::SetNodeName(const std::string& node_name, std::optional<QConfig> qconfig) {
  by_node_name_[node_name] = std::move(qconfig);
}

void QConfigMap::SetNodeOverride(const std::string& node_name, std::optional<QConfig> qconfig) {
  overrides_[node_name] = std::move(qconfig);
}

std::optional<QConfig> QConfigMap::Resolve(const ir::Node& node) const {
  if (auto it = overrides_.find(node.name()); it != overrides_.end()) return it->second;
  if (auto it = by_node_name_.find(node.name()); it != by_node_name_.end()) return it->second;
  if (auto it = by_op_type_.find(node.op()); it != by_op_type_.end()) return it->second;
  if (global_.has_value()) return *global_;
  return std::nullopt;
}

}  // namespace openbpu::quantization
