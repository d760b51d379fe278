// Sub: float broadcasting, integer types with wraparound, mixed dtypes rejected.
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

TEST(SubOpTest, Values) {
  auto out = RunOp("Sub", {In(F({2, 2}, {1.f, 2.f, 3.f, 4.f})), Const(F({2}, {0.5f, -1.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2, 2}, {0.5f, 3.f, 2.5f, 5.f});
  out = RunOp("Sub", {In(Tensor::FromVector<int32_t>({2}, {5, -5})),
                      In(Tensor::FromVector<int32_t>({2}, {7, 7}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int32_t>({2}, {-2, -12}));
  const int64_t lowest = std::numeric_limits<int64_t>::lowest();
  out = RunOp("Sub", {In(Tensor::FromVector<int64_t>({2}, {lowest, 9})),
                      Const(Tensor::Scalar<int64_t>(1))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int64_t>({2}, {std::numeric_limits<int64_t>::max(), 8}));
  out = RunOp("Sub", {In(Tensor::FromVector<uint8_t>({2}, {3, 9})),
                      In(Tensor::FromVector<uint8_t>({2}, {5, 4}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<uint8_t>({2}, {254, 5}));
}

TEST(SubOpTest, RejectsMixedAndBoolDTypes) {
  auto out = RunOp("Sub", {In(F({1}, {1.f})), In(Tensor::FromVector<int32_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  out = RunOp("Sub", {In(Tensor::FromVector<bool>({1}, {true})),
                      In(Tensor::FromVector<bool>({1}, {true}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
