// Pooling window planning: each dimension's windows are clipped to the input
// once (first tap, tap count, taps inside the padded extent).
#include "isa/numerics/pool.h"

#include <algorithm>

namespace openbpu::numerics {

std::vector<std::vector<AxisWindow>> PlanPoolWindows(const PoolWindows& g) {
  std::vector<std::vector<AxisWindow>> axes(g.input.size());
  for (size_t d = 0; d < g.input.size(); ++d) {
    const int64_t in = g.input[d];
    const int64_t k = g.kernel[d];
    const int64_t s = g.strides[d];
    const int64_t dil = g.dilations[d];
    axes[d].resize(g.output[d]);
    for (int64_t o = 0; o < g.output[d]; ++o) {
      AxisWindow& w = axes[d][o];
      const int64_t start = o * s - g.pads_begin[d];
      // Taps j with 0 <= start + j * dil <= in - 1.
      const int64_t lo = start >= 0 ? 0 : (-start + dil - 1) / dil;
      const int64_t hi = start <= in - 1 ? std::min(k - 1, (in - 1 - start) / dil) : -1;
      w.count = std::max<int64_t>(0, hi - lo + 1);
      w.first = w.count > 0 ? start + lo * dil : 0;
      const int64_t limit = in + g.pads_end[d] - 1 - start;
      w.padded = limit >= 0 ? std::min(k - 1, limit / dil) + 1 : 0;
    }
  }
  return axes;
}

std::vector<int64_t> PoolDivisors(const PoolWindows& g, bool count_include_pad) {
  const std::vector<std::vector<AxisWindow>> axes = PlanPoolWindows(g);
  const int rank = static_cast<int>(g.input.size());
  int64_t out_size = 1;
  for (int64_t o : g.output) out_size *= o;
  std::vector<int64_t> divisors(out_size);
  std::vector<int64_t> coord(rank, 0);
  for (int64_t o = 0; o < out_size; ++o) {
    int64_t n = 1;
    for (int d = 0; d < rank; ++d) {
      const AxisWindow& w = axes[d][coord[d]];
      n *= count_include_pad ? w.padded : w.count;
    }
    divisors[o] = n;
    for (int d = rank - 1; d >= 0; --d) {
      if (++coord[d] < g.output[d]) break;
      coord[d] = 0;
    }
  }
  return divisors;
}

}  // namespace openbpu::numerics
