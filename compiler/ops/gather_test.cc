// Gather: axes, index shapes, negative and out-of-range indices, every dtype.
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

const Tensor kData = Tensor::FromVector<float>({3, 2}, {1, 2, 3, 4, 5, 6});

TEST(GatherTest, Axis0MatrixIndicesWithNegatives) {
  auto r = RunOp("Gather", {In(kData), In(Tensor::FromVector<int64_t>({2, 2}, {0, 2, -1, -3}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2, 2, 2}, {1, 2, 5, 6, 5, 6, 1, 2});
}

TEST(GatherTest, NegativeAxisInt32Indices) {
  auto r =
      RunOp("Gather", {In(kData), Const(T1<int32_t>({1, 1, 0}))}, Attrs({{"axis", int64_t{-1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {3, 3}, {2, 2, 1, 4, 4, 3, 6, 6, 5});
}

TEST(GatherTest, ScalarIndexDropsAxis) {
  auto r = RunOp("Gather", {In(kData), Const(Tensor::Scalar<int64_t>(-2))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2}, {3, 4});
}

TEST(GatherTest, ShapeValuesFold) {
  // The Shape -> Gather chains of exporters run on int64 constants.
  auto r = RunOp("Gather", {Const(I64({1, 3, 224, 224})), Const(T1<int64_t>({0}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {1}, {1});
}

TEST(GatherTest, EveryDType) {
  for (DType dtype : kAllDTypes) {
    Tensor x = Tensor::FromVector<int64_t>({2, 2}, {1, 0, 0, 1}).CastTo(dtype);
    auto r = RunOp("Gather", {In(x), In(I64({1, 0, 1}))}, Attrs({{"axis", int64_t{1}}}));
    ASSERT_TRUE(r.ok()) << DTypeName(dtype) << ": " << r.status();
    EXPECT_EQ((*r)[0], Tensor::FromVector<int64_t>({2, 3}, {0, 1, 0, 1, 0, 1}).CastTo(dtype));
  }
}

TEST(GatherTest, OutOfRangeIndexIsAnError) {
  for (int64_t bad : {int64_t{3}, int64_t{-4}, std::numeric_limits<int64_t>::max(),
                      std::numeric_limits<int64_t>::min()}) {
    ExpectCode(RunOp("Gather", {In(kData), In(I64({0, bad}))}), absl::StatusCode::kInvalidArgument);
  }
  ExpectCode(RunOp("Gather", {In(kData), In(T1<int32_t>({2, 5}))}),
             absl::StatusCode::kInvalidArgument);
  // Constant out-of-range indices fail while folding.
  ExpectCode(RunOp("Gather", {Const(kData), Const(I64({7}))}), absl::StatusCode::kInvalidArgument);
}

TEST(GatherTest, Errors) {
  ExpectCode(RunOp("Gather", {In(kData), In(I64({0}))}, Attrs({{"axis", int64_t{2}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Gather", {In(Tensor::Scalar<float>(1)), In(I64({0}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Gather", {In(kData), In(T1<float>({0}))}), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
