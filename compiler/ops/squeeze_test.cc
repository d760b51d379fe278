// Squeeze: with and without axes, negative and empty axes, bad axes.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(SqueezeTest, AllOnes) {
  auto r = RunOp("Squeeze", {In(Tensor::FromVector<int64_t>({1, 3, 1, 1}, {4, 5, 6}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {3}, {4, 5, 6});
}

TEST(SqueezeTest, NegativeAxis) {
  auto r = RunOp("Squeeze", {In(Tensor(DType::kBool, {1, 3, 1, 2})), Const(I64({-2}))});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0].shape(), (Shape{1, 3, 2}));
  r = RunOp("Squeeze", {In(Tensor(DType::kInt8, {1, 3, 1, 2})), Const(I64({2, -4}))});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0].shape(), (Shape{3, 2}));
}

TEST(SqueezeTest, EmptyAxesSqueezesNothing) {
  auto r = RunOp("Squeeze", {In(Tensor(DType::kFloat32, {1, 2})), Const(I64({}))});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0].shape(), (Shape{1, 2}));
}

TEST(SqueezeTest, Errors) {
  const Tensor x(DType::kFloat32, {1, 3, 1});
  for (const std::vector<int64_t>& axes :
       std::vector<std::vector<int64_t>>{{1}, {3}, {-4}, {0, -3}}) {
    ExpectCode(RunOp("Squeeze", {In(x), Const(I64(axes))}), absl::StatusCode::kInvalidArgument);
  }
  ExpectCode(RunOp("Squeeze", {In(Tensor::Scalar<float>(1)), Const(I64({0}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Squeeze", {In(x), In(I64({0}))}), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
