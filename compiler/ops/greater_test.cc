// Greater: float (NaN compares false) and integer inputs, bool output.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(GreaterOpTest, Values) {
  auto out = RunOp("Greater", {In(F({2, 2}, {1.f, 2.f, 3.f, kNaN})), In(F({2}, {2.f, 2.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<bool>({2, 2}, {false, false, true, false}));
  out = RunOp("Greater", {In(Tensor::FromVector<int64_t>({3}, {-1, 0, 5})),
                          Const(Tensor::Scalar<int64_t>(0))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<bool>({3}, {false, false, true}));
  out = RunOp("Greater", {In(Tensor::FromVector<int32_t>({2}, {3, 4})),
                          In(Tensor::FromVector<int32_t>({2}, {4, 3}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<bool>({2}, {false, true}));
}

TEST(GreaterOpTest, RejectsBoolAndMixedDTypes) {
  auto out = RunOp("Greater", {In(Tensor::FromVector<bool>({1}, {true})),
                               In(Tensor::FromVector<bool>({1}, {false}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
  out = RunOp("Greater", {In(F({1}, {1.f})), In(Tensor::FromVector<int64_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
