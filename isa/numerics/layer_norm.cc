// The quantized layer normalization row loop (docs/NUMERICS.md, "LayerNorm").
#include "isa/numerics/layer_norm.h"

#include "isa/numerics/lut.h"

namespace openbpu::numerics {

void LayerNorm(const LayerNormParams& p, const int64_t* x, int64_t rows, int64_t n, int64_t lo,
               int64_t hi, int64_t* y) {
  const unsigned __int128 eps = static_cast<unsigned __int128>(p.eps_mantissa) << p.eps_exponent;
  constexpr int64_t kLimit = int64_t{1} << 62;
  std::vector<int64_t> c(n > 0 ? n : 0);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t* row = x + r * n;
    int64_t sum = 0;
    for (int64_t k = 0; k < n; ++k) sum += row[k];
    unsigned __int128 v = 0;
    for (int64_t k = 0; k < n; ++k) {
      c[k] = n * row[k] - sum;
      v += static_cast<unsigned __int128>(static_cast<__int128>(c[k]) * c[k]);
    }
    const FixedPoint rs = Rsqrt(p.rsqrt_table.data(), v + eps);
    for (int64_t k = 0; k < n; ++k) {
      const __int128 prod = static_cast<__int128>(c[k] * rs.mantissa) * p.gamma_multiplier[k];
      const int64_t t = ShiftRoundSaturate(
          prod, p.gamma_shift[k] + rs.exponent - kLayerNormFractionBits, -kLimit, kLimit);
      y[r * n + k] = ShiftRoundSaturate(static_cast<__int128>(p.gamma_sign[k] * t) + p.beta[k],
                                        kLayerNormFractionBits, lo, hi);
    }
  }
}

}  // namespace openbpu::numerics
