// Unified concat scales (ConvertOptions::unify_concat_scales; the seed's
// optimize_graph(unify_inputs_scale)): the scale each value of a quantized Concat's group takes.
#ifndef OPENBPU_COMPILER_QUANTIZATION_UNIFY_CONCAT_H_
#define OPENBPU_COMPILER_QUANTIZATION_UNIFY_CONCAT_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "compiler/ir/graph.h"
#include "compiler/quantization/calibration.h"

namespace openbpu::quantization {

// Groups the activation inputs and outputs of quantized Concats (union-find over shared values,
// through producers that inherit their input's scale) and gives each group the widest of its
// members' calibrated per-tensor scales: value name -> that scale. `concats`, when given, counts
// the Concats grouped.
absl::StatusOr<std::map<std::string, float>> UnifiedConcatScales(const ir::Graph& graph,
                                                                 const CalibrationState& state,
                                                                 int* concats = nullptr);

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_UNIFY_CONCAT_H_
