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

FastRequant FastRequant::Make(const isa::RequantParam& p, bool int32_acc, int sumin_bits,
                              int64_t lo, int64_t hi) {
  FastRequant f;
  const int sa = p.acc.shift, ss = p.sumin.shift;
  f.bias = p.bias;
  f.ma = p.acc.multiplier;
  f.ms = sumin_bits == 0 ? 0 : p.sumin.multiplier;  // vae.requant: sumin is 0
  // RequantizeWithSumin's cases: one record zero -> Requantize with the other.
  if (p.sumin.multiplier == 0) {
    f.ms = 0;
    f.n = std::max(0, sa);
  } else if (p.acc.multiplier == 0) {
    f.ma = 0;
    f.n = std::max(0, ss);
  } else {
    f.n = std::max({0, sa, ss});
  }
  f.da = f.ma == 0 ? 0 : f.n - sa;
  f.ds = f.ms == 0 ? 0 : f.n - ss;
  f.half = f.n > 0 && f.n <= 62 ? int64_t{1} << (f.n - 1) : 0;
  // |x + bias| < 2^(31 - da) and |M| < 2^31: |acc term| < 2^62. |sumin| <= 2^(bits - 1) and
  // |M| < 2^31: |sumin term| < 2^(bits + 30 + ds) <= 2^61 for ds <= 31 - bits. The rounding half
  // is at most 2^61: every sum stays below 2^63.
  f.ok = int32_acc && f.n <= 62 && f.da <= 31 && f.ds <= 31 - std::max(sumin_bits, 8);
  f.limit = f.ok ? int64_t{1} << (31 - f.da) : 0;
  f.lo = std::max<int64_t>(lo, p.lo);
  f.hi = std::min<int64_t>(hi, p.hi);
  return f;
}

RequantRow RequantRow::Make(std::vector<FastRequant> fast) {
  RequantRow r;
  r.channels = static_cast<int>(fast.size());
  const size_t lanes = (fast.size() + 7) / 8 * 8;
  for (auto* v : {&r.bias, &r.ma, &r.ms, &r.half, &r.lo, &r.hi, &r.limit, &r.da, &r.ds, &r.n}) {
    v->assign(lanes, 0);
  }
  for (size_t c = 0; c < fast.size(); ++c) {
    const FastRequant& f = fast[c];
    r.bias[c] = f.bias;
    r.ma[c] = f.ma;
    r.ms[c] = f.ms;
    r.half[c] = f.half;
    r.lo[c] = f.lo;
    r.hi[c] = f.hi;
    r.limit[c] = f.limit;
    r.da[c] = f.da;
    r.ds[c] = f.ds;
    r.n[c] = f.n;
  }
  r.fast = std::move(fast);
  return r;
}

namespace {

// The scalar form of RequantRow::Run (hosts without AVX-512).
void RowsScalar(const RequantRow& r, const RequantOperands& o, RequantRow::Slow slow) {
  for (int64_t p = 0; p < o.pixels; ++p) {
    const auto* x = reinterpret_cast<const int32_t*>(o.x + p * o.x_stride);
    const uint8_t* s = o.s != nullptr ? o.s + p * o.s_stride : nullptr;
    uint8_t* out = o.out + p * o.out_stride;
    for (int c = 0; c < r.channels; ++c) {
      const int64_t sv = s == nullptr    ? 0
                         : o.s_bits == 8 ? reinterpret_cast<const int8_t*>(s)[c]
                                         : reinterpret_cast<const int16_t*>(s)[c];
      int64_t v;
      if (!r.fast[static_cast<size_t>(c)].Apply(x[c], sv, &v)) v = slow(p, c, x[c]);
      if (o.out_bits == 8) {
        reinterpret_cast<int8_t*>(out)[c] = static_cast<int8_t>(v);
      } else {
        reinterpret_cast<int16_t*>(out)[c] = static_cast<int16_t>(v);
      }
    }
  }
}

bool HostHasAvx512() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                          __builtin_cpu_supports("avx512bw");
  return has;
}

}  // namespace

void RequantRow::Run(const RequantOperands& o, Slow slow) const {
  if (HostHasAvx512()) {
    internal::RequantRowsAvx512(*this, o, slow);
    return;
  }
  RowsScalar(*this, o, slow);
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
      // Element for element (out may alias a or b): each group of 8 reads before it writes.
      if (HostHasAvx512() && internal::MulRowS8Avx512(mul, lo, hi, a, b, b_step, out, n)) return;
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
