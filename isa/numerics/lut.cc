// Table generation and the normalized reciprocal / rsqrt evaluation (docs/NUMERICS.md,
// "Lookup tables").
#include "isa/numerics/lut.h"

#include <cmath>

namespace openbpu::numerics {

int64_t QuantizeTableEntry(double v, int64_t lo, int64_t hi) {
  if (std::isnan(v)) v = 0.0;
  if (v >= static_cast<double>(hi)) return hi;
  if (v <= static_cast<double>(lo)) return lo;
  const int64_t q = static_cast<int64_t>(std::floor(v + 0.5));
  return q < lo ? lo : (q > hi ? hi : q);
}

std::vector<int32_t> MakeTable(const std::function<double(double)>& f, double s_in, double s_out,
                               int32_t x_min, int32_t count, int32_t lo, int32_t hi) {
  std::vector<int32_t> table(count > 0 ? count : 0);
  for (int32_t i = 0; i < count; ++i) {
    const double x = static_cast<double>(static_cast<int64_t>(x_min) + i) * s_in;
    table[i] = static_cast<int32_t>(QuantizeTableEntry(f(x) / s_out, lo, hi));
  }
  return table;
}

std::array<int8_t, 256> MakeInt8Lut(const std::function<double(double)>& f, double s_in,
                                    double s_out) {
  const std::vector<int32_t> entries = MakeTable(f, s_in, s_out, -128, 256, -128, 127);
  std::array<int8_t, 256> table;
  for (int i = 0; i < 256; ++i) table[i] = static_cast<int8_t>(entries[i]);
  return table;
}

std::vector<int32_t> MakeReciprocalTable() {
  std::vector<int32_t> table(kReciprocalTableSize);
  for (int j = 0; j < kReciprocalTableSize; ++j) {
    table[j] = static_cast<int32_t>(std::llround(std::ldexp(1.0, 23) / (1.0 + j / 256.0)));
  }
  return table;
}

namespace {

int FloorLog2(unsigned __int128 u) {
  int k = -1;
  while (u != 0) {
    u >>= 1;
    ++k;
  }
  return k;
}

}  // namespace

FixedPoint Reciprocal(const int32_t* table, uint64_t u) {
  if (u == 0) return {};
  const int k = FloorLog2(u);
  const uint64_t m = k >= 23 ? u >> (k - 23) : u << (23 - k);
  const int j = static_cast<int>((m - (uint64_t{1} << 23)) >> 15);
  const int64_t r = static_cast<int64_t>(m & 32767);
  const int64_t a = table[j];
  const int64_t b = table[j + 1];
  return {a - (((a - b) * r + 16384) >> 15), 23 + k};
}

std::vector<int32_t> MakeRsqrtTable() {
  std::vector<int32_t> table(kRsqrtTableSize);
  for (int j = 0; j < kRsqrtTableSize; ++j) {
    table[j] =
        static_cast<int32_t>(std::llround(std::ldexp(1.0, 30) / std::sqrt(16384.0 + 256.0 * j)));
  }
  return table;
}

FixedPoint Rsqrt(const int32_t* table, unsigned __int128 u) {
  if (u == 0) return {};
  const int k = FloorLog2(u);
  const int e = (k % 2 == 0) ? k - 22 : k - 23;
  const uint64_t m = static_cast<uint64_t>(e >= 0 ? u >> e : u << -e);
  const int j = static_cast<int>((m - (uint64_t{1} << 22)) >> 16);
  const int64_t r = static_cast<int64_t>(m & 65535);
  const int64_t a = table[j];
  const int64_t b = table[j + 1];
  return {a - (((a - b) * r + 32768) >> 16), 34 + e / 2};
}

std::vector<int32_t> MakeLog2Table() {
  std::vector<int32_t> table(kLog2TableSize);
  for (int j = 0; j < kLog2TableSize; ++j) {
    table[j] = static_cast<int32_t>(std::llround(std::ldexp(std::log2(1.0 + j / 256.0), 23)));
  }
  return table;
}

int64_t Log2Fixed(const int32_t* table, uint64_t u) {
  if (u == 0) return 0;
  const int k = FloorLog2(u);
  const uint64_t m = k >= 23 ? u >> (k - 23) : u << (23 - k);
  const int j = static_cast<int>((m - (uint64_t{1} << 23)) >> 15);
  const int64_t r = static_cast<int64_t>(m & 32767);
  const int64_t a = table[j];
  const int64_t b = table[j + 1];
  return (static_cast<int64_t>(k) << 23) + a + (((b - a) * r + 16384) >> 15);
}

int64_t ShiftRoundSaturate(__int128 p, int shift, int64_t lo, int64_t hi) {
  __int128 v;
  if (shift > 0) {
    v = shift >= 127 ? 0 : (p + (static_cast<__int128>(1) << (shift - 1))) >> shift;
  } else {
    const __int128 limit = static_cast<__int128>(1) << 64;
    v = p;
    for (int k = 0; k < -shift && v < limit && v > -limit; ++k) v *= 2;
  }
  if (v < lo) return lo;
  if (v > hi) return hi;
  return static_cast<int64_t>(v);
}

int64_t NormalizedReciprocal(const int32_t* table, const RequantizeRecord& r, int64_t q, int64_t lo,
                             int64_t hi) {
  if (q == 0) return hi;
  const FixedPoint rec = Reciprocal(table, static_cast<uint64_t>(q < 0 ? -q : q));
  const __int128 p = static_cast<__int128>(rec.mantissa) * r.multiplier;
  return ShiftRoundSaturate(q < 0 ? -p : p, r.shift + rec.exponent, lo, hi);
}

int64_t NormalizedSqrt(const int32_t* table, const RequantizeRecord& r, int64_t q, int64_t lo,
                       int64_t hi) {
  // sqrt(q) = q * rsqrt(q).
  if (q <= 0) return Saturate(0, lo, hi);
  const FixedPoint rs = Rsqrt(table, static_cast<unsigned __int128>(q));
  return ShiftRoundSaturate(static_cast<__int128>(q) * rs.mantissa * r.multiplier,
                            r.shift + rs.exponent, lo, hi);
}

int64_t NormalizedLog(const int32_t* table, const RequantizeRecord& r, int64_t log_offset,
                      int64_t q, int64_t lo, int64_t hi) {
  if (q <= 0) return lo;
  // log2(q) 2^23 * m 2^-n + log(s_in) / s_out (2^-kLogOffsetBits units), aligned.
  const __int128 acc =
      static_cast<__int128>(Log2Fixed(table, static_cast<uint64_t>(q))) * r.multiplier;
  if (r.shift >= kLogOffsetBits) {
    const __int128 sum = acc + static_cast<__int128>(log_offset) *
                                   (static_cast<__int128>(1) << (r.shift - kLogOffsetBits));
    return ShiftRoundSaturate(sum, r.shift, lo, hi);
  }
  const __int128 sum = acc * (static_cast<__int128>(1) << (kLogOffsetBits - r.shift)) + log_offset;
  return ShiftRoundSaturate(sum, kLogOffsetBits, lo, hi);
}

}  // namespace openbpu::numerics
