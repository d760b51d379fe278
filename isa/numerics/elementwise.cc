// Parameter derivation and accumulators of the integer add / sub / mul, and the
// integer division (docs/NUMERICS.md, "Add", "Mul", "Lookup tables").
#include "isa/numerics/elementwise.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "isa/numerics/lut.h"

namespace openbpu::numerics {
namespace {

absl::Status CheckScale(float s, const char* what) {
  if (!std::isfinite(s) || !(s > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(what, " scale ", s, " is not finite and > 0"));
  }
  return absl::OkStatus();
}

// floor(log2(r)) for finite r > 0, exactly (frexp: r = f * 2^e, f in [0.5, 1)).
int FloorLog2(double r) {
  int e = 0;
  std::frexp(r, &e);
  return e - 1;
}

}  // namespace

absl::StatusOr<BayesAddParams> MakeBayesAddParams(float s_a, AddOperandBits a_bits, float s_b,
                                                  AddOperandBits b_bits, float s_out,
                                                  bool subtract) {
  for (auto [s, what] : {std::pair{s_a, "input a"}, {s_b, "input b"}, {s_out, "output"}}) {
    if (absl::Status st = CheckScale(s, what); !st.ok()) return st;
  }
  BayesAddParams p;
  p.x_input = s_a >= s_b ? 0 : 1;
  const double s_x = p.x_input == 0 ? s_a : s_b;
  const double s_y = p.x_input == 0 ? s_b : s_a;
  const AddOperandBits x_bits = p.x_input == 0 ? a_bits : b_bits;
  const int cap = x_bits == AddOperandBits::kInt16 ? 15 : 23;
  // 32767 * s_x / s_y >= 32767, so the floor is >= 14 and shift >= 0.
  const int shift = std::min(cap, FloorLog2(32767.0 * s_x / s_y));
  p.shift = static_cast<int8_t>(shift);
  const double q = std::floor(s_y * std::ldexp(1.0, shift) / s_x + 0.5);
  int64_t qscale = static_cast<int64_t>(std::clamp(q, -32767.0, 32767.0));
  int8_t x_sign = 1;
  if (subtract) {
    // a - b: negate whichever operand is b.
    if (p.x_input == 0) {
      qscale = -qscale;
    } else {
      x_sign = -1;
    }
  }
  p.x_sign = x_sign;
  p.qscale = static_cast<int16_t>(qscale);
  absl::StatusOr<RequantizeRecord> out = MakeRequantizeRecord(std::ldexp(s_x, -shift) / s_out);
  if (!out.ok()) return out.status();
  p.out = *out;
  return p;
}

int64_t BayesAddAccumulator(const BayesAddParams& p, int64_t a, int64_t b) {
  const int64_t x = p.x_input == 0 ? a : b;
  const int64_t y = p.x_input == 0 ? b : a;
  // |x << 23| <= 2^30 (int8) and |x << 15| <= 2^30 (int16), |y * qscale| <=
  // 32768 * 32767: the sum always fits int32.
  return p.x_sign * (x * (int64_t{1} << p.shift)) + y * p.qscale;
}

absl::StatusOr<Bernoulli2AddParams> MakeBernoulli2AddParams(float s_a, float s_b, float s_out,
                                                            bool subtract) {
  for (auto [s, what] : {std::pair{s_a, "input a"}, {s_b, "input b"}, {s_out, "output"}}) {
    if (absl::Status st = CheckScale(s, what); !st.ok()) return st;
  }
  Bernoulli2AddParams p;
  p.feature_input = s_b <= s_a ? 1 : 0;
  const double s_feat = p.feature_input == 1 ? s_b : s_a;
  const double s_sumin = p.feature_input == 1 ? s_a : s_b;
  const double inter = std::max(s_feat / 127.0, std::ldexp(s_sumin, -25));
  // round = half away from zero (std::round); every quotient here is > 0.
  const double w = std::clamp(std::round(s_feat / inter), -128.0, 127.0);
  const double sumin_w = std::round(s_sumin / inter);  // in [127, 2^25]
  int e = 0;
  const double m = std::frexp(sumin_w, &e);
  int lshift = 0;
  double qm = 0;
  if (e <= 15) {
    qm = std::ldexp(m, e);  // = sumin_w exactly, < 2^15
  } else {
    lshift = e - 15;
    // 2^15 * m rounded half up; 32768 clamps to 32767 as the formula's min().
    qm = std::min(std::floor(std::ldexp(m, 15) + 0.5), 32767.0);
  }
  int64_t wi = static_cast<int64_t>(w);
  int64_t qmi = static_cast<int64_t>(qm);
  if (subtract) {
    if (p.feature_input == 1) {
      wi = -wi;
    } else {
      qmi = -qmi;
    }
  }
  p.w = static_cast<int8_t>(std::clamp<int64_t>(wi, -128, 127));
  p.qm = static_cast<int16_t>(qmi);
  p.lshift = static_cast<int8_t>(lshift);
  absl::StatusOr<RequantizeRecord> out = MakeRequantizeRecord(inter / s_out);
  if (!out.ok()) return out.status();
  p.out = *out;
  return p;
}

int64_t Bernoulli2AddAccumulator(const Bernoulli2AddParams& p, int64_t a, int64_t b) {
  const int64_t feat = p.feature_input == 1 ? b : a;
  const int64_t sumin = p.feature_input == 1 ? a : b;
  // (sumin << 11) * 32767 reaches 2^37: int64.
  return feat * p.w + sumin * (int64_t{1} << p.lshift) * p.qm;
}

absl::StatusOr<MulParams> MakeMulParams(float s_a, float s_b, float s_out) {
  for (auto [s, what] : {std::pair{s_a, "input a"}, {s_b, "input b"}, {s_out, "output"}}) {
    if (absl::Status st = CheckScale(s, what); !st.ok()) return st;
  }
  // s_a * s_b is exact in double (two 24-bit significands).
  absl::StatusOr<RequantizeRecord> out =
      MakeRequantizeRecord(static_cast<double>(s_a) * static_cast<double>(s_b) / s_out);
  if (!out.ok()) return out.status();
  return MulParams{*out};
}

int64_t ApplyDiv(const DivParams& p, int64_t a, int64_t b, int64_t lo, int64_t hi) {
  if (b == 0) return a > 0 ? hi : (a < 0 ? lo : 0);
  const FixedPoint rec =
      Reciprocal(p.reciprocal_table.data(), static_cast<uint64_t>(b < 0 ? -b : b));
  const __int128 prod = static_cast<__int128>((b < 0 ? -a : a) * rec.mantissa) * p.out.multiplier;
  return ShiftRoundSaturate(prod, p.out.shift + rec.exponent, lo, hi);
}

bool SumRecordsCompatible(const RequantizeRecord& acc_record,
                          const RequantizeRecord& sumin_record) {
  if (acc_record.multiplier == 0 || sumin_record.multiplier == 0) return true;
  const int n =
      std::max({0, static_cast<int>(acc_record.shift), static_cast<int>(sumin_record.shift)});
  return n - acc_record.shift <= 32 && n - sumin_record.shift <= 32;
}

int64_t RequantizeWithSumin(int64_t acc, const RequantizeRecord& acc_record, int64_t sumin,
                            const RequantizeRecord& sumin_record, int64_t lo, int64_t hi) {
  if (sumin_record.multiplier == 0) return Requantize(acc, acc_record, lo, hi);
  if (acc_record.multiplier == 0) return Requantize(sumin, sumin_record, lo, hi);
  const int n =
      std::max({0, static_cast<int>(acc_record.shift), static_cast<int>(sumin_record.shift)});
  const __int128 ta = static_cast<__int128>(acc) * acc_record.multiplier;
  const __int128 ts = static_cast<__int128>(sumin) * sumin_record.multiplier;
  __int128 t = ta * (static_cast<__int128>(1) << (n - acc_record.shift)) +
               ts * (static_cast<__int128>(1) << (n - sumin_record.shift));
  if (n > 0) t = (t + (static_cast<__int128>(1) << (n - 1))) >> n;
  if (t > hi) return hi;
  if (t < lo) return lo;
  return static_cast<int64_t>(t);
}

}  // namespace openbpu::numerics
