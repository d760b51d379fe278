// FastRequant (the host's 64-bit requantize path, with sumin) and RequantRow (its vector form)
// against ApplyRequantParam (isa/numerics' int128 arithmetic) on random records and values and
// on the edges of their domain: whenever they take an element, they give the same integer.
#include "simulator/eltwise.h"

#include <cstdio>
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
// rows of every length mod 8, with declined elements mixed in, and in place over its sumin.
TEST(RequantRow, EqualsApplyRequantParamOnEveryElement) {
  std::mt19937_64 rng(7);
  int64_t elements = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const int channels = 1 + static_cast<int>(rng() % 37);
    const int bits = (trial % 3) * 8;
    const bool out16 = trial % 5 == 0;
    const int64_t lo = out16 ? -32768 : -128, hi = out16 ? 32767 : 127;
    std::vector<isa::RequantParam> params;
    std::vector<FastRequant> fast;
    std::vector<int32_t> x;
    std::vector<int16_t> s16;
    std::vector<int8_t> s8;
    for (int c = 0; c < channels; ++c) {
      params.push_back(RandomParam(rng, trial * 64 + c));
      if (trial % 2) params.back().bias = static_cast<int32_t>(rng() % 2001) - 1000;
      fast.push_back(FastRequant::Make(params.back(), true, bits, lo, hi));
      x.push_back(rng() % 9 == 0
                      ? static_cast<int32_t>(kEdges[rng() % 8])
                      : static_cast<int32_t>(static_cast<int64_t>(rng() % 2000001) - 1000000));
      s16.push_back(static_cast<int16_t>(rng()));
      s8.push_back(static_cast<int8_t>(rng()));
    }
    const RequantRow row = RequantRow::Make(fast);
    auto sumin = [&](int c) -> int64_t { return bits == 8 ? s8[c] : bits == 16 ? s16[c] : 0; };
    auto slow = [&](int c, int64_t xv) {
      return ApplyRequantParam(params[static_cast<size_t>(c)], xv, sumin(c), lo, hi);
    };
    const int8_t* p8 = bits == 8 ? s8.data() : nullptr;
    const int16_t* p16 = bits == 16 ? s16.data() : nullptr;
    if (out16) {
      std::vector<int16_t> got(static_cast<size_t>(channels));
      row.ToS16(x.data(), p8, p16, got.data(), slow);
      for (int c = 0; c < channels; ++c) ASSERT_EQ(got[c], slow(c, x[c])) << "c=" << c;
    } else {
      std::vector<int8_t> got(static_cast<size_t>(channels));
      row.ToS8(x.data(), p8, p16, got.data(), slow);
      for (int c = 0; c < channels; ++c) ASSERT_EQ(got[c], slow(c, x[c])) << "c=" << c;
      if (bits == 8) {  // in place: the output overwrites its own sumin row
        std::vector<int8_t> inplace = s8;
        std::vector<int64_t> want;
        for (int c = 0; c < channels; ++c) want.push_back(slow(c, x[c]));
        row.ToS8(x.data(), inplace.data(), nullptr, inplace.data(), [&](int c, int64_t xv) {
          return ApplyRequantParam(params[static_cast<size_t>(c)], xv, s8[c], lo, hi);
        });
        for (int c = 0; c < channels; ++c) ASSERT_EQ(inplace[c], want[c]) << "in place c=" << c;
      }
    }
    elements += channels;
  }
  std::printf("requant-row: %lld elements equal\n", static_cast<long long>(elements));
}

}  // namespace
}  // namespace openbpu::sim
