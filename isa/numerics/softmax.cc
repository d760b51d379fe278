// The quantized softmax row loop (docs/NUMERICS.md, "Softmax").
#include "isa/numerics/softmax.h"

#include <algorithm>

#include "isa/numerics/lut.h"

namespace openbpu::numerics {

int64_t SoftmaxExp(const SoftmaxParams& p, int64_t d) {
  int64_t e;
  if (!p.exp_table.empty()) {
    e = p.exp_table[d + 255];
  } else if (d >= -32768) {
    e = Evaluate(p.exp_lut.record, p.exp_lut.tables.data(), static_cast<int16_t>(d));
  } else {
    // d in [-65535, -32769]: exp(d s) = exp((d + 32768) s) * exp(-32768 s).
    const int64_t a =
        Evaluate(p.exp_lut.record, p.exp_lut.tables.data(), static_cast<int16_t>(d + 32768));
    const int64_t b = Evaluate(p.exp_lut.record, p.exp_lut.tables.data(), -32768);
    e = (a * b + 16383) / 32767;
  }
  return std::max<int64_t>(e, 0);
}

void Softmax(const SoftmaxParams& p, const int64_t* x, int64_t outer, int64_t n, int64_t inner,
             int64_t lo, int64_t hi, int64_t* y) {
  if (n <= 0) return;
  std::vector<int64_t> e(n);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t in = 0; in < inner; ++in) {
      const int64_t base = o * n * inner + in;
      int64_t mx = x[base];
      for (int64_t k = 1; k < n; ++k) mx = std::max(mx, x[base + k * inner]);
      int64_t sum = 0;
      for (int64_t k = 0; k < n; ++k) {
        e[k] = SoftmaxExp(p, x[base + k * inner] - mx);
        sum += e[k];
      }
      const FixedPoint rec = Reciprocal(p.reciprocal_table.data(), static_cast<uint64_t>(sum));
      for (int64_t k = 0; k < n; ++k) {
        // E <= 32767 and rec <= 2^23: E * rec < 2^38; times m < 2^31 in 128 bits.
        const __int128 prod = static_cast<__int128>(e[k] * rec.mantissa) * p.output.multiplier;
        y[base + k * inner] = ShiftRoundSaturate(prod, p.output.shift + rec.exponent, lo, hi);
      }
    }
  }
}

}  // namespace openbpu::numerics
