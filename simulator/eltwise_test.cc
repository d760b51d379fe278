// FastRequant (the host's 64-bit requantize path) against ApplyRequantParam (isa/numerics'
// int128 arithmetic) on random records and values and on the edges of its domain: whenever it
// takes an element, it gives the same integer.
#include "simulator/eltwise.h"

#include <cstdio>
#include <random>

#include "gtest/gtest.h"

namespace openbpu::sim {
namespace {

TEST(FastRequant, EqualsApplyRequantParamWhereverItApplies) {
  std::mt19937_64 rng(20261203);
  int64_t taken = 0, declined = 0;
  const int64_t edges[] = {
      0,         1,        -1, (int64_t{1} << 31) - 1, -(int64_t{1} << 31) + 1, int64_t{1} << 31,
      INT32_MAX, INT32_MIN};
  for (int i = 0; i < 200000; ++i) {
    isa::RequantParam p;
    p.bias = static_cast<int32_t>(rng());
    if (i % 3 == 0) p.bias = static_cast<int32_t>(rng() % 2001) - 1000;
    p.acc.multiplier = static_cast<int32_t>((int64_t{1} << 30) + rng() % (int64_t{1} << 30));
    if (i % 97 == 0) p.acc.multiplier = 0;
    p.acc.shift = static_cast<int8_t>(static_cast<int>(rng() % 128) - 32);  // [-32, 95]
    if (i % 2 == 0) p.acc.shift = static_cast<int8_t>(25 + rng() % 20);     // the usual range
    p.lo = i % 5 == 0 ? 0 : INT32_MIN;
    p.hi = i % 7 == 0 ? static_cast<int32_t>(rng() % 127) : INT32_MAX;
    const int64_t lo = i % 2 ? -128 : -32768, hi = i % 2 ? 127 : 32767;
    const int64_t x =
        i % 11 == 0 ? edges[rng() % 8] : static_cast<int64_t>(static_cast<int32_t>(rng()));
    const FastRequant f = FastRequant::Make(p, /*int32_acc=*/true, /*sumin=*/false, lo, hi);
    int64_t got = 0;
    if (f.Apply(x, &got)) {
      ++taken;
      ASSERT_EQ(got, ApplyRequantParam(p, x, 0, lo, hi))
          << "x=" << x << " bias=" << p.bias << " m=" << p.acc.multiplier
          << " shift=" << static_cast<int>(p.acc.shift);
    } else {
      ++declined;
    }
  }
  std::printf("fast-requant: %lld elements taken and equal, %lld declined\n",
              static_cast<long long>(taken), static_cast<long long>(declined));
  EXPECT_GT(taken, 100000);
  EXPECT_GT(declined, 1000);
  // Never for sumin, int64 accumulators or a left shift.
  isa::RequantParam p;
  p.acc = {1 << 30, 31};
  int64_t out;
  EXPECT_FALSE(FastRequant::Make(p, true, /*sumin=*/true, -128, 127).Apply(5, &out));
  EXPECT_FALSE(FastRequant::Make(p, /*int32_acc=*/false, false, -128, 127).Apply(5, &out));
  p.acc.shift = -3;
  EXPECT_FALSE(FastRequant::Make(p, true, false, -128, 127).Apply(5, &out));
}

}  // namespace
}  // namespace openbpu::sim
