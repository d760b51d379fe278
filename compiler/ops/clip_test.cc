// Clip: both, one or no bounds, runtime bounds, min > max, integers, bad bounds.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(ClipOpTest, FloatBounds) {
  const Tensor x = F({5}, {-2.f, -0.5f, 0.5f, 2.f, kNaN});
  auto out =
      RunOp("Clip", {In(x), Const(Tensor::Scalar<float>(-1.f)), Const(Tensor::Scalar<float>(1.f))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {5}, {-1.f, -0.5f, 0.5f, 1.f, kNaN});
  // Only max (min omitted), as in test_clip_default_max.
  out = RunOp("Clip", {In(x), Omitted(), Const(Tensor::Scalar<float>(0.f))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {5}, {-2.f, -0.5f, 0.f, 0.f, kNaN});
  // Only min.
  out = RunOp("Clip", {In(x), Const(Tensor::Scalar<float>(0.f))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {5}, {0.f, 0.f, 0.5f, 2.f, kNaN});
  // No bounds at all.
  out = RunOp("Clip", {In(x), Omitted(), Omitted()});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {5}, {-2.f, -0.5f, 0.5f, 2.f, kNaN});
}

TEST(ClipOpTest, RuntimeBoundsAndMinAboveMax) {
  // Bounds fed at run time; a one-element [1] bound is accepted too.
  auto out = RunOp(
      "Clip", {In(F({3}, {-1.f, 0.f, 6.f})), In(Tensor::Scalar<float>(-5.f)), In(F({1}, {5.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {3}, {-1.f, 0.f, 5.f});
  // min > max: every element becomes max.
  out = RunOp("Clip", {In(F({3}, {-1.f, 0.f, 6.f})), Const(Tensor::Scalar<float>(2.f)),
                       Const(Tensor::Scalar<float>(1.f))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {3}, {1.f, 1.f, 1.f});
}

TEST(ClipOpTest, IntegerData) {
  auto out =
      RunOp("Clip", {In(Tensor::FromVector<int32_t>({4}, {-9, -1, 3, 100})),
                     Const(Tensor::Scalar<int32_t>(-2)), Const(Tensor::Scalar<int32_t>(10))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int32_t>({4}, {-2, -1, 3, 10}));
  out = RunOp("Clip", {In(Tensor::FromVector<int64_t>({2}, {-9, 9})), Omitted(),
                       Const(Tensor::Scalar<int64_t>(5))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int64_t>({2}, {-9, 5}));
  out = RunOp("Clip",
              {In(Tensor::FromVector<int8_t>({3}, {-1, 0, 1})), Const(Tensor::Scalar<int8_t>(0))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int8_t>({3}, {0, 0, 1}));
}

TEST(ClipOpTest, RejectsBadBoundsAndDTypes) {
  const Tensor x = F({2}, {0.f, 1.f});
  // Bound dtype differs from the data's.
  auto out = RunOp("Clip", {In(x), Const(Tensor::Scalar<int64_t>(0))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  // Bound with more than one element.
  out = RunOp("Clip", {In(x), Const(F({2}, {0.f, 1.f}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  out = RunOp("Clip", {In(Tensor::FromVector<bool>({1}, {true}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
  // Opset < 11 attributes are converted by the importer, never seen here.
  out = RunOp("Clip", {In(x)}, Attrs({{"min", 0.f}}));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
