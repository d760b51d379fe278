// Elu: default alpha 1, a custom alpha, bad attribute kind.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(EluOpTest, DefaultAndCustomAlpha) {
  auto out = RunOp("Elu", {In(F({3}, {-1.f, 0.f, 1.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {3}, {-0.63212056f, 0.f, 1.f});
  out = RunOp("Elu", {In(F({3}, {-1.f, 0.f, 2.f}))}, Attrs({{"alpha", 2.f}}));
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {3}, {-1.26424112f, 0.f, 2.f});
}

TEST(EluOpTest, RejectsBadAttributes) {
  auto out = RunOp("Elu", {In(F({1}, {0.f}))}, Attrs({{"alpha", int64_t{2}}}));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  out = RunOp("Elu", {In(F({1}, {0.f}))}, Attrs({{"gamma", 1.f}}));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
