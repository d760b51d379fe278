// LeakyRelu: default alpha 0.01 and a custom alpha.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(LeakyReluOpTest, DefaultAndCustomAlpha) {
  auto out = RunOp("LeakyRelu", {In(F({3}, {-1.f, 0.f, 2.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {3}, {-0.01f, 0.f, 2.f});
  out = RunOp("LeakyRelu", {In(F({2}, {-4.f, 3.f}))}, Attrs({{"alpha", 0.5f}}));
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2}, {-2.f, 3.f});
}

TEST(LeakyReluOpTest, RejectsIntegerInputAndUnknownAttribute) {
  auto out = RunOp("LeakyRelu", {In(Tensor::FromVector<int32_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
  out = RunOp("LeakyRelu", {In(F({1}, {0.f}))}, Attrs({{"beta", 1.f}}));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
