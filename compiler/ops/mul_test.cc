// Mul: float broadcasting, integer types with wraparound.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(MulOpTest, Values) {
  auto out = RunOp("Mul", {In(F({2, 2}, {1.f, 2.f, 3.f, 4.f})), In(F({2, 1}, {2.f, -0.5f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2, 2}, {2.f, 4.f, -1.5f, -2.f});
  out = RunOp("Mul", {In(Tensor::FromVector<int64_t>({2}, {int64_t{1} << 62, -3})),
                      Const(Tensor::Scalar<int64_t>(4))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int64_t>({2}, {0, -12}));
  out = RunOp("Mul", {In(Tensor::FromVector<int8_t>({2}, {100, -3})),
                      In(Tensor::FromVector<int8_t>({2}, {2, 5}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int8_t>({2}, {-56, -15}));
}

TEST(MulOpTest, RejectsBadShapesAndDTypes) {
  auto out = RunOp("Mul", {In(F({2}, {1.f, 2.f})), In(F({3}, {1.f, 2.f, 3.f}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  out = RunOp("Mul", {In(Tensor::FromVector<double>({1}, {1.0})),
                      In(Tensor::FromVector<double>({1}, {1.0}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
