// Log: values including log(0) = -inf and NaN below zero.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(LogOpTest, Values) {
  auto out = RunOp("Log", {In(F({4}, {1.f, 2.7182818f, 0.f, -1.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {4}, {0.f, 1.f, -kInf, kNaN});
}

TEST(LogOpTest, RejectsBoolInput) {
  auto out = RunOp("Log", {In(Tensor::FromVector<bool>({1}, {true}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
