// Max-subtracted softmax; the inner dimension is the contiguous loop so
// softmax over a non-last axis still streams through memory.
#include "common/kernels/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace openbpu::kernels {

void Softmax(const float* x, int64_t outer, int64_t axis, int64_t inner, float* y) {
  std::vector<float> max(inner);
  std::vector<double> sum(inner);
  for (int64_t o = 0; o < outer; ++o) {
    const float* xo = x + o * axis * inner;
    float* yo = y + o * axis * inner;
    std::fill(max.begin(), max.end(), -std::numeric_limits<float>::infinity());
    std::fill(sum.begin(), sum.end(), 0.0);
    for (int64_t a = 0; a < axis; ++a) {
      const float* row = xo + a * inner;
      // `!(v <= m)` also picks up NaN, so it propagates like numpy's max.
      for (int64_t i = 0; i < inner; ++i) {
        if (!(row[i] <= max[i])) max[i] = row[i];
      }
    }
    for (int64_t a = 0; a < axis; ++a) {
      const float* row = xo + a * inner;
      float* out = yo + a * inner;
      for (int64_t i = 0; i < inner; ++i) {
        out[i] = std::exp(row[i] - max[i]);
        sum[i] += out[i];
      }
    }
    for (int64_t a = 0; a < axis; ++a) {
      float* out = yo + a * inner;
      for (int64_t i = 0; i < inner; ++i) out[i] = static_cast<float>(out[i] / sum[i]);
    }
  }
}

}  // namespace openbpu::kernels
