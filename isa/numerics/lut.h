// Lookup tables of the LUT unit (docs/NUMERICS.md, "Lookup tables"): the int8 -> int8
// 256-entry activation table, generic integer tables, and the normalized reciprocal and
// reciprocal-square-root tables that softmax, division and layer normalization use.
#ifndef OPENBPU_ISA_NUMERICS_LUT_H_
#define OPENBPU_ISA_NUMERICS_LUT_H_

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "isa/numerics/requantize.h"

namespace openbpu::numerics {

// A table entry: floor(v + 0.5) saturated to [lo, hi]; +inf -> hi, -inf -> lo, NaN -> 0
// (then saturated), so functions undefined at some inputs still give defined tables.
int64_t QuantizeTableEntry(double v, int64_t lo, int64_t hi);

// entries[i] = QuantizeTableEntry(f((x_min + i) * s_in) / s_out, lo, hi) for i in
// [0, count), computed in double.
std::vector<int32_t> MakeTable(const std::function<double(double)>& f, double s_in, double s_out,
                               int32_t x_min, int32_t count, int32_t lo, int32_t hi);

// The int8 -> int8 table: table[x + 128] = clamp(floor(f(x * s_in) / s_out + 0.5), -128, 127).
std::array<int8_t, 256> MakeInt8Lut(const std::function<double(double)>& f, double s_in,
                                    double s_out);

inline int8_t LookupInt8(const int8_t* table, int8_t x) { return table[x + 128]; }

// value ~= mantissa * 2^-exponent.
struct FixedPoint {
  int64_t mantissa = 0;
  int exponent = 0;
};

// Normalized reciprocal: kReciprocalTableSize int32 entries
// R[j] = round(2^46 / (2^23 + 2^15 j)), j = 0..256 (values in [2^22, 2^23]).
inline constexpr int kReciprocalTableSize = 257;
std::vector<int32_t> MakeReciprocalTable();

// 1 / u for u >= 1: with k = floor(log2 u), the 24-bit mantissa m = floor(u * 2^(23 - k))
// in [2^23, 2^24), j = (m - 2^23) >> 15, r = m & (2^15 - 1),
// rec = R[j] - (((R[j] - R[j + 1]) * r + 2^14) >> 15), result {rec, 23 + k}. u = 0: {0, 0}.
FixedPoint Reciprocal(const int32_t* table, uint64_t u);

// Normalized reciprocal square root: kRsqrtTableSize int32 entries
// S[j] = round(2^30 / sqrt(16384 + 256 j)), j = 0..192 (values in [2^22, 2^23]).
inline constexpr int kRsqrtTableSize = 193;
std::vector<int32_t> MakeRsqrtTable();

// 1 / sqrt(u) for u >= 1: e = the even number in {k - 22, k - 23} (k = floor(log2 u)), the
// mantissa m = floor(u * 2^-e) in [2^22, 2^24), j = (m - 2^22) >> 16, r = m & (2^16 - 1),
// rs = S[j] - (((S[j] - S[j + 1]) * r + 2^15) >> 16), result {rs, 34 + e / 2}. u = 0: {0, 0}.
FixedPoint Rsqrt(const int32_t* table, unsigned __int128 u);

// Normalized log2: kLog2TableSize int32 entries G[j] = round(2^23 * log2(1 + j / 256)),
// j = 0..256 (G[256] = 2^23).
inline constexpr int kLog2TableSize = 257;
std::vector<int32_t> MakeLog2Table();

// log2(u) * 2^23 for u >= 1: k = floor(log2 u), m = floor(u * 2^(23 - k)),
// j = (m - 2^23) >> 15, r = m & (2^15 - 1),
// result k * 2^23 + G[j] + (((G[j + 1] - G[j]) * r + 2^14) >> 15). u = 0 gives 0.
int64_t Log2Fixed(const int32_t* table, uint64_t u);

// saturate(round_half_up(p * 2^-shift)) into [lo, hi] for any shift (a negative one is a
// left shift), computed in 128 bits without wrapping; |p| < 2^120.
int64_t ShiftRoundSaturate(__int128 p, int shift, int64_t lo, int64_t hi);

// The int16-input Reciprocal / Sqrt / Log of docs/NUMERICS.md (quantized reference and
// vae.recip / vae.sqrt / vae.log), with r the record of 1 / (s_in s_out), sqrt(s_in) / s_out
// or ln 2 / (2^23 s_out) and `table` the matching normalized table:
//   Reciprocal: {rec, e} = Reciprocal(|q|), y = round(sign(q) rec m 2^-(n + e)); q = 0: hi;
//   Sqrt: {rs, e} = Rsqrt(q), y = round(q rs m 2^-(n + e)); q <= 0: 0 (saturated);
//   Log: y = round(Log2Fixed(q) m 2^-n + log_offset 2^-kLogOffsetBits); q <= 0: lo,
//        log_offset = round(ln(s_in) / s_out 2^kLogOffsetBits).
inline constexpr int kLogOffsetBits = 24;
int64_t NormalizedReciprocal(const int32_t* table, const RequantizeRecord& r, int64_t q, int64_t lo,
                             int64_t hi);
int64_t NormalizedSqrt(const int32_t* table, const RequantizeRecord& r, int64_t q, int64_t lo,
                       int64_t hi);
int64_t NormalizedLog(const int32_t* table, const RequantizeRecord& r, int64_t log_offset,
                      int64_t q, int64_t lo, int64_t hi);

}  // namespace openbpu::numerics

#endif  // OPENBPU_ISA_NUMERICS_LUT_H_
