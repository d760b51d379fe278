// PRelu: per-channel and scalar slopes broadcast to X; slopes that would grow X fail.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(PReluOpTest, BroadcastSlope) {
  const Tensor x = F({2, 3}, {-1.f, 2.f, -3.f, 4.f, -5.f, 0.f});
  auto out = RunOp("PRelu", {In(x), Const(F({3}, {0.1f, 0.2f, 0.3f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2, 3}, {-0.1f, 2.f, -0.9f, 4.f, -1.f, 0.f});
  out = RunOp("PRelu", {In(x), In(F({2, 1}, {0.5f, 2.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2, 3}, {-0.5f, 2.f, -1.5f, 4.f, -10.f, 0.f});
  out = RunOp("PRelu", {In(x), Const(Tensor::Scalar<float>(0.25f))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2, 3}, {-0.25f, 2.f, -0.75f, 4.f, -1.25f, 0.f});
}

TEST(PReluOpTest, RejectsNonUnidirectionalSlopeAndIntegers) {
  const Tensor x = F({2, 3}, {0.f, 0.f, 0.f, 0.f, 0.f, 0.f});
  auto out = RunOp("PRelu", {In(x), Const(F({2}, {1.f, 1.f}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  // Broadcasts with X, but the output would be [4,2,3], not X's shape.
  out = RunOp("PRelu", {In(x), Const(F({4, 1, 1}, {1.f, 1.f, 1.f, 1.f}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  out = RunOp("PRelu", {In(Tensor::FromVector<int32_t>({1}, {1})),
                        Const(Tensor::FromVector<int32_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
