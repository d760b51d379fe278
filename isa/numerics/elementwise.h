// Integer add / sub / mul / div of two quantized tensors (docs/NUMERICS.md, "Add",
// "Mul", "Lookup tables"): the bayes and bernoulli2 add formulas with their
// parameter records, shared by the quantized reference and the simulator's VAE
// instructions, and the division (the quantized reference's Div and vae.div).
#ifndef OPENBPU_ISA_NUMERICS_ELEMENTWISE_H_
#define OPENBPU_ISA_NUMERICS_ELEMENTWISE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "isa/numerics/requantize.h"

namespace openbpu::numerics {

// Storage of an add operand: decides the bayes shift cap (23 for int8, 15 for
// int16).
enum class AddOperandBits : uint8_t { kInt8 = 8, kInt16 = 16 };

// bayes: acc = sx * (x << shift) + y * qscale (int32, scale s_x / 2^shift),
// out = Requantize(acc, out). x is the input with the larger scale (input 0 on
// a tie); sx = -1 only for a - b with b = x.
struct BayesAddParams {
  uint8_t x_input = 0;  // 1 bit: which input (0 = a, 1 = b) is x
  int8_t x_sign = 1;    // 2 bits: +1, or -1 (sub whose subtrahend is x)
  int8_t shift = 0;     // [0, 23]
  int16_t qscale = 0;   // [-32767, 32767]
  RequantizeRecord out;

  bool operator==(const BayesAddParams& o) const {
    return x_input == o.x_input && x_sign == o.x_sign && shift == o.shift && qscale == o.qscale &&
           out == o.out;
  }
};

// bernoulli2: acc = feat * w + (sumin << lshift) * qm (int64, scale inter),
// out = Requantize(acc, out). The feature is the input with the smaller scale
// (input 1 on a tie), the sumin the other.
struct Bernoulli2AddParams {
  uint8_t feature_input = 1;  // 1 bit: which input (0 = a, 1 = b) is the feature
  int8_t w = 0;               // [-128, 127] (negated for a subtrahend feature)
  int16_t qm = 0;             // [-32767, 32767] (negated for a subtrahend sumin)
  int8_t lshift = 0;          // [0, 11]
  RequantizeRecord out;

  bool operator==(const Bernoulli2AddParams& o) const {
    return feature_input == o.feature_input && w == o.w && qm == o.qm && lshift == o.lshift &&
           out == o.out;
  }
};

// a * b in int64, requantized by out (s_a * s_b / s_out).
struct MulParams {
  RequantizeRecord out;
};

// a / b as a * (1 / b): the normalized reciprocal of |b| ({rec, e}: rec * 2^-e),
// requantized by out (s_a / (s_b * s_out)).
struct DivParams {
  std::vector<int32_t> reciprocal_table;  // kReciprocalTableSize entries (MakeReciprocalTable)
  RequantizeRecord out;
};

// Parameters of a + b (subtract: a - b) for inputs of scales s_a, s_b and bits,
// and output scale s_out. All scales finite and > 0 (InvalidArgument otherwise).
absl::StatusOr<BayesAddParams> MakeBayesAddParams(float s_a, AddOperandBits a_bits, float s_b,
                                                  AddOperandBits b_bits, float s_out,
                                                  bool subtract);
absl::StatusOr<Bernoulli2AddParams> MakeBernoulli2AddParams(float s_a, float s_b, float s_out,
                                                            bool subtract);
absl::StatusOr<MulParams> MakeMulParams(float s_a, float s_b, float s_out);

// The accumulators (exact, before requantization) and the saturated results in
// [lo, hi] for integer inputs a, b (int8 or int16 values).
int64_t BayesAddAccumulator(const BayesAddParams& p, int64_t a, int64_t b);
int64_t Bernoulli2AddAccumulator(const Bernoulli2AddParams& p, int64_t a, int64_t b);

inline int64_t ApplyBayesAdd(const BayesAddParams& p, int64_t a, int64_t b, int64_t lo,
                             int64_t hi) {
  return Requantize(BayesAddAccumulator(p, a, b), p.out, lo, hi);
}
inline int64_t ApplyBernoulli2Add(const Bernoulli2AddParams& p, int64_t a, int64_t b, int64_t lo,
                                  int64_t hi) {
  return Requantize(Bernoulli2AddAccumulator(p, a, b), p.out, lo, hi);
}
inline int64_t ApplyMul(const MulParams& p, int64_t a, int64_t b, int64_t lo, int64_t hi) {
  return Requantize(a * b, p.out, lo, hi);
}

// y = saturate(round_half_up(sign(b) * a * rec * m * 2^-(n + e))) with
// {rec, e} = Reciprocal(|b|) and {m, n} = p.out, in 128 bits; b = 0 gives hi for
// a > 0, lo for a < 0 and 0 for a = 0 (x / 0 = +-inf saturates). |a|, |b| <= 2^31.
int64_t ApplyDiv(const DivParams& p, int64_t a, int64_t b, int64_t lo, int64_t hi);

// Conv / linear output with a fused sumin, one rounding for both terms:
//   out = Saturate(floor(acc * m_a * 2^-n_a + sumin * m_s * 2^-n_s + 1/2), lo, hi)
// computed exactly in 128-bit with N = max(n_a, n_s, 0): both products are
// shifted left to 2^-N, added, then RoundingShiftRight by N. A zero record
// drops its term. Requires SumRecordsCompatible (N - n <= 32 for every
// non-zero record) and |acc| < 2^60, which keep the sum below 2^124.
bool SumRecordsCompatible(const RequantizeRecord& acc_record, const RequantizeRecord& sumin_record);
int64_t RequantizeWithSumin(int64_t acc, const RequantizeRecord& acc_record, int64_t sumin,
                            const RequantizeRecord& sumin_record, int64_t lo, int64_t hi);

}  // namespace openbpu::numerics

#endif  // OPENBPU_ISA_NUMERICS_ELEMENTWISE_H_
