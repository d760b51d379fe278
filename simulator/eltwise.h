// The per-element functions of the VAE: the requantize output stage and vae.add / sub /
// add_b2 / mul / max / min / cmp, built from the checked parameter records of isa/records.h
// and computed by the isa/numerics primitives.
#ifndef OPENBPU_SIMULATOR_ELTWISE_H_
#define OPENBPU_SIMULATOR_ELTWISE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "isa/instruction.h"
#include "isa/numerics/elementwise.h"
#include "isa/records.h"

namespace openbpu::sim {

// vae.requant(_sumin) for one element (ISA.md): t = clamp(x + bias, -2^60, 2^60),
// out = numerics::RequantizeWithSumin(t, acc, sumin, sumin record, max(lo, p.lo),
// min(hi, p.hi)); sumin = 0 for vae.requant.
int64_t ApplyRequantParam(const isa::RequantParam& p, int64_t x, int64_t sumin, int64_t lo,
                          int64_t hi);

// ApplyRequantParam's common case in 64-bit integers (the host's hot path): an int32
// accumulator without sumin, a right shift of at most 62 and |x + bias| < 2^31, where the sum,
// its product with the multiplier (< 2^62) and the rounding half fit an int64, so the result is
// the same integer. Make() says whether a record qualifies; Apply() returns false (and leaves
// `out`) when an element does not.
struct FastRequant {
  bool ok = false;
  int64_t bias = 0, multiplier = 0, lo = 0, hi = 0;
  int shift = 0;

  static FastRequant Make(const isa::RequantParam& p, bool int32_acc, bool sumin, int64_t lo,
                          int64_t hi);
  bool Apply(int64_t x, int64_t* out) const {
    constexpr int64_t kLimit = int64_t{1} << 31;
    const int64_t t = x + bias;
    if (!ok || t >= kLimit || t <= -kLimit) return false;
    const int64_t product = t * multiplier;
    const int64_t r = shift == 0 ? product : (product + (int64_t{1} << (shift - 1))) >> shift;
    *out = r < this->lo ? this->lo : r > this->hi ? this->hi : r;
    return true;
  }
};

struct Eltwise {
  enum class Kind { kBayesAdd, kBernoulli2Add, kMul, kMax, kMin, kCmp } kind = Kind::kMax;
  numerics::BayesAddParams bayes;
  numerics::Bernoulli2AddParams b2;
  numerics::MulParams mul;
  isa::CmpParam cmp;
  int64_t lo = 0, hi = 0;

  int64_t Apply(int64_t a, int64_t b) const;
  // Apply over a row of int8 elements: out[i] = Apply(a[i], b[i * b_step]) (b_step 0: one y
  // for the row), the kind chosen once. `out` may be `a` or `b` (element for element).
  void ApplyS8(const int8_t* a, const int8_t* b, int64_t b_step, int8_t* out, int64_t n) const;
};

// Decodes and checks the EltwiseParam / CmpParam at `param` (unused for max/min).
absl::StatusOr<Eltwise> MakeEltwise(isa::Opcode opcode, const uint8_t* param, int64_t lo,
                                    int64_t hi);

}  // namespace openbpu::sim

#endif  // OPENBPU_SIMULATOR_ELTWISE_H_
