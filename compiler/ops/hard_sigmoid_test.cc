// HardSigmoid: default alpha 0.2 / beta 0.5 with both clamps, custom values.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(HardSigmoidOpTest, DefaultAndCustomAttributes) {
  auto out = RunOp("HardSigmoid", {In(F({4}, {-3.f, 0.f, 1.f, 3.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {4}, {0.f, 0.5f, 0.7f, 1.f});
  out = RunOp("HardSigmoid", {In(F({2}, {0.5f, -2.f}))}, Attrs({{"alpha", 0.5f}, {"beta", 0.6f}}));
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2}, {0.85f, 0.f});
}

TEST(HardSigmoidOpTest, RejectsUnknownAttribute) {
  auto out = RunOp("HardSigmoid", {In(F({1}, {0.f}))}, Attrs({{"gamma", 1.f}}));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
