#include "isa/numerics/resize.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace openbpu::numerics {
namespace {

using M = ResizeCoordinateMode;
using N = NearestMode;

TEST(NearestIndexTableTest, ModesAndRounding) {
  // Upsample 3 -> 6 asymmetric: x = o / 2.
  EXPECT_EQ(NearestIndexTable(M::kAsymmetric, N::kFloor, 3, 6, 2.0),
            (std::vector<int64_t>{0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(NearestIndexTable(M::kAsymmetric, N::kCeil, 3, 6, 2.0),
            (std::vector<int64_t>{0, 1, 1, 2, 2, 2}));
  // half_pixel 2 -> 4: x = -0.25, 0.25, 0.75, 1.25.
  EXPECT_EQ(NearestIndexTable(M::kHalfPixel, N::kRoundPreferFloor, 2, 4, 2.0),
            (std::vector<int64_t>{0, 0, 1, 1}));
  // asymmetric 4 -> 3 (scale 0.75): x = 0, 4/3, 8/3 -> ties none; round.
  EXPECT_EQ(NearestIndexTable(M::kAsymmetric, N::kRoundPreferFloor, 4, 3, 0.75),
            (std::vector<int64_t>{0, 1, 3}));
  // Exact ties x = 0.5, 1.5 (asymmetric, scale 2/3... use align_corners 2 -> 3: x = 0, 0.5, 1).
  EXPECT_EQ(NearestIndexTable(M::kAlignCorners, N::kRoundPreferFloor, 2, 3, 1.5),
            (std::vector<int64_t>{0, 0, 1}));
  EXPECT_EQ(NearestIndexTable(M::kAlignCorners, N::kRoundPreferCeil, 2, 3, 1.5),
            (std::vector<int64_t>{0, 1, 1}));
}

TEST(LinearTapTableTest, Q16WeightsSumToOne) {
  const std::vector<LinearTap> t = LinearTapTable(M::kHalfPixel, 2, 4, 2.0);
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].i0, 0);
  EXPECT_EQ(t[0].w1, 0);  // x = -0.25 clamps to the edge: one tap
  EXPECT_EQ(t[1].i0, 0);
  EXPECT_EQ(t[1].i1, 1);
  EXPECT_EQ(t[1].w1, 16384);  // 0.25 in Q16
  EXPECT_EQ(t[2].w1, 49152);
  EXPECT_EQ(t[3].i0, 1);
  EXPECT_EQ(t[3].w1, 0);
  EXPECT_TRUE(IsInterpolated(t));
  EXPECT_FALSE(IsInterpolated(LinearTapTable(M::kHalfPixel, 5, 5, 1.0)));
  // 1/3 rounds half up in Q16: 21845.33 -> 21845.
  EXPECT_EQ(LinearTapTable(M::kAlignCorners, 2, 4, 2.0)[1].w1, 21845);
}

TEST(ResizeLinearTest, OneDimensionRoundsOnce) {
  const std::vector<int8_t> in = {0, 100, 0, 3};  // two rows [1, 2] each: shape [2, 2]
  const std::vector<std::vector<LinearTap>> taps = {LinearTapTable(M::kHalfPixel, 2, 2, 1.0),
                                                    LinearTapTable(M::kHalfPixel, 2, 4, 2.0)};
  // s_in = s_out: multiplier 2^-16.
  const RequantizeRecord r = *MakeRequantizeRecord(std::ldexp(1.0, -16));
  std::vector<int8_t> out(8);
  ASSERT_TRUE(ResizeLinear(in.data(), {2, 2}, {2, 4}, taps, r, -128, 127, out.data()).ok());
  // 0.75 rounds up to 1, 2.25 down to 2.
  EXPECT_EQ(out, (std::vector<int8_t>{0, 25, 75, 100, 0, 1, 2, 3}));
  // Output scale twice the input's: halves, rounding half up; int16 output.
  const RequantizeRecord half = *MakeRequantizeRecord(std::ldexp(1.0, -17));
  std::vector<int16_t> out16(8);
  ASSERT_TRUE(
      ResizeLinear(in.data(), {2, 2}, {2, 4}, taps, half, -32768, 32767, out16.data()).ok());
  EXPECT_EQ(out16, (std::vector<int16_t>{0, 13, 38, 50, 0, 0, 1, 2}));
}

TEST(ResizeLinearTest, BilinearAndSaturation) {
  const std::vector<int16_t> in = {0, 40, 80, 120};  // [2, 2]
  const std::vector<std::vector<LinearTap>> taps = {LinearTapTable(M::kHalfPixel, 2, 4, 2.0),
                                                    LinearTapTable(M::kHalfPixel, 2, 4, 2.0)};
  const RequantizeRecord r = *MakeRequantizeRecord(std::ldexp(1.0, -32));
  std::vector<int16_t> out(16);
  ASSERT_TRUE(ResizeLinear(in.data(), {2, 2}, {4, 4}, taps, r, -32768, 32767, out.data()).ok());
  EXPECT_EQ(out, (std::vector<int16_t>{0, 10, 30, 40, 20, 30, 50, 60, 60, 70, 90, 100, 80, 90, 110,
                                       120}));
  // Output scale 1/2 of the input's: values double and saturate at 127 for int8.
  const RequantizeRecord twice = *MakeRequantizeRecord(std::ldexp(1.0, -31));
  std::vector<int8_t> out8(16);
  ASSERT_TRUE(ResizeLinear(in.data(), {2, 2}, {4, 4}, taps, twice, -128, 127, out8.data()).ok());
  EXPECT_EQ(out8[1], 20);
  EXPECT_EQ(out8[15], 127);
}

TEST(ResizeLinearTest, ThreeInterpolatedDimensionsAreUnimplemented) {
  const std::vector<int8_t> in(8, 1);
  const std::vector<LinearTap> t = LinearTapTable(M::kHalfPixel, 2, 4, 2.0);
  std::vector<int8_t> out(64);
  const RequantizeRecord r = *MakeRequantizeRecord(std::ldexp(1.0, -48));
  EXPECT_EQ(
      ResizeLinear(in.data(), {2, 2, 2}, {4, 4, 4}, {t, t, t}, r, -128, 127, out.data()).code(),
      absl::StatusCode::kUnimplemented);
}

TEST(ResizeNearestCopyTest, GathersByTables) {
  const std::vector<int16_t> in = {1, 2, 3, 4, 5, 6};  // [2, 3]
  std::vector<int16_t> out(4);
  ResizeNearestCopy(in.data(), {2, 3}, {2, 2}, {{1, 0}, {2, 0}}, out.data());
  EXPECT_EQ(out, (std::vector<int16_t>{6, 4, 3, 1}));
}

}  // namespace
}  // namespace openbpu::numerics
