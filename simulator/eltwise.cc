// VAE element functions over isa/records.h parameter records and isa/numerics primitives.
#include "simulator/eltwise.h"

#include <algorithm>

#include "isa/numerics/compare.h"

namespace openbpu::sim {

int64_t ApplyRequantParam(const isa::RequantParam& p, int64_t x, int64_t sumin, int64_t lo,
                          int64_t hi) {
  constexpr int64_t kLimit = int64_t{1} << 60;
  // |x| < 2^63 and |bias| < 2^31: the sum fits in int128 before the clamp.
  const __int128 sum = static_cast<__int128>(x) + p.bias;
  const int64_t t = sum > kLimit ? kLimit : sum < -kLimit ? -kLimit : static_cast<int64_t>(sum);
  return numerics::RequantizeWithSumin(t, p.acc, sumin, p.sumin, std::max<int64_t>(lo, p.lo),
                                       std::min<int64_t>(hi, p.hi));
}

FastRequant FastRequant::Make(const isa::RequantParam& p, bool int32_acc, bool sumin, int64_t lo,
                              int64_t hi) {
  FastRequant f;
  f.ok = int32_acc && !sumin && p.sumin.multiplier == 0 && p.acc.shift >= 0 && p.acc.shift <= 62;
  f.bias = p.bias;
  f.multiplier = p.acc.multiplier;
  f.shift = p.acc.shift;
  f.lo = std::max<int64_t>(lo, p.lo);
  f.hi = std::min<int64_t>(hi, p.hi);
  return f;
}

void Eltwise::ApplyS8(const int8_t* a, const int8_t* b, int64_t b_step, int8_t* out,
                      int64_t n) const {
  auto row = [&](auto f) {
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<int8_t>(f(a[i], b[i * b_step]));
  };
  switch (kind) {
    case Kind::kBayesAdd:
      return row(
          [&](int64_t x, int64_t y) { return numerics::ApplyBayesAdd(bayes, x, y, lo, hi); });
    case Kind::kBernoulli2Add:
      return row(
          [&](int64_t x, int64_t y) { return numerics::ApplyBernoulli2Add(b2, x, y, lo, hi); });
    case Kind::kMul:
      return row([&](int64_t x, int64_t y) { return numerics::ApplyMul(mul, x, y, lo, hi); });
    default:
      return row([&](int64_t x, int64_t y) { return Apply(x, y); });
  }
}

int64_t Eltwise::Apply(int64_t a, int64_t b) const {
  switch (kind) {
    case Kind::kBayesAdd:
      return numerics::ApplyBayesAdd(bayes, a, b, lo, hi);
    case Kind::kBernoulli2Add:
      return numerics::ApplyBernoulli2Add(b2, a, b, lo, hi);
    case Kind::kMul:
      return numerics::ApplyMul(mul, a, b, lo, hi);
    case Kind::kMax:
      return a > b ? a : b;
    case Kind::kMin:
      return a < b ? a : b;
    case Kind::kCmp:
      return isa::CmpHolds(cmp.predicate, numerics::CompareScaled(a, cmp.x_scale, b, cmp.y_scale))
                 ? 1
                 : 0;
  }
  return 0;
}

absl::StatusOr<Eltwise> MakeEltwise(isa::Opcode opcode, const uint8_t* param, int64_t lo,
                                    int64_t hi) {
  Eltwise e;
  e.lo = lo;
  e.hi = hi;
  switch (opcode) {
    case isa::Opcode::kVaeMax:
      e.kind = Eltwise::Kind::kMax;
      return e;
    case isa::Opcode::kVaeMin:
      e.kind = Eltwise::Kind::kMin;
      return e;
    case isa::Opcode::kVaeCmp: {
      absl::StatusOr<isa::CmpParam> p = isa::UnpackCmpParam(param);
      if (!p.ok()) return p.status();
      e.kind = Eltwise::Kind::kCmp;
      e.cmp = *p;
      return e;
    }
    case isa::Opcode::kVaeAdd:
    case isa::Opcode::kVaeSub: {
      absl::StatusOr<numerics::BayesAddParams> p = isa::UnpackBayesAdd(param);
      if (!p.ok()) return p.status();
      e.kind = Eltwise::Kind::kBayesAdd;
      e.bayes = *p;
      return e;
    }
    case isa::Opcode::kVaeAddB2: {
      absl::StatusOr<numerics::Bernoulli2AddParams> p = isa::UnpackBernoulli2Add(param);
      if (!p.ok()) return p.status();
      e.kind = Eltwise::Kind::kBernoulli2Add;
      e.b2 = *p;
      return e;
    }
    case isa::Opcode::kVaeMul: {
      absl::StatusOr<numerics::MulParams> p = isa::UnpackMul(param);
      if (!p.ok()) return p.status();
      e.kind = Eltwise::Kind::kMul;
      e.mul = *p;
      return e;
    }
    default:
      return absl::InvalidArgumentError("not an elementwise opcode");
  }
}

}  // namespace openbpu::sim
