// Layer normalization over the trailing dimensions (ONNX LayerNormalization-17).
#ifndef OPENBPU_COMMON_KERNELS_LAYER_NORM_H_
#define OPENBPU_COMMON_KERNELS_LAYER_NORM_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "common/attribute.h"
#include "common/tensor.h"

namespace openbpu::kernels {

// x and y are [outer, size]; each row is normalized:
// y = (x - mean) / sqrt(var + epsilon) * scale[i] + bias[i] with the population
// variance. scale and bias have `size` elements (bias may be null). mean and
// inv_std_dev (each `outer` elements) are written when not null.
void LayerNorm(const float* x, int64_t outer, int64_t size, const float* scale, const float* bias,
               float epsilon, float* y, float* mean, float* inv_std_dev);

struct LayerNormPlan {
  int axis = 0;
  Shape normalized;  // X's dims from axis on
  Shape stats;       // shape of Mean / InvStdDev
};

// LayerNormalization's attribute `axis` (default -1) on X; Scale and B (null when omitted)
// broadcast unidirectionally to the normalized dims (norm_ops.cc; shared with the op schema's
// shape inference and the integer kernel).
absl::StatusOr<LayerNormPlan> PlanLayerNorm(const AttributeMap& attrs, const Shape& x,
                                            const Shape* scale, const Shape* bias);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_LAYER_NORM_H_
