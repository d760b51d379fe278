// Unsqueeze: axes relative to the output rank, unsorted and bad axes.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(UnsqueezeTest, NegativeAxesCountFromOutputEnd) {
  auto r = RunOp("Unsqueeze", {In(Tensor::FromVector<int64_t>({3, 4}, std::vector<int64_t>(12, 9))),
                               Const(I64({0, -1}))});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0].shape(), (Shape{1, 3, 4, 1}));
  EXPECT_EQ((*r)[0].data<int64_t>()[11], 9);
}

TEST(UnsqueezeTest, UnsortedAxes) {
  auto r = RunOp("Unsqueeze", {In(Tensor(DType::kBool, {3, 4})), Const(I64({3, 0}))});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0].shape(), (Shape{1, 3, 4, 1}));
  r = RunOp("Unsqueeze", {In(Tensor(DType::kBool, {3, 4})), Const(I64({2, 0}))});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0].shape(), (Shape{1, 3, 1, 4}));
}

TEST(UnsqueezeTest, ScalarToVector) {
  auto r = RunOp("Unsqueeze", {In(Tensor::Scalar<float>(2.5f)), Const(I64({-1}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {1}, {2.5f});
}

TEST(UnsqueezeTest, Errors) {
  const Tensor x(DType::kFloat32, {3});
  for (const std::vector<int64_t>& axes :
       std::vector<std::vector<int64_t>>{{2}, {-3}, {1, -2}, {0, 0}}) {
    ExpectCode(RunOp("Unsqueeze", {In(x), Const(I64(axes))}), absl::StatusCode::kInvalidArgument);
  }
  ExpectCode(RunOp("Unsqueeze", {In(x), In(I64({0}))}), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
