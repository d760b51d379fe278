// The quantization driver: the library calls of docs/QUANTIZATION.md in order.
#include "compiler/driver/quantize.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/dataset.h"
#include "compiler/quantization/qconfig.h"
#include "compiler/quantization/qdq_import.h"

namespace openbpu::driver {
namespace {

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
  OPENBPU_ASSIGN_OR_RETURN(const quantization::QConfig qconfig,
                           quantization::GetDefaultCalibQConfig(dtype, kwargs));

  // Import: QDQ pairs leave the graph and become fixed scales.
  OPENBPU_ASSIGN_OR_RETURN(quantization::QdqImport imported,
                           quantization::ImportQdqOnnxFile(options.model));
  ir::Graph& graph = *imported.graph;
  OPENBPU_ASSIGN_OR_RETURN(const quantization::Dataset data,
                           quantization::LoadDataset(options.calibration_data, graph));

  // Fuse and place observers (PrepareOptions::fuse), then calibrate.
  quantization::QConfigMap qmap;
  qmap.SetGlobal(qconfig);
  quantization::PrepareOptions prepare;
  prepare.fixed_scales = imported.fixed_scales;
  prepare.fixed_input_scale = options.fixed_input_scale;
  OPENBPU_ASSIGN_OR_RETURN(std::unique_ptr<quantization::CalibrationState> state,
                           quantization::PrepareCalibration(graph, qmap, prepare));
  quantization::CalibrateOptions calibrate;
  calibrate.progress = options.progress;
  OPENBPU_RETURN_IF_ERROR(quantization::Calibrate(*state, data, calibrate));

  // Convert: the graph becomes the quantized graph.
  quantization::ConvertOptions convert;
  convert.march = options.march;
  OPENBPU_ASSIGN_OR_RETURN(quantization::ConvertReport report,
                           quantization::Convert(*state, convert));
  return QuantizedModel{std::move(imported.graph), std::move(report)};
}

}  // namespace openbpu::driver
