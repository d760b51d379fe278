#include "isa/numerics/pool.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace openbpu::numerics {
namespace {

PoolWindows Windows1D(int64_t in, int64_t out, int64_t k, int64_t s, int64_t dil, int64_t pb,
                      int64_t pe) {
  return PoolWindows{{in}, {out}, {k}, {s}, {dil}, {pb}, {pe}};
}

TEST(MaxPoolTest, Int8PaddingNeverWins) {
  // in [-5, -3, -7, -1], k 2, stride 2, pads 1/1 -> windows {pad,-5} {-3,-7} {-1,pad}.
  const std::vector<int8_t> in = {-5, -3, -7, -1};
  std::vector<int8_t> out(3);
  MaxPool(in.data(), 1, Windows1D(4, 3, 2, 2, 1, 1, 1), out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{-5, -3, -1}));
}

TEST(MaxPoolTest, Int16TwoDimensionsTwoChannelsDilation) {
  // 2 channels of 3x3, kernel 2x2, dilation 2 in width, stride 1: output 2x1.
  std::vector<int16_t> in(18);
  for (int i = 0; i < 18; ++i) in[i] = static_cast<int16_t>((i * 7919) % 601 - 300);
  PoolWindows g{{3, 3}, {2, 1}, {2, 2}, {1, 1}, {1, 2}, {0, 0}, {0, 0}};
  std::vector<int16_t> out(4);
  MaxPool(in.data(), 2, g, out.data());
  for (int c = 0; c < 2; ++c) {
    for (int oh = 0; oh < 2; ++oh) {
      int16_t m = INT16_MIN;
      for (int kh = 0; kh < 2; ++kh) {
        for (int kw = 0; kw < 2; ++kw) {
          m = std::max(m, in[c * 9 + (oh + kh) * 3 + kw * 2]);
        }
      }
      EXPECT_EQ(out[c * 2 + oh], m) << c << " " << oh;
    }
  }
}

TEST(MaxPoolTest, EmptyWindowGivesLowest) {
  // Window entirely in the end pad (ceil_mode-like geometry): -128.
  const std::vector<int8_t> in = {3};
  std::vector<int8_t> out(2);
  MaxPool(in.data(), 1, Windows1D(1, 2, 1, 2, 1, 0, 2), out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{3, -128}));
}

TEST(SumPoolTest, SumsAndDivisors) {
  const std::vector<int8_t> in = {127, 127, -128, 5};
  const PoolWindows g = Windows1D(4, 3, 2, 2, 1, 1, 1);
  std::vector<int64_t> sums(3);
  SumPool(in.data(), 1, g, sums.data());
  EXPECT_EQ(sums, (std::vector<int64_t>{127, -1, 5}));
  EXPECT_EQ(PoolDivisors(g, /*count_include_pad=*/true), (std::vector<int64_t>{2, 2, 2}));
  EXPECT_EQ(PoolDivisors(g, /*count_include_pad=*/false), (std::vector<int64_t>{1, 2, 1}));
}

}  // namespace
}  // namespace openbpu::numerics
