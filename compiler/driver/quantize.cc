// The quantization driver: the library calls of docs/QUANTIZATION.md in order.
#include "compiler/driver/quantize.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "compiler/ir/op_registry.h"
#include "compiler/march/op_table.h"
#include "compiler/passes/march_rewrites.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/dataset.h"
#include "compiler/quantization/empirical_bias.h"
#include "compiler/quantization/equalize.h"
#include "compiler/quantization/qconfig.h"
#include "compiler/quantization/qdq_import.h"
#include "compiler/quantization/select_scales.h"
#include "compiler/quantization/tune_scales.h"
#include "compiler/quantization/unify_concat.h"

namespace openbpu::driver {
namespace {

// Whether the march's op table allows `node` an int32 output (the high-precision output): its
// core op's row, and for a linear layer on bernoulli2, which has no Linear row, Conv2d's (the
// back end runs it as a 1x1 convolution; the checker reads it the same way).
bool AllowsInt32Output(const ir::Node& node, march::March march) {
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node.op());
  const std::string op =
      schema != nullptr && !schema->table_op.empty() ? schema->table_op : node.op();
  const bool linear = op == "Gemm" || op == "FusedLinear";
  const march::OpTableEntry* row = linear && march == march::March::kBernoulli2
                                       ? march::FindByVendorName("torch.nn.Conv2d")
                                       : march::FindPrimary(op);
  if (row == nullptr || row->For(march).supported != march::Supported::kYes) return false;
  const std::vector<DType>& out = row->For(march).output_dtypes;
  return std::find(out.begin(), out.end(), DType::kInt32) != out.end();
}

// The activation observer named `name`; nullopt for the default calibration qconfig's.
absl::StatusOr<std::optional<quantization::ObserverConfig>> ActivationObserver(
    const std::string& name) {
  if (name == "percentile") return std::nullopt;
  if (name == "minmax") return quantization::ObserverConfig::MinMax();
  if (name == "mse") return quantization::ObserverConfig::MSE();
  if (name == "kl") return quantization::ObserverConfig::KL();
  return absl::InvalidArgumentError(
      absl::StrCat("unknown observer '", name, "' (percentile, minmax, mse or kl)"));
}

}  // namespace

