// Exact comparison of quantized values of different scales, shared by the
// quantized reference and the simulator (docs/NUMERICS.md, "Max/min/compare").
#ifndef OPENBPU_ISA_NUMERICS_COMPARE_H_
#define OPENBPU_ISA_NUMERICS_COMPARE_H_

#include <cstdint>

namespace openbpu::numerics {

// A positive float32 scale as mantissa * 2^exponent, exactly: mantissa is the
// 24-bit significand (in [2^23, 2^24) for normal floats).
struct ExactScale {
  int32_t mantissa = 0;
  int32_t exponent = 0;
};

// Exact for every finite float32 scale > 0.
ExactScale ExactScaleOf(float scale);

// Sign of a * sa - b * sb (-1, 0 or 1), computed exactly in integers:
// |a * mantissa| < 2^56 for any int32 a, the shift of the smaller exponent's
// side is capped at 64 (beyond that the other side dominates), all in int128.
int CompareScaled(int64_t a, const ExactScale& sa, int64_t b, const ExactScale& sb);

}  // namespace openbpu::numerics

#endif  // OPENBPU_ISA_NUMERICS_COMPARE_H_
