// Exact scaled comparison (docs/NUMERICS.md, "Max/min/compare").
#include "isa/numerics/compare.h"

#include <cmath>

namespace openbpu::numerics {

ExactScale ExactScaleOf(float scale) {
  int e = 0;
  const float f = std::frexp(scale, &e);  // [0.5, 1), 24 significant bits
  ExactScale s;
  s.mantissa = static_cast<int32_t>(std::ldexp(f, 24));  // exact
  s.exponent = e - 24;
  return s;
}

int CompareScaled(int64_t a, const ExactScale& sa, int64_t b, const ExactScale& sb) {
  // Values are x * mantissa * 2^exponent; align both to the smaller exponent.
  __int128 x = static_cast<__int128>(a) * sa.mantissa;
  __int128 y = static_cast<__int128>(b) * sb.mantissa;
  // With |x|, |y| < 2^56 (int32 inputs) a left shift by 64 already makes any
  // nonzero side larger in magnitude than the other, so cap the shift there.
  // Magnitudes stay below 2^120.
  constexpr int kCap = 64;
  if (sa.exponent > sb.exponent) {
    const int d = sa.exponent - sb.exponent;
    x *= static_cast<__int128>(1) << (d < kCap ? d : kCap);
  } else if (sb.exponent > sa.exponent) {
    const int d = sb.exponent - sa.exponent;
    y *= static_cast<__int128>(1) << (d < kCap ? d : kCap);
  }
  return x < y ? -1 : (x > y ? 1 : 0);
}

}  // namespace openbpu::numerics
