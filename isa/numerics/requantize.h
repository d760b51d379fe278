// Integer primitives shared by the quantized reference interpreter and the
// simulator (docs/NUMERICS.md, "Requantize"): saturation, the rounding right
// shift, and the requantize record {multiplier, shift} with its bit widths.
#ifndef OPENBPU_ISA_NUMERICS_REQUANTIZE_H_
#define OPENBPU_ISA_NUMERICS_REQUANTIZE_H_

#include <cstdint>

#include "absl/status/statusor.h"

namespace openbpu::numerics {

// Clamps to [lo, hi]; never wraps.
inline int64_t Saturate(int64_t x, int64_t lo, int64_t hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}
inline int8_t SaturateInt8(int64_t x) { return static_cast<int8_t>(Saturate(x, -128, 127)); }
inline int16_t SaturateInt16(int64_t x) { return static_cast<int16_t>(Saturate(x, -32768, 32767)); }
inline int32_t SaturateInt32(int64_t x) {
  return static_cast<int32_t>(Saturate(x, INT32_MIN, INT32_MAX));
}

// Arithmetic right shift by n >= 0 rounding half up: (x + 2^(n-1)) >> n,
// computed without overflow for any int64 x and n in [0, 127].
inline int64_t RoundingShiftRight(__int128 x, int n) {
  if (n <= 0) return static_cast<int64_t>(x);
  if (n >= 127) return 0;
  const __int128 half = static_cast<__int128>(1) << (n - 1);
  return static_cast<int64_t>((x + half) >> n);
}

// real multiplier ~= multiplier * 2^-shift, with multiplier in [2^30, 2^31)
// (31 significant bits, stored in a uint32 field) and shift in
// [kMinShift, kMaxShift] (int8 field). A zero multiplier maps everything to 0.
struct RequantizeRecord {
  int32_t multiplier = 0;
  int8_t shift = 0;

  bool operator==(const RequantizeRecord& o) const {
    return multiplier == o.multiplier && shift == o.shift;
  }
};

inline constexpr int kMinShift = -32;
inline constexpr int kMaxShift = 95;

// The record closest to `real_multiplier` (>= 0, finite). Multipliers so small
// that every int64 accumulator rounds to 0 become the zero record; ones too
// large for kMinShift are an error.
absl::StatusOr<RequantizeRecord> MakeRequantizeRecord(double real_multiplier);

// The real multiplier a record represents (exact in double).
double RecordToReal(const RequantizeRecord& record);

// out = saturate(round_half_up(acc * multiplier * 2^-shift)) into [lo, hi].
// A negative shift is a left shift, saturating like everything else.
inline int64_t Requantize(int64_t acc, const RequantizeRecord& r, int64_t lo, int64_t hi) {
  const __int128 product = static_cast<__int128>(acc) * r.multiplier;
  if (r.shift >= 0) return Saturate(RoundingShiftRight(product, r.shift), lo, hi);
  // Left shift: |product| < 2^94, shifted by at most 32 stays below 2^127.
  const __int128 shifted = product * (static_cast<__int128>(1) << -r.shift);
  if (shifted > hi) return hi;
  if (shifted < lo) return lo;
  return static_cast<int64_t>(shifted);
}

}  // namespace openbpu::numerics

#endif  // OPENBPU_ISA_NUMERICS_REQUANTIZE_H_
