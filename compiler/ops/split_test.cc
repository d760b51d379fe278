// Split: split input, num_outputs, equal parts, every dtype and bad splits.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(SplitTest, EqualParts) {
  auto r = RunOp("Split", {In(T1<float>({1, 2, 3, 4, 5, 6}))}, {}, 3);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  ExpectTensor<float>((*r)[0], {2}, {1, 2});
  ExpectTensor<float>((*r)[1], {2}, {3, 4});
  ExpectTensor<float>((*r)[2], {2}, {5, 6});
}

TEST(SplitTest, SplitInputNegativeAxis) {
  auto r = RunOp(
      "Split",
      {In(Tensor::FromVector<int64_t>({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})), Const(I64({1, 0, 3}))},
      Attrs({{"axis", int64_t{-1}}}), 3);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {2, 1}, {1, 5});
  ExpectTensor<int64_t>((*r)[1], {2, 0}, {});
  ExpectTensor<int64_t>((*r)[2], {2, 3}, {2, 3, 4, 6, 7, 8});
}

TEST(SplitTest, NumOutputsUneven) {
  // Split-18: parts of ceil(7 / 3) = 3, the last one smaller.
  auto r = RunOp("Split", {In(T1<float>({1, 2, 3, 4, 5, 6, 7}))},
                 Attrs({{"num_outputs", int64_t{3}}}), 3);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {3}, {1, 2, 3});
  ExpectTensor<float>((*r)[1], {3}, {4, 5, 6});
  ExpectTensor<float>((*r)[2], {1}, {7});
}

TEST(SplitTest, EveryDType) {
  for (DType dtype : kAllDTypes) {
    Tensor x = Tensor::FromVector<int64_t>({2, 2}, {1, 0, 0, 1}).CastTo(dtype);
    auto r = RunOp("Split", {In(x)}, Attrs({{"axis", int64_t{1}}}), 2);
    ASSERT_TRUE(r.ok()) << DTypeName(dtype) << ": " << r.status();
    EXPECT_EQ((*r)[0], Tensor::FromVector<int64_t>({2, 1}, {1, 0}).CastTo(dtype));
    EXPECT_EQ((*r)[1], Tensor::FromVector<int64_t>({2, 1}, {0, 1}).CastTo(dtype));
  }
}

TEST(SplitTest, Errors) {
  const Tensor x = T1<float>({1, 2, 3, 4, 5});
  // Sizes must sum to the dimension, match the output count and be >= 0.
  ExpectCode(RunOp("Split", {In(x), Const(I64({2, 2}))}, {}, 2),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Split", {In(x), Const(I64({2, 3}))}, {}, 3),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Split", {In(x), Const(I64({-1, 6}))}, {}, 2),
             absl::StatusCode::kInvalidArgument);
  // 5 does not split evenly in 2 without num_outputs, nor into 4 parts of 2.
  ExpectCode(RunOp("Split", {In(x)}, {}, 2), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Split", {In(x)}, Attrs({{"num_outputs", int64_t{4}}}), 4),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Split", {In(x)}, Attrs({{"num_outputs", int64_t{3}}}), 2),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Split", {In(x)}, Attrs({{"num_outputs", int64_t{0}}}), 1),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Split", {In(x), Const(I64({2, 3}))}, Attrs({{"num_outputs", int64_t{2}}}), 2),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Split", {In(x)}, Attrs({{"axis", int64_t{1}}}), 1),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Split", {In(x), In(I64({2, 3}))}, {}, 2), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
