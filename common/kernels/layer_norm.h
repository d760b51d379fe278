// Layer normalization over the trailing dimensions (ONNX LayerNormalization-17).
#ifndef OPENBPU_COMMON_KERNELS_LAYER_NORM_H_
#define OPENBPU_COMMON_KERNELS_LAYER_NORM_H_

#include <cstdint>

namespace openbpu::kernels {

// x and y are [outer, size]; each row is normalized:
// y = (x - mean) / sqrt(var + epsilon) * scale[i] + bias[i] with the population
// variance. scale and bias have `size` elements (bias may be null). mean and
// inv_std_dev (each `outer` elements) are written when not null.
void LayerNorm(const float* x, int64_t outer, int64_t size, const float* scale, const float* bias,
               float epsilon, float* y, float* mean, float* inv_std_dev);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_LAYER_NORM_H_
