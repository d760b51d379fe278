// Batch normalization as the ONNX formula, evaluated per element in the
// reference's order (subtract, divide, scale, shift).
#include "common/kernels/batch_norm.h"

#include <cmath>

namespace openbpu::kernels {

void BatchNorm(const float* x, int64_t batch, int64_t channels, int64_t inner, const float* scale,
               const float* bias, const float* mean, const float* var, float epsilon, float* y) {
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      const float m = mean[c];
      const float d = std::sqrt(var[c] + epsilon);
      const float s = scale[c];
      const float b = bias[c];
      const int64_t base = (n * channels + c) * inner;
      for (int64_t i = 0; i < inner; ++i) y[base + i] = (x[base + i] - m) / d * s + b;
    }
  }
}

}  // namespace openbpu::kernels
