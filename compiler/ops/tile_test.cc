// Tile: values, every dtype, zero repeats, bad and huge repeats.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(TileTest, Values) {
  auto r = RunOp("Tile", {In(Tensor::FromVector<float>({2, 2}, {1, 2, 3, 4})), Const(I64({2, 3}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {4, 6},
                      {1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4});
}

TEST(TileTest, Rank3Int64AndZeroRepeat) {
  auto r =
      RunOp("Tile", {In(Tensor::FromVector<int64_t>({1, 2, 1}, {5, -6})), Const(I64({1, 2, 2}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {1, 4, 2}, {5, 5, -6, -6, 5, 5, -6, -6});
  r = RunOp("Tile", {In(Tensor::FromVector<int64_t>({2}, {1, 2})), Const(I64({0}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {0}, {});
}

TEST(TileTest, EveryDType) {
  for (DType dtype : kAllDTypes) {
    Tensor x = Tensor::FromVector<int64_t>({2}, {1, 0}).CastTo(dtype);
    auto r = RunOp("Tile", {In(x), Const(I64({2}))});
    ASSERT_TRUE(r.ok()) << DTypeName(dtype) << ": " << r.status();
    EXPECT_EQ((*r)[0], Tensor::FromVector<int64_t>({4}, {1, 0, 1, 0}).CastTo(dtype));
  }
}

TEST(TileTest, Errors) {
  const Tensor x(DType::kFloat32, {1, 1});
  ExpectCode(RunOp("Tile", {In(x), Const(I64({2}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Tile", {In(x), Const(I64({-1, 2}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Tile", {In(x), Const(I64({1 << 16, 1 << 16}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Tile", {In(x), Const(I64({std::numeric_limits<int64_t>::max(), 1}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Tile", {In(Tensor(DType::kFloat32, {0, 1})),
                            Const(I64({std::numeric_limits<int64_t>::max(), 1}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Tile", {In(x), Const(T1<int32_t>({1, 1}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Tile", {In(x), In(I64({1, 1}))}), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
