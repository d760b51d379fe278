// Neg: float and signed integer values (-lowest wraps), unsigned rejected.
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

TEST(NegOpTest, FloatAndIntegerValues) {
  auto out = RunOp("Neg", {In(F({3}, {1.f, -2.5f, 0.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {3}, {-1.f, 2.5f, 0.f});
  const int64_t lowest = std::numeric_limits<int64_t>::lowest();
  out = RunOp("Neg", {In(Tensor::FromVector<int64_t>({3}, {5, -7, lowest}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int64_t>({3}, {-5, 7, lowest}));
  out = RunOp("Neg", {In(Tensor::FromVector<int32_t>({2}, {3, -4}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int32_t>({2}, {-3, 4}));
}

TEST(NegOpTest, RejectsUnsignedAndBool) {
  auto out = RunOp("Neg", {In(Tensor::FromVector<uint8_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
  out = RunOp("Neg", {In(Tensor::FromVector<bool>({1}, {true}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
