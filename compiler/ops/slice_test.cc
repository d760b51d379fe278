// Slice: clamping, negative steps and axes, INT64 extremes, every dtype and bad inputs.
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/reference/float_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

// An op argument: a runtime graph input, a constant, or an omitted input.
struct Arg {
  enum Kind { kInput, kConstant, kOmitted } kind;
  Tensor tensor;
};
[[maybe_unused]] Arg In(Tensor t) { return {Arg::kInput, std::move(t)}; }
[[maybe_unused]] Arg Const(Tensor t) { return {Arg::kConstant, std::move(t)}; }
[[maybe_unused]] Arg Omitted() { return {Arg::kOmitted, Tensor()}; }

// Builds a one-node graph (shape inference, folding when all inputs are
// constant) and runs it on the reference interpreter.
[[maybe_unused]] absl::StatusOr<std::vector<Tensor>> RunOp(const std::string& op,
                                                           std::vector<Arg> args,
                                                           ir::AttributeMap attrs = {},
                                                           int num_outputs = 1) {
  frontend::GraphBuilder b;
  std::vector<ir::Value*> values;
  std::vector<Tensor> feeds;
  for (size_t i = 0; i < args.size(); ++i) {
    const Arg& a = args[i];
    if (a.kind == Arg::kOmitted) {
      values.push_back(nullptr);
    } else if (a.kind == Arg::kConstant) {
      values.push_back(b.Constant(a.tensor));
    } else {
      values.push_back(b.Input(absl::StrCat("in", i), a.tensor.dtype(), a.tensor.shape()));
      feeds.push_back(a.tensor);
    }
  }
  for (ir::Value* v : b.OpN(op, values, num_outputs, std::move(attrs))) b.Output(v);
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  if (!g.ok()) return g.status();
  return reference::RunFloat(**g, feeds);
}

template <typename T>
void ExpectTensor(const Tensor& t, const Shape& shape, const std::vector<T>& values) {
  ASSERT_EQ(DTypeName(t.dtype()), DTypeName(DTypeOf<T>::value));
  ASSERT_EQ(ShapeToString(t.shape()), ShapeToString(shape));
  EXPECT_EQ(std::vector<T>(t.data<T>(), t.data<T>() + t.num_elements()), values);
}

template <typename T>
Tensor T1(const std::vector<T>& v) {
  return Tensor::FromVector<T>({static_cast<int64_t>(v.size())}, v);
}

[[maybe_unused]] Tensor I64(const std::vector<int64_t>& v) { return T1<int64_t>(v); }

// Every dtype a data-movement op must handle.
[[maybe_unused]] constexpr DType kAllDTypes[] = {DType::kFloat32, DType::kFloat64, DType::kInt8,
                                                 DType::kInt16,   DType::kInt32,   DType::kInt64,
                                                 DType::kUInt8,   DType::kBool};

[[maybe_unused]] void ExpectCode(const absl::StatusOr<std::vector<Tensor>>& r,
                                 absl::StatusCode code) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code) << r.status();
}

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

Tensor Iota(Shape shape) {
  Tensor t(DType::kFloat32, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
}

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
