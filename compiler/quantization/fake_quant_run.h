// The graph run with fake quantization at every quantized value: the float kernels, each
// activation rounded to its int8/int16 grid as it is produced and each weight replaced by its
// fake-quantized copy. A cheap stand-in for the converted model (no integer requantization, no
// lookup tables), used to judge whole-model choices on calibration data (tune_scales.h).
#ifndef OPENBPU_COMPILER_QUANTIZATION_FAKE_QUANT_RUN_H_
#define OPENBPU_COMPILER_QUANTIZATION_FAKE_QUANT_RUN_H_

#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/tensor.h"
#include "compiler/ir/graph.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/fake_quant.h"

namespace openbpu::quantization {

struct FakeQuantPlan {
  // Activation (graph input or node output) -> how it is fake-quantized; others stay float.
  absl::flat_hash_map<const ir::Value*, FakeQuantParams> activations;
  // Constant weight -> the tensor that replaces it.
  absl::flat_hash_map<const ir::Value*, Tensor> weights;
};

// How convert's scales fake-quantize each activation: an int8/int16 value takes its calibrated (or
// selected) per-tensor scale, or `overrides`' by value name (the unified concat scales); the output
// of an op that inherits its input's quantization (MaxPool, Reshape, Flatten...: qinherit_input)
// takes that input's, as convert gives it.
absl::flat_hash_map<const ir::Value*, FakeQuantParams> ActivationFakeQuant(
    const CalibrationState& state, const std::map<std::string, float>& overrides = {});

// Each quantized weight of `state` fake-quantized per channel to nearest, with the scales convert
// gives it (fixed or the weight observer's).
absl::StatusOr<absl::flat_hash_map<const ir::Value*, Tensor>> FakeQuantizedWeights(
    const CalibrationState& state);

// Runs the graph on `inputs` under `plan` and returns its outputs in order. Values are freed
// once their last reader ran.
absl::StatusOr<std::vector<Tensor>> RunFakeQuantized(const ir::Graph& graph,
                                                     absl::Span<const Tensor> inputs,
                                                     const FakeQuantPlan& plan);

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_FAKE_QUANT_RUN_H_
