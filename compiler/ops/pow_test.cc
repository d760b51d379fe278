// Pow: float and integer bases with float and integer exponents, broadcasting.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(PowOpTest, FloatBase) {
  auto out = RunOp("Pow", {In(F({4}, {2.f, 4.f, -8.f, 0.f})), In(F({4}, {3.f, 0.5f, 0.5f, -1.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {4}, {8.f, 2.f, kNaN, kInf});
  // Integer exponent broadcast over a [2,3] base.
  out = RunOp("Pow", {In(F({2, 3}, {1.f, 2.f, 3.f, 4.f, 5.f, -6.f})),
                      Const(Tensor::FromVector<int64_t>({3}, {1, 2, 3}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2, 3}, {1.f, 4.f, 27.f, 4.f, 25.f, -216.f});
  out = RunOp("Pow", {In(F({2}, {2.f, 3.f})), In(Tensor::Scalar<int32_t>(-2))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2}, {0.25f, 1.f / 9.f});
}

TEST(PowOpTest, IntegerBase) {
  auto out = RunOp("Pow", {In(Tensor::FromVector<int32_t>({3}, {2, 3, -2})),
                           In(Tensor::FromVector<int32_t>({3}, {10, 2, 3}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int32_t>({3}, {1024, 9, -8}));
  // Float exponents are applied in double and truncated, as numpy's astype.
  out =
      RunOp("Pow", {In(Tensor::FromVector<int64_t>({2}, {2, 9})), In(Tensor::Scalar<float>(0.5f))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int64_t>({2}, {1, 3}));
  // Negative integer exponents truncate 1 / x^n.
  out = RunOp("Pow", {In(Tensor::FromVector<int64_t>({3}, {2, 1, -1})),
                      In(Tensor::FromVector<int64_t>({1}, {-1}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int64_t>({3}, {0, 1, -1}));
}

TEST(PowOpTest, RejectsUnsupportedDTypesAndShapes) {
  auto out = RunOp("Pow", {In(F({1}, {2.f})), In(Tensor::FromVector<bool>({1}, {true}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
  out = RunOp("Pow", {In(Tensor::FromVector<uint8_t>({1}, {2})), In(F({1}, {2.f}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
  out = RunOp("Pow", {In(F({2}, {2.f, 2.f})), In(F({3}, {1.f, 1.f, 1.f}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