absl::StatusOr<QuantizedModel> Quantize(const QuantizeOptions& options) {
  OPENBPU_ASSIGN_OR_RETURN(const quantization::QDType dtype,
                           quantization::ParseQDType(options.dtype));
  quantization::QKwargs kwargs;
  OPENBPU_ASSIGN_OR_RETURN(kwargs.observer, ActivationObserver(options.observer));
  const bool select_observer = options.select_observer.value_or(options.observer != "minmax");
  if (select_observer && options.observer == "minmax") {
    return absl::InvalidArgumentError(
        "per-layer observer selection takes its candidates from a histogram: use it with the "
        "percentile, mse or kl observer, not minmax");
  }
  OPENBPU_ASSIGN_OR_RETURN(const quantization::QConfig qconfig,
                           quantization::GetDefaultCalibQConfig(dtype, kwargs));

  // Import: QDQ pairs leave the graph and become fixed scales.
  OPENBPU_ASSIGN_OR_RETURN(quantization::QdqImport imported,
                           quantization::ImportQdqOnnxFile(options.model));
  ir::Graph& graph = *imported.graph;
  // Patterns the march runs only in another form (march_rewrites.h): channel shuffle, big pools.
  OPENBPU_ASSIGN_OR_RETURN(const march::March march_id, march::ParseMarch(options.march));
  OPENBPU_ASSIGN_OR_RETURN(std::vector<std::string> rewrites,
                           passes::RewriteForMarch(graph, march_id));
  const bool calibrate_data = !options.calibration_data.empty();
  if (!calibrate_data && imported.fixed_scales.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        options.model,
        " is a float model (no QuantizeLinear/DequantizeLinear pairs): quantizing it needs "
        "calibration data, a .npy file or a directory of .npy samples of its input (bpu "
        "compile/quantize --calib DIR; docs/QUANTIZATION.md)"));
  }
  const bool empirical_bias = options.empirical_bias_correction.value_or(!options.bias_correction);
  if (empirical_bias && options.bias_correction) {
    return absl::InvalidArgumentError(
        "empirical bias correction already removes the shift weight rounding causes: use it or "
        "bias_correction (--bias-correction), not both");
  }
  quantization::Dataset data;
  if (calibrate_data) {
    absl::StatusOr<quantization::Dataset> loaded =
        quantization::LoadDataset(options.calibration_data, graph);
    if (!loaded.ok()) return loaded.status();
    data = *std::move(loaded);
  }

  // Fuse and place observers (PrepareOptions::fuse), then calibrate.
  quantization::QConfigMap qmap;
  qmap.SetGlobal(qconfig);
  if (!options.int16_ops.empty()) {
    OPENBPU_ASSIGN_OR_RETURN(
        const quantization::QConfig int16,
        quantization::GetDefaultCalibQConfig(quantization::QDType::kQInt16, kwargs));
    for (const std::string& op : options.int16_ops) {
      const ir::OpSchema* schema = ir::OpRegistry::Global().Find(op);
      if (schema == nullptr || schema->qkind == ir::QuantKind::kNone) {
        return absl::InvalidArgumentError(
            absl::StrCat("int16 op type '", op, "' is ",
                         schema == nullptr ? "not an op" : "not quantized (no integer kernel)",
                         " (bpu ops lists the op types)"));
      }
      qmap.SetOpType(op, int16);
    }
  }
  // Hybrid: null qconfig rules leave nodes in float (after the int16 rules, so they win).
  if (options.hybrid) {
    for (const std::string& op : ir::OpRegistry::Global().Names()) {
      const ir::OpSchema* schema = ir::OpRegistry::Global().Find(op);
      const std::string table_op = schema->table_op.empty() ? op : schema->table_op;
      if (table_op == "Gemm" || table_op == "FusedLinear") continue;  // runs as a 1x1 conv
      const march::OpTableEntry* row = march::FindPrimary(table_op);
      if (row != nullptr && row->For(march_id).supported == march::Supported::kNo) {
        qmap.SetOpType(op, std::nullopt);
      }
    }
  }
  for (const std::string& op : options.hybrid_ops) {
    if (ir::OpRegistry::Global().Find(op) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("hybrid op type '", op, "' is not an op (bpu ops lists the op types)"));
    }
    qmap.SetOpType(op, std::nullopt);
  }
  for (const std::string& name : options.hybrid_nodes) qmap.SetNodeName(name, std::nullopt);
  if (options.equalize) {
    OPENBPU_ASSIGN_OR_RETURN(const int pairs, quantization::EqualizeCrossLayer(graph));
    if (options.progress != nullptr && pairs > 0) {
      std::fprintf(options.progress, "equalize: %d conv pairs\n", pairs);
    }
  }
  quantization::PrepareOptions prepare;
  prepare.fixed_scales = imported.fixed_scales;
  prepare.fixed_input_scale = options.fixed_input_scale;
  prepare.high_precision_output = options.high_precision_output;
  // Only where the march's op table allows an int32 output (bayes: Conv2d, Linear, matmul;
  // bernoulli2's Conv2d cell names int8 output only).
  prepare.high_precision_output_allowed = [march_id](const ir::Node& node) {
    return AllowsInt32Output(node, march_id);
  };
  // The empirical correction measures with nearest weights; learned rounding's change from them
  // is then corrected analytically (ConvertOptions::bias_correction_from_nearest), which needs the
  // calibration's input means.
  const bool from_nearest = empirical_bias && calibrate_data && options.adaround;
  prepare.bias_correction = options.bias_correction || from_nearest;
  if (options.adaround) {
    quantization::PatchSampling sampling;
    sampling.seed = options.adaround_seed;
    prepare.adaround = sampling;
  }
  OPENBPU_ASSIGN_OR_RETURN(std::unique_ptr<quantization::CalibrationState> state,
                           quantization::PrepareCalibration(graph, qmap, prepare));
  for (const std::string& name : options.hybrid_nodes) {
    if (graph.FindNode(name) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "hybrid node '", name, "' is not a node of ", options.model,
          " (after fusion a fused node keeps its core's name; bpu dump lists the nodes)"));
    }
  }
  if (calibrate_data) {
    quantization::CalibrateOptions calibrate;
    calibrate.progress = options.progress;
    calibrate.jobs = options.jobs;
    OPENBPU_RETURN_IF_ERROR(quantization::Calibrate(*state, data, calibrate));
    if (select_observer) {
      quantization::SelectOptions select;
      select.progress = options.progress;
      OPENBPU_ASSIGN_OR_RETURN(const quantization::SelectReport selected,
                               quantization::SelectActivationScales(*state, data, select));
      if (options.progress != nullptr) {
        std::fprintf(options.progress, "%s\n", selected.ToString().c_str());
      }
      if (options.tune_scales) {
        quantization::TuneOptions tune;
        tune.progress = options.progress;
        OPENBPU_ASSIGN_OR_RETURN(const quantization::TuneReport tuned,
                                 quantization::TuneActivationScales(*state, data, selected, tune));
        if (options.progress != nullptr) {
          std::fprintf(options.progress, "%s\n", tuned.ToString().c_str());
        }
      }
    }
    if (empirical_bias) {
      quantization::EmpiricalBiasOptions ebc;
      ebc.progress = options.progress;
      if (options.unify_concat_scales) {
        OPENBPU_ASSIGN_OR_RETURN(ebc.scale_overrides,
                                 quantization::UnifiedConcatScales(graph, *state));
      }
      OPENBPU_ASSIGN_OR_RETURN(const quantization::EmpiricalBiasReport corrected,
                               quantization::CorrectBiasesEmpirically(graph, *state, data, ebc));
      if (options.progress != nullptr) {
        std::fprintf(options.progress, "%s\n", corrected.ToString().c_str());
      }
    }
  } else {
    // A QDQ model without calibration data: every observed activation needs its own scale.
    std::vector<std::string> missing;
    for (const auto& [name, entry] : state->activations()) {
      if (entry.observer == nullptr || entry.fixed.has_value()) continue;
      // An exact op's output (Identity, MaxPool, Reshape...) takes its input's scale.
      const ir::Value* v = graph.FindValue(name);
      const ir::Node* producer = v == nullptr ? nullptr : v->producer();
      const ir::OpSchema* schema =
          producer == nullptr ? nullptr : ir::OpRegistry::Global().Find(producer->op());
      if (schema != nullptr && schema->qinherit_input >= 0) continue;
      missing.push_back(name);
    }
    if (!missing.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          options.model, ": ", missing.size(),
          " activation value(s) have no QuantizeLinear/DequantizeLinear scale (first '",
          missing.front(),
          "'): give calibration data (--calib DIR) or export the model with a Q/DQ pair on "
          "every activation"));
    }
  }

  // Convert: the graph becomes the quantized graph.
  quantization::ConvertOptions convert;
  convert.march = options.march;
  convert.unify_concat_scales = options.unify_concat_scales;
  convert.bias_correction = options.bias_correction || from_nearest;
  convert.bias_correction_from_nearest = from_nearest;
  convert.adaround = options.adaround;
  convert.adaround_progress = options.progress;
  OPENBPU_ASSIGN_OR_RETURN(quantization::ConvertReport report,
                           quantization::Convert(*state, convert));
  return QuantizedModel{std::move(imported.graph), std::move(report), std::move(rewrites)};
}

}  // namespace openbpu::driver
