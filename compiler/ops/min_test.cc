// Min: one input, several broadcast inputs, integers, NaN propagation.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(MinOpTest, Values) {
  auto out = RunOp("Min", {In(F({3}, {3.f, 2.f, 1.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {3}, {3.f, 2.f, 1.f});
  out = RunOp("Min", {In(F({2, 1}, {1.f, 5.f})), In(F({3}, {0.f, 2.f, 7.f})),
                      Const(Tensor::Scalar<float>(4.f))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2, 3}, {0.f, 1.f, 1.f, 0.f, 2.f, 4.f});
  out = RunOp("Min", {In(F({2}, {kNaN, 1.f})), In(F({2}, {0.f, kNaN}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2}, {kNaN, kNaN});
  out = RunOp("Min", {In(Tensor::FromVector<int32_t>({3}, {3, -2, 1})),
                      In(Tensor::FromVector<int32_t>({3}, {1, 4, 4}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int32_t>({3}, {1, -2, 1}));
  out = RunOp("Min", {In(Tensor::FromVector<int64_t>({2}, {3, -9})),
                      Const(Tensor::FromVector<int64_t>({1}, {0}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int64_t>({2}, {0, -9}));
}

TEST(MinOpTest, RejectsMixedAndBoolDTypes) {
  auto out = RunOp("Min", {In(F({1}, {1.f})), In(Tensor::FromVector<int64_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  out = RunOp("Min", {In(Tensor::FromVector<bool>({1}, {true}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
