// Per-layer choice of the calibration method (docs/QUANTIZATION.md "Per-layer selection"): after
// calibration, every activation observed by a histogram observer gets the scale, among those the
// min-max, percentile (99.99 %), MSE and KL methods derive from its histogram, that gives its
// consumers' quantized outputs the least relative squared error on calibration samples.
#ifndef OPENBPU_COMPILER_QUANTIZATION_SELECT_SCALES_H_
#define OPENBPU_COMPILER_QUANTIZATION_SELECT_SCALES_H_

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/dataset.h"

namespace openbpu::quantization {

struct SelectOptions {
  // The first this many samples of the dataset judge the candidates (all when fewer).
  int max_samples = 8;
  // 0: the least error wins. Above 0: the widest candidate whose error is within this fraction
  // of the least wins (clipping errs systematically and may compound downstream where rounding
  // noise does not). Not the default: on the PTQ sweep's models 1.0 took efficientnet_v2_s from
  // 9.20 to 11.09 dB (selection alone) but resnet18 from 27.47 to 26.16 and yolo_tiny from 33.45
  // to 32.28 (docs/QUANTIZATION.md).
  double wider_tolerance = 0.0;
  // Progress line `select: 3/8 samples ...`; null for silence.
  std::FILE* progress = stderr;
};

// One candidate scale of an activation and its error (the sum over consumers of relative squared
// errors; lower is better).
struct ScoredScale {
  std::string method;  // "minmax", "percentile", "mse", "kl"
  float scale = 0.0f;
  double error = 0.0;
};

struct SelectReport {
  int values = 0;                        // activations that got a selected scale
  std::map<std::string, int> by_method;  // "minmax", "percentile", "mse", "kl" -> count
  int samples = 0;                       // samples judged on
  // Activation name -> its candidates, equal scales judged once (TuneActivationScales
  // re-chooses from these).
  std::map<std::string, std::vector<ScoredScale>> scores;
  // "select: 70 activations over 8 samples: mse 41, kl 12, percentile 9, minmax 8"
  std::string ToString() const;
};

// For each activation with a histogram observer (percentile, MSE or KL), no fixed scale and a
// nonzero histogram: the candidates are the scales of the four methods (equal ones judged once,
// the observer's own method first, so it keeps ties). A candidate's error is, summed over the
// value's consumers c, |c(fq(x)) - c(x)|^2 / |c(x)|^2 over the samples, where c runs its float
// kernel with the value fake-quantized to the candidate, its weight fake-quantized per channel to
// the weight observer's scales and its other inputs float; a value no node consumes is judged on
// itself. The least error wins (ActivationEntry::selected_scale). Deterministic: the same state and
// dataset give the same choices. Requires a calibrated state.
absl::StatusOr<SelectReport> SelectActivationScales(CalibrationState& state, const Dataset& dataset,
                                                    const SelectOptions& options = {});

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_SELECT_SCALES_H_
