// Abs: float and integer values (|lowest| wraps), bool rejected.
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

TEST(AbsOpTest, FloatAndIntegerValues) {
  auto out = RunOp("Abs", {In(F({3}, {-1.5f, 2.f, -0.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {3}, {1.5f, 2.f, 0.f});
  const int32_t lowest = std::numeric_limits<int32_t>::lowest();
  out = RunOp("Abs", {In(Tensor::FromVector<int32_t>({3}, {-3, 4, lowest}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int32_t>({3}, {3, 4, lowest}));
  out = RunOp("Abs", {Const(Tensor::FromVector<int8_t>({2}, {-128, -7}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int8_t>({2}, {-128, 7}));
}

TEST(AbsOpTest, RejectsBool) {
  auto out = RunOp("Abs", {In(Tensor::FromVector<bool>({1}, {true}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
