#include "isa/numerics/compare.h"

#include <cmath>
#include <random>

#include "gtest/gtest.h"

namespace openbpu::numerics {
namespace {

TEST(CompareScaledTest, ExactScaleRoundTrips) {
  for (float s : {1.0f, 0.1f, 1.f / 3, 1e-30f, 3e38f, 1e-40f}) {
    const ExactScale e = ExactScaleOf(s);
    EXPECT_EQ(std::ldexp(static_cast<double>(e.mantissa), e.exponent), static_cast<double>(s));
  }
}

TEST(CompareScaledTest, MatchesExactRationalCompare) {
  const ExactScale a = ExactScaleOf(0.5f), b = ExactScaleOf(0.25f);
  EXPECT_EQ(CompareScaled(3, a, 6, b), 0);
  EXPECT_EQ(CompareScaled(3, a, 7, b), -1);
  EXPECT_EQ(CompareScaled(-3, a, -7, b), 1);
  EXPECT_EQ(CompareScaled(0, a, 0, b), 0);
  // Huge exponent gap: the nonzero side dominates, signs decide.
  const ExactScale tiny = ExactScaleOf(1e-38f), huge = ExactScaleOf(1e38f);
  EXPECT_EQ(CompareScaled(32767, tiny, 1, huge), -1);
  EXPECT_EQ(CompareScaled(-1, huge, -32768, tiny), -1);
  EXPECT_EQ(CompareScaled(0, huge, -1, tiny), 1);
  // Random: against long double products (exact: 16-bit x 24-bit < 64 bits).
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> q(-32768, 32767);
  std::uniform_real_distribution<float> s(0.001f, 10.f);
  for (int i = 0; i < 20000; ++i) {
    const int x = q(rng), y = i % 3 == 0 ? x : q(rng);
    const float sx = s(rng), sy = i % 5 == 0 ? sx : s(rng);
    const long double px = static_cast<long double>(x) * sx;
    const long double py = static_cast<long double>(y) * sy;
    const int want = px < py ? -1 : (px > py ? 1 : 0);
    ASSERT_EQ(CompareScaled(x, ExactScaleOf(sx), y, ExactScaleOf(sy)), want) << x << " " << y;
  }
}

}  // namespace
}  // namespace openbpu::numerics
