#include "isa/numerics/reduce.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace openbpu::numerics {
namespace {

TEST(ReduceMaxTest, AxesOfA3DTensor) {
  // shape [2, 3, 2]
  const std::vector<int8_t> in = {1, -2, 3, 4, -5, 6, -128, 127, 0, 0, 9, -9};
  std::vector<int8_t> out(4);
  ReduceMax(in.data(), {2, 3, 2}, {false, true, false}, out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{3, 6, 9, 127}));
  std::vector<int8_t> all(1);
  ReduceMax(in.data(), {2, 3, 2}, {true, true, true}, all.data());
  EXPECT_EQ(all[0], 127);
  std::vector<int16_t> in16 = {-300, -200, -32768, -1};
  std::vector<int16_t> out16(2);
  ReduceMax(in16.data(), {2, 2}, {true, false}, out16.data());
  EXPECT_EQ(out16, (std::vector<int16_t>{-300, -1}));
}

TEST(ArgMaxTest, FirstOrLastOnTies) {
  // [outer 1, n 4, inner 2]
  const std::vector<int8_t> in = {5, -1, 7, -1, 7, 3, 2, 3};
  std::vector<int64_t> out(2);
  ArgMax(in.data(), 1, 4, 2, /*select_last=*/false, out.data());
  EXPECT_EQ(out, (std::vector<int64_t>{1, 2}));
  ArgMax(in.data(), 1, 4, 2, /*select_last=*/true, out.data());
  EXPECT_EQ(out, (std::vector<int64_t>{2, 3}));
}

TEST(TopKTest, SortedWithLowerIndexFirstOnTies) {
  const std::vector<int16_t> in = {4, 9, 4, -3, 9};
  std::vector<int16_t> values(3);
  std::vector<int64_t> indices(3);
  TopK(in.data(), 1, 5, 1, 3, /*largest=*/true, values.data(), indices.data());
  EXPECT_EQ(values, (std::vector<int16_t>{9, 9, 4}));
  EXPECT_EQ(indices, (std::vector<int64_t>{1, 4, 0}));
  TopK(in.data(), 1, 5, 1, 2, /*largest=*/false, values.data(), indices.data());
  EXPECT_EQ(values[0], -3);
  EXPECT_EQ(values[1], 4);
  EXPECT_EQ(indices[0], 3);
  EXPECT_EQ(indices[1], 0);
}

}  // namespace
}  // namespace openbpu::numerics
