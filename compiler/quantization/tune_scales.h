// Whole-model choice among activation-scale assignments (docs/QUANTIZATION.md "Output-driven
// choice"). Per-layer selection judges each activation by its consumers' output alone, which
// favours tight, clipping scales: their error is least one layer on, but clipping errs the same
// way at every position and survives the averaging that thins rounding noise downstream. Which
// of the two matters more depends on the network (min-max alone beats the per-layer choice on
// efficientnet_v2_s, loses on resnet18). TuneActivationScales settles it per model: it derives
// several assignments from the selection's scored candidates (the least error; the widest within
// a tolerance of it; each method everywhere), runs the fake-quantized model under each on
// calibration samples and keeps the one whose output is nearest the float model's.
#ifndef OPENBPU_COMPILER_QUANTIZATION_TUNE_SCALES_H_
#define OPENBPU_COMPILER_QUANTIZATION_TUNE_SCALES_H_

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/dataset.h"
#include "compiler/quantization/select_scales.h"

namespace openbpu::quantization {

struct TuneOptions {
  // The last this many samples of the dataset judge the assignments (all when fewer): the
  // selection judged on the first ones.
  int max_samples = 16;
  // The "wider" assignments: per activation the widest candidate whose error is within
  // (1 + t) times the least.
  std::vector<double> tolerances = {0.25, 1.0};
  // Also each method everywhere (where the value has that candidate; elsewhere the least error).
  std::vector<std::string> methods = {"minmax", "percentile", "mse", "kl"};
  std::FILE* progress = stderr;  // `tune: 3/7 assignments ...`; null for silence
};

struct TuneReport {
  int samples = 0;
  // Assignment name ("selected", "wider-0.25", "minmax", ...) -> the fake-quantized model's output
  // SQNR (dB) over the samples, in the order judged.
  std::vector<std::pair<std::string, double>> sqnr_db;
  std::string chosen;
  // "tune: output SQNR over 8 calibration samples: selected 21.40 dB, wider-0.25 21.9, ...;
  // keeps wider-0.25"
  std::string ToString() const;
};

// Re-chooses the selected scales (ActivationEntry::selected_scale) of the activations `selected`
// scored as the assignment judged best; "selected" (SelectActivationScales' own choice) is judged
// first and kept on ties. Deterministic. Requires a calibrated state and `selected` from it.
absl::StatusOr<TuneReport> TuneActivationScales(CalibrationState& state, const Dataset& dataset,
                                                const SelectReport& selected,
                                                const TuneOptions& options = {});

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_TUNE_SCALES_H_
