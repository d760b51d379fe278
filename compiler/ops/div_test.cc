// Div: float division, integer division truncating toward zero, division by zero.
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

TEST(DivOpTest, FloatValues) {
  auto out = RunOp("Div", {In(F({3}, {3.f, -7.f, 1.f})), In(F({3}, {2.f, 2.f, 0.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {3}, {1.5f, -3.5f, kInf});
}

TEST(DivOpTest, IntegerValuesTruncateTowardZero) {
  auto out = RunOp("Div", {In(Tensor::FromVector<int32_t>({5}, {7, -7, 7, -7, 5})),
                           In(Tensor::FromVector<int32_t>({5}, {2, 2, -2, -2, 0}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int32_t>({5}, {3, -3, -3, 3, 0}));
  const int64_t lowest = std::numeric_limits<int64_t>::lowest();
  out = RunOp("Div", {In(Tensor::FromVector<int64_t>({2}, {lowest, 9})),
                      Const(Tensor::Scalar<int64_t>(-1))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int64_t>({2}, {lowest, -9}));
  out = RunOp("Div", {In(Tensor::FromVector<uint8_t>({2}, {200, 7})),
                      In(Tensor::FromVector<uint8_t>({2}, {3, 8}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<uint8_t>({2}, {66, 0}));
}

TEST(DivOpTest, RejectsBool) {
  auto out = RunOp("Div", {In(Tensor::FromVector<bool>({1}, {true})),
                           In(Tensor::FromVector<bool>({1}, {true}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
