// FastRequant (the host's 64-bit requantize path, with sumin) and RequantRow (its vector form)
// against ApplyRequantParam (isa/numerics' int128 arithmetic) on random records and values and
// on the edges of their domain: whenever they take an element, they give the same integer.
#include "simulator/eltwise.h"

#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "isa/numerics/elementwise.h"

namespace openbpu::sim {
namespace {

isa::RequantParam RandomParam(std::mt19937_64& rng, int i) {
  isa::RequantParam p;
  p.bias = static_cast<int32_t>(rng());
  if (i % 3 == 0) p.bias = static_cast<int32_t>(rng() % 2001) - 1000;
  p.acc.multiplier = static_cast<int32_t>((int64_t{1} << 30) + rng() % (int64_t{1} << 30));
  if (i % 97 == 0) p.acc.multiplier = 0;
  p.acc.shift = static_cast<int8_t>(static_cast<int>(rng() % 128) - 32);  // [-32, 95]
  if (i % 2 == 0) p.acc.shift = static_cast<int8_t>(25 + rng() % 20);     // the usual range
  if (i % 4 != 0) {  // a sumin record (else the zero record)
    p.sumin.multiplier = static_cast<int32_t>((int64_t{1} << 30) + rng() % (int64_t{1} << 30));
    p.sumin.shift = static_cast<int8_t>(i % 3 == 0 ? static_cast<int>(rng() % 128) - 32
                                                   : p.acc.shift - static_cast<int>(rng() % 12));
    if (!numerics::SumRecordsCompatible(p.acc, p.sumin)) p.sumin = {};
  }
  p.lo = i % 5 == 0 ? 0 : INT32_MIN;
  p.hi = i % 7 == 0 ? static_cast<int32_t>(rng() % 127) : INT32_MAX;
  return p;
}

const int64_t kEdges[] = {
    0,         1,        -1, (int64_t{1} << 31) - 1, -(int64_t{1} << 31) + 1, int64_t{1} << 31,
    INT32_MAX, INT32_MIN};

TEST(FastRequant, EqualsApplyRequantParamWhereverItApplies) {
  std::mt19937_64 rng(20261203);
  int64_t taken = 0, declined = 0;
  for (int i = 0; i < 200000; ++i) {
    const isa::RequantParam p = RandomParam(rng, i);
    const int bits = (i % 3) * 8;  // no sumin, int8, int16
    const int64_t lo = i % 2 ? -128 : -32768, hi = i % 2 ? 127 : 32767;
    const int64_t x =
        i % 11 == 0 ? kEdges[rng() % 8] : static_cast<int64_t>(static_cast<int32_t>(rng()));
    const int64_t s = bits == 0   ? 0
                      : bits == 8 ? static_cast<int8_t>(rng())
                                  : static_cast<int16_t>(rng());
    const FastRequant f = FastRequant::Make(p, /*int32_acc=*/true, bits, lo, hi);
    int64_t got = 0;
    if (f.Apply(x, s, &got)) {
      ++taken;
      ASSERT_EQ(got, ApplyRequantParam(p, x, s, lo, hi))
          << "x=" << x << " s=" << s << " bias=" << p.bias << " ma=" << p.acc.multiplier
          << " sa=" << static_cast<int>(p.acc.shift) << " ms=" << p.sumin.multiplier
          << " ss=" << static_cast<int>(p.sumin.shift);
    } else {
      ++declined;
    }
  }
  std::printf("fast-requant: %lld elements taken and equal, %lld declined\n",
              static_cast<long long>(taken), static_cast<long long>(declined));
  EXPECT_GT(taken, 100000);
  EXPECT_GT(declined, 1000);
  // Never for int64 accumulators, nor when the common shift passes 62.
  isa::RequantParam p;
  p.acc = {1 << 30, 31};
  int64_t out;
  EXPECT_FALSE(FastRequant::Make(p, /*int32_acc=*/false, 0, -128, 127).Apply(5, 0, &out));
  p.acc.shift = 70;
  EXPECT_FALSE(FastRequant::Make(p, true, 0, -128, 127).Apply(5, 0, &out));
}

// RequantRow (AVX-512 where the host has it) equals ApplyRequantParam element for element, on
// rows of every length mod 8 over several pixels with padded pitches, with declined elements
// mixed in, and in place over its sumin.
TEST(RequantRow, EqualsApplyRequantParamOnEveryElement) {
  std::mt19937_64 rng(7);
  int64_t elements = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    const int channels = 1 + static_cast<int>(rng() % 37);
    const int64_t pixels = 1 + static_cast<int64_t>(rng() % 5);
    const int bits = (trial % 3) * 8;
    const int out_bits = trial % 5 == 0 ? 16 : 8;
    const int64_t lo = out_bits == 16 ? -32768 : -128, hi = out_bits == 16 ? 32767 : 127;
    std::vector<isa::RequantParam> params;
    std::vector<FastRequant> fast;
    for (int c = 0; c < channels; ++c) {
      params.push_back(RandomParam(rng, trial * 64 + c));
      if (trial % 2) params.back().bias = static_cast<int32_t>(rng() % 2001) - 1000;
      fast.push_back(FastRequant::Make(params.back(), true, bits, lo, hi));
    }
    // Pixels padded past their channels (pitches), as the SRAM tensors are.
    const int64_t x_stride = 4 * (channels + 3), s_stride = 2 * (channels + 5),
                  o_stride = 2 * (channels + 1);
    std::vector<uint8_t> x(static_cast<size_t>(pixels * x_stride)),
        s(static_cast<size_t>(pixels * s_stride)), out(static_cast<size_t>(pixels * o_stride));
    for (int64_t p = 0; p < pixels; ++p) {
      for (int c = 0; c < channels; ++c) {
        const int32_t v =
            rng() % 9 == 0 ? static_cast<int32_t>(kEdges[rng() % 8])
                           : static_cast<int32_t>(static_cast<int64_t>(rng() % 2000001) - 1000000);
        std::memcpy(&x[static_cast<size_t>(p * x_stride + 4 * c)], &v, 4);
      }
      for (int64_t i = 0; i < s_stride; ++i) s[static_cast<size_t>(p * s_stride + i)] = rng();
    }
    const auto xv = [&](int64_t p, int c) {
      int32_t v;
      std::memcpy(&v, &x[static_cast<size_t>(p * x_stride + 4 * c)], 4);
      return v;
    };
    const std::vector<uint8_t> s0 = s;
    const auto sv = [&](int64_t p, int c) -> int64_t {
      const uint8_t* at = &s0[static_cast<size_t>(p * s_stride)];
      return bits == 8    ? reinterpret_cast<const int8_t*>(at)[c]
             : bits == 16 ? reinterpret_cast<const int16_t*>(at)[c]
                          : 0;
    };
    const auto want = [&](int64_t p, int c) {
      return ApplyRequantParam(params[static_cast<size_t>(c)], xv(p, c), sv(p, c), lo, hi);
    };
    const auto slow = [&](int64_t p, int c, int64_t) { return want(p, c); };
    const auto got = [&](const uint8_t* base, int64_t stride, int64_t p, int c) -> int64_t {
      const uint8_t* at = base + p * stride;
      return out_bits == 8 ? reinterpret_cast<const int8_t*>(at)[c]
                           : reinterpret_cast<const int16_t*>(at)[c];
    };
    const RequantRow row = RequantRow::Make(fast);
    RequantOperands o{pixels,     x.data(), x_stride, bits ? s.data() : nullptr, bits, s_stride,
                      out.data(), out_bits, o_stride};
    row.Run(o, slow);
    for (int64_t p = 0; p < pixels; ++p)
      for (int c = 0; c < channels; ++c) ASSERT_EQ(got(out.data(), o_stride, p, c), want(p, c));
    if (bits != 0 && bits >= out_bits) {  // in place: each result overwrites its own sumin
      o.out = s.data();
      o.out_stride = s_stride;
      row.Run(o, slow);
      for (int64_t p = 0; p < pixels; ++p)
        for (int c = 0; c < channels; ++c)
          ASSERT_EQ(got(s.data(), s_stride, p, c), want(p, c)) << "in place";
    }
    elements += pixels * channels;
  }
  std::printf("requant-row: %lld elements equal\n", static_cast<long long>(elements));
}

// Eltwise::ApplyS8 (vectorized for vae.mul) equals Apply element for element: random records
// over the whole shift range, rows of every length mod 8, y per element or broadcast, in place.
TEST(Eltwise, MulRowEqualsApplyOnEveryElement) {
  std::mt19937_64 rng(11);
  int64_t elements = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    Eltwise e;
    e.kind = Eltwise::Kind::kMul;
    e.mul.out.multiplier = static_cast<int32_t>((int64_t{1} << 30) + rng() % (int64_t{1} << 30));
    e.mul.out.shift = static_cast<int8_t>(trial % 3 == 0 ? static_cast<int>(rng() % 128) - 32
                                                         : 20 + static_cast<int>(rng() % 20));
    e.lo = trial % 4 == 0 ? 0 : -128;
    e.hi = 127;
    const int64_t n = 1 + static_cast<int64_t>(rng() % 70);
    const int64_t b_step = trial % 2;
    std::vector<int8_t> a(static_cast<size_t>(n)), b(static_cast<size_t>(n)), out(a.size());
    for (auto& v : a) v = static_cast<int8_t>(rng());
    for (auto& v : b) v = static_cast<int8_t>(rng());
    e.ApplyS8(a.data(), b.data(), b_step, out.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(out[static_cast<size_t>(i)],
                e.Apply(a[static_cast<size_t>(i)], b[static_cast<size_t>(i * b_step)]))
          << "i=" << i << " shift=" << static_cast<int>(e.mul.out.shift);
    }
    std::vector<int8_t> inplace = a;
    e.ApplyS8(inplace.data(), b.data(), b_step, inplace.data(), n);
    EXPECT_EQ(inplace, out);
    elements += n;
  }
  std::printf("mul-row: %lld elements equal\n", static_cast<long long>(elements));
}

}  // namespace
}  // namespace openbpu::sim
