#include "isa/numerics/movement.h"

#include <cstdint>
#include <numeric>
#include <vector>

#include "gtest/gtest.h"

namespace openbpu::numerics {
namespace {

std::vector<int16_t> Iota(int n) {
  std::vector<int16_t> v(n);
  std::iota(v.begin(), v.end(), int16_t{0});
  return v;
}

std::vector<int16_t> Copy(const std::vector<int16_t>& src, const StridedView& view) {
  int64_t n = 1;
  for (int64_t d : view.shape) n *= d;
  std::vector<int16_t> out(n);
  StridedCopy(src.data(), view, out.data());
  return out;
}

TEST(MovementTest, Transpose) {
  // [2, 3] -> [3, 2]
  EXPECT_EQ(Copy(Iota(6), TransposeView({2, 3}, {1, 0})), (std::vector<int16_t>{0, 3, 1, 4, 2, 5}));
}

TEST(MovementTest, SliceWithNegativeStep) {
  // [2, 4]: rows 0..1, columns 3, 1 (start 3, step -2).
  EXPECT_EQ(Copy(Iota(8), SliceView({2, 4}, {0, 3}, {1, -2}, {2, 2})),
            (std::vector<int16_t>{3, 1, 7, 5}));
}

TEST(MovementTest, BroadcastAndTile) {
  EXPECT_EQ(Copy(Iota(3), BroadcastView({3, 1}, {2, 3, 2})),
            (std::vector<int16_t>{0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2}));
  // [2, 2] tiled by [1, 2] -> [2, 4]
  EXPECT_EQ(Copy(Iota(4), TileView({2, 2}, {1, 2})),
            (std::vector<int16_t>{0, 1, 0, 1, 2, 3, 2, 3}));
}

TEST(MovementTest, DepthToSpaceAndBack) {
  // [1, 8, 1, 1] block 2 DCR -> [1, 2, 2, 2]: output (c, i, j) reads channel (i*2+j)*2+c.
  EXPECT_EQ(Copy(Iota(8), DepthToSpaceView({1, 8, 1, 1}, 2, /*crd=*/false)),
            (std::vector<int16_t>{0, 2, 4, 6, 1, 3, 5, 7}));
  EXPECT_EQ(Copy(Iota(8), DepthToSpaceView({1, 8, 1, 1}, 2, /*crd=*/true)), Iota(8));
  // SpaceToDepth inverts DCR on a bigger tensor.
  const std::vector<int16_t> x = Iota(2 * 3 * 4 * 6);
  const std::vector<int16_t> d = Copy(x, SpaceToDepthView({2, 3, 4, 6}, 2));
  EXPECT_EQ(Copy(d, DepthToSpaceView({2, 12, 2, 3}, 2, /*crd=*/false)), x);
}

}  // namespace
}  // namespace openbpu::numerics
