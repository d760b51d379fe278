// Slice: clamping, negative steps and axes, INT64 extremes, every dtype and bad inputs.
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

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(SliceTest, DefaultAxesAndSteps) {
  auto r = RunOp("Slice", {In(Iota({3, 4})), Const(I64({1, 0})), Const(I64({3, 3}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2, 3}, {4, 5, 6, 8, 9, 10});
}

TEST(SliceTest, NegativeStepToInt64Min) {
  auto r = RunOp("Slice", {In(Iota({10})), Const(I64({-1})), Const(I64({kMin})), Const(I64({0})),
                           Const(I64({-3}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {4}, {9, 6, 3, 0});
}

TEST(SliceTest, EndInt64MaxWithStep) {
  auto r = RunOp("Slice",
                 {In(Iota({10})), Const(I64({1})), Const(I64({kMax})), Omitted(), Const(I64({2}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {5}, {1, 3, 5, 7, 9});
}

TEST(SliceTest, HugeStepsTakeOneElement) {
  auto r = RunOp("Slice", {In(Iota({10})), Const(I64({-1})), Const(I64({kMin})), Const(I64({0})),
                           Const(I64({kMin}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {1}, {9});
  r = RunOp("Slice", {In(Iota({10})), Const(I64({2})), Const(I64({kMax})), Const(I64({0})),
                      Const(I64({kMax}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {1}, {2});
}

TEST(SliceTest, NegativeAxisReversesColumns) {
  // Start 3 down to (excluding) 0 along the last axis; int32 index inputs.
  auto r = RunOp("Slice", {In(Iota({2, 4})), Const(T1<int32_t>({10})), Const(T1<int32_t>({0})),
                           Const(T1<int32_t>({-1})), Const(T1<int32_t>({-1}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2, 3}, {3, 2, 1, 7, 6, 5});
}

TEST(SliceTest, OutOfRangeStartIsEmpty) {
  auto r =
      RunOp("Slice", {In(Iota({2, 3})), Const(I64({1000})), Const(I64({2000})), Const(I64({1}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2, 0}, {});
  r = RunOp("Slice", {In(Iota({2, 3})), Const(I64({0})), Const(I64({-2000})), Const(I64({1})),
                      Const(I64({-1}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2, 1}, {0, 3});
}

TEST(SliceTest, NegativeStepClampsStartIntoRange) {
  // The ONNX spec (and onnxruntime) clamp start to [0, dim - 1] for negative
  // steps, so a far-negative start still selects element 0 (numpy would not).
  auto r = RunOp("Slice", {In(Iota({2, 3})), Const(I64({-1000})), Const(I64({-2000})),
                           Const(I64({1})), Const(I64({-1}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2, 1}, {0, 3});
}

TEST(SliceTest, EveryDType) {
  for (DType dtype : kAllDTypes) {
    Tensor x = Tensor::FromVector<int64_t>({2, 3}, {1, 0, 1, 0, 0, 1}).CastTo(dtype);
    auto r = RunOp("Slice", {In(x), Const(I64({-1, 2})), Const(I64({kMin, 0})), Omitted(),
                             Const(I64({-1, -2}))});
    ASSERT_TRUE(r.ok()) << DTypeName(dtype) << ": " << r.status();
    EXPECT_EQ((*r)[0], Tensor::FromVector<int64_t>({2, 1}, {1, 1}).CastTo(dtype));
  }
}

TEST(SliceTest, Errors) {
  const Tensor x = Iota({2, 3});
  ExpectCode(
      RunOp("Slice", {In(x), Const(I64({0})), Const(I64({1})), Const(I64({0})), Const(I64({0}))}),
      absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Slice", {In(x), Const(I64({0, 0})), Const(I64({1, 1})), Const(I64({1, -1}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Slice", {In(x), Const(I64({0})), Const(I64({1})), Const(I64({2}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Slice", {In(x), Const(I64({0, 0})), Const(I64({1}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Slice",
                   {In(x), Const(I64({0})), Const(I64({1})), Const(I64({0})), Const(I64({1, 1}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Slice", {In(x), Const(T1<float>({0})), Const(T1<float>({1}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Slice", {In(x), In(I64({0})), Const(I64({1}))}),
             absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
