// The per-element functions of the VAE: the requantize output stage and vae.add / sub /
// add_b2 / mul / max / min / cmp, built from the checked parameter records of isa/records.h
// and computed by the isa/numerics primitives.
#ifndef OPENBPU_SIMULATOR_ELTWISE_H_
#define OPENBPU_SIMULATOR_ELTWISE_H_

#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
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
// accumulator, |x + bias| small enough that (x + bias) * multiplier shifted left to the common
// shift n stays below 2^62, sumin (int8 / int16) times its multiplier likewise, and n <= 62.
// There numerics::RequantizeWithSumin's int128 sum t = acc * M_a * 2^(n - s_a) +
// sumin * M_s * 2^(n - s_s) and its rounding (t + 2^(n-1)) >> n fit an int64, so the result is
// the same integer. Make() decides per record; Apply() returns false (leaving `out`) for an
// element it does not take.
struct FastRequant {
  bool ok = false;
  int64_t bias = 0, ma = 0, ms = 0, half = 0, lo = 0, hi = 0;
  int64_t limit = 0;  // |x + bias| < limit
  int da = 0, ds = 0, n = 0;

  // sumin_bits: 0 (vae.requant: sumin reads as 0), 8 or 16.
  static FastRequant Make(const isa::RequantParam& p, bool int32_acc, int sumin_bits, int64_t lo,
                          int64_t hi);
  bool Apply(int64_t x, int64_t sumin, int64_t* out) const {
    const int64_t t = x + bias;
    if (!ok || t >= limit || t <= -limit) return false;
    int64_t v = t * ma * (int64_t{1} << da) + sumin * ms * (int64_t{1} << ds);
    if (n > 0) v = (v + half) >> n;
    *out = v < lo ? lo : v > hi ? hi : v;
    return true;
  }
};

// The operands of a requantize over P pixels of C channels, each pixel `*_stride` bytes after
// the one before: int32 accumulators x, the sumin rows s (int8 / int16 by s_bits; null: 0) and
// the int8 / int16 (out_bits) results.
struct RequantOperands {
  int64_t pixels = 0;
  const uint8_t* x = nullptr;
  int64_t x_stride = 0;
  const uint8_t* s = nullptr;
  int s_bits = 0;
  int64_t s_stride = 0;
  uint8_t* out = nullptr;
  int out_bits = 8;
  int64_t out_stride = 0;
};

// FastRequant over rows of channels, vectorized: AVX-512 when the host has it (eight channels'
// constants held in registers while they run down every pixel), else element by element.
// Elements FastRequant declines are computed by slow(pixel, c, x). Each group of channels of a
// pixel reads its inputs before writing its outputs, like a scalar loop: an output that aliases
// its sumin element for element stays exact.
struct RequantRow {
  int channels = 0;
  std::vector<FastRequant> fast;
  // Structure of arrays, padded to a multiple of 8 lanes (AVX-512).
  std::vector<int64_t> bias, ma, ms, half, lo, hi, limit, da, ds, n;

  static RequantRow Make(std::vector<FastRequant> fast);
  using Slow = absl::FunctionRef<int64_t(int64_t pixel, int c, int64_t x)>;
  void Run(const RequantOperands& o, Slow slow) const;
};

namespace internal {
// RequantRow::Run's AVX-512 form (requant_avx512.cc).
void RequantRowsAvx512(const RequantRow& r, const RequantOperands& o, RequantRow::Slow slow);
// Eltwise::ApplyS8 of vae.mul with AVX-512 (requant_avx512.cc); false: a shift it does not take.
bool MulRowS8Avx512(const numerics::MulParams& p, int64_t lo, int64_t hi, const int8_t* a,
                    const int8_t* b, int64_t b_step, int8_t* out, int64_t n);
}  // namespace internal

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
