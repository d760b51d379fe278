#include "isa/numerics/requantize.h"

#include <cmath>
#include <random>

#include "gtest/gtest.h"

namespace openbpu::numerics {
namespace {

TEST(SaturateTest, ClampsNeverWraps) {
  EXPECT_EQ(SaturateInt8(128), 127);
  EXPECT_EQ(SaturateInt8(-129), -128);
  EXPECT_EQ(SaturateInt8(5), 5);
  EXPECT_EQ(SaturateInt16(40000), 32767);
  EXPECT_EQ(SaturateInt32(int64_t{1} << 40), INT32_MAX);
}

TEST(RoundingShiftRightTest, RoundsHalfUp) {
  EXPECT_EQ(RoundingShiftRight(5, 1), 3);    // 2.5 -> 3
  EXPECT_EQ(RoundingShiftRight(-5, 1), -2);  // -2.5 -> -2 (half up)
  EXPECT_EQ(RoundingShiftRight(7, 2), 2);    // 1.75 -> 2
  EXPECT_EQ(RoundingShiftRight(-7, 2), -2);  // -1.75 -> -2
  EXPECT_EQ(RoundingShiftRight(6, 2), 2);    // 1.5 -> 2
  EXPECT_EQ(RoundingShiftRight(-6, 2), -1);  // -1.5 -> -1
  EXPECT_EQ(RoundingShiftRight(12345, 0), 12345);
  EXPECT_EQ(RoundingShiftRight(INT64_MAX, 126), 0);
}

TEST(RequantizeRecordTest, MultiplierRangeAndExactness) {
  for (double real : {1.0, 0.5, 0.75, 1e-3, 0.0123456, 3.0, 1000.5, 1.0 / 3}) {
    absl::StatusOr<RequantizeRecord> r = MakeRequantizeRecord(real);
    ASSERT_TRUE(r.ok()) << real;
    EXPECT_GE(r->multiplier, 1 << 30) << real;
    EXPECT_LT(static_cast<int64_t>(r->multiplier), int64_t{1} << 31) << real;
    EXPECT_NEAR(RecordToReal(*r), real, real * std::ldexp(1.0, -31)) << real;
  }
  EXPECT_EQ(*MakeRequantizeRecord(1.0), (RequantizeRecord{1 << 30, 30}));
  EXPECT_EQ(*MakeRequantizeRecord(0.0), RequantizeRecord{});
  EXPECT_EQ(*MakeRequantizeRecord(1e-40), RequantizeRecord{});
  EXPECT_FALSE(MakeRequantizeRecord(-1.0).ok());
  EXPECT_FALSE(MakeRequantizeRecord(std::nan("")).ok());
  EXPECT_FALSE(MakeRequantizeRecord(1e30).ok());
}

TEST(RequantizeTest, IdentityScaleJustClamps) {
  const RequantizeRecord one = *MakeRequantizeRecord(1.0);
  EXPECT_EQ(Requantize(128, one, -128, 127), 127);  // never wraps to -128
  EXPECT_EQ(Requantize(-200, one, -128, 127), -128);
  EXPECT_EQ(Requantize(42, one, -128, 127), 42);
}

TEST(RequantizeTest, MatchesExactRationalRounding) {
  // out = floor(acc * m / 2^n + 1/2), checked against long double arithmetic.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const double real =
        std::ldexp(1.0 + (rng() % 1000000) / 1e6, static_cast<int>(rng() % 40) - 30);
    const RequantizeRecord r = *MakeRequantizeRecord(real);
    const int64_t acc = static_cast<int64_t>(rng() % 4000000) - 2000000;
    const long double exact =
        static_cast<long double>(acc) * r.multiplier / std::ldexp(1.0L, r.shift);
    const int64_t want =
        std::max<int64_t>(-32768, std::min<int64_t>(32767, std::floor(exact + 0.5L)));
    ASSERT_EQ(Requantize(acc, r, -32768, 32767), want) << acc << " " << real;
  }
}

TEST(RequantizeTest, HugeMultiplierSaturatesThroughLeftShift) {
  const RequantizeRecord big = *MakeRequantizeRecord(std::ldexp(1.0, 40));
  EXPECT_LT(big.shift, 0);
  EXPECT_EQ(Requantize(1, big, INT32_MIN, INT32_MAX), INT32_MAX);
  EXPECT_EQ(Requantize(-1, big, INT32_MIN, INT32_MAX), INT32_MIN);
  EXPECT_EQ(Requantize(0, big, INT32_MIN, INT32_MAX), 0);
  // Extreme accumulators with the largest shift never overflow.
  const RequantizeRecord tiny = *MakeRequantizeRecord(std::ldexp(1.0, -60));
  EXPECT_EQ(Requantize(INT64_MAX, tiny, INT32_MIN, INT32_MAX), 8);
  EXPECT_EQ(Requantize(INT64_MIN, tiny, INT32_MIN, INT32_MAX), -8);
}

}  // namespace
}  // namespace openbpu::numerics
