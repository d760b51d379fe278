// Two-pass layer normalization; the statistics accumulate in double so long
// rows stay accurate, then round to float32 (the stash type) as ONNX does.
#include "common/kernels/layer_norm.h"

#include <cmath>

namespace openbpu::kernels {

void LayerNorm(const float* x, int64_t outer, int64_t size, const float* scale, const float* bias,
               float epsilon, float* y, float* mean, float* inv_std_dev) {
  for (int64_t o = 0; o < outer; ++o) {
    const float* row = x + o * size;
    float* out = y + o * size;
    double sum = 0;
    for (int64_t i = 0; i < size; ++i) sum += row[i];
    const float mu = static_cast<float>(sum / static_cast<double>(size));
    double sq = 0;
    for (int64_t i = 0; i < size; ++i) {
      const double d = static_cast<double>(row[i]) - mu;
      sq += d * d;
    }
    const float var = static_cast<float>(sq / static_cast<double>(size));
    const float inv = 1.f / std::sqrt(var + epsilon);
    for (int64_t i = 0; i < size; ++i) {
      float v = (row[i] - mu) * inv * scale[i];
      if (bias != nullptr) v += bias[i];
      out[i] = v;
    }
    if (mean != nullptr) mean[o] = mu;
    if (inv_std_dev != nullptr) inv_std_dev[o] = inv;
  }
}

}  // namespace openbpu::kernels
