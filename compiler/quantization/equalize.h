// Cross-layer equalization (Nagel et al., "Data-free quantization through weight equalization and
// bias correction", section 4.1), on the float graph before fusion: for each pair of
// convolutions joined through a ReLU, Conv1 -> Relu -> Conv2, with nothing else reading between
// them, channel c of the intermediate is divided by s_c in Conv1 (its weights and bias) and
// multiplied back in Conv2's input channel c. ReLU(x / s) = ReLU(x) / s for s > 0, so the float
// model's outputs do not change (up to float rounding). s_c = sqrt(r1_c / r2_c), with r1_c the
// largest |weight| of Conv1's output channel c and r2_c that of Conv2's input channel c, equalizes
// the two ranges; it also evens out the intermediate's channel ranges, which share one
// per-tensor activation scale.
#ifndef OPENBPU_COMPILER_QUANTIZATION_EQUALIZE_H_
#define OPENBPU_COMPILER_QUANTIZATION_EQUALIZE_H_

#include "absl/status/statusor.h"
#include "compiler/ir/graph.h"

namespace openbpu::quantization {

// Equalizes every such pair of `graph` (float, unfused; weights and biases constants used by
// their convolution only). Conv2 may be grouped only as a depthwise convolution (one input
// channel per group). Returns how many pairs were equalized.
absl::StatusOr<int> EqualizeCrossLayer(ir::Graph& graph);

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_EQUALIZE_H_
