// Inference-mode batch normalization (ONNX BatchNormalization, training_mode=0).
#ifndef OPENBPU_COMMON_KERNELS_BATCH_NORM_H_
#define OPENBPU_COMMON_KERNELS_BATCH_NORM_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "common/tensor.h"

namespace openbpu::kernels {

// x and y are [batch, channels, inner]; per channel c,
// y = (x - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + bias[c].
void BatchNorm(const float* x, int64_t batch, int64_t channels, int64_t inner, const float* scale,
               const float* bias, const float* mean, const float* var, float epsilon, float* y);

// X is [N, C, ...] and each of scale, B, input_mean, input_var (`params`, in that order) is [C]
// (norm_ops.cc; shared with the op schema's shape inference).
absl::Status CheckBatchNormShapes(const Shape& x, const std::vector<const Shape*>& params);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_BATCH_NORM_H_
