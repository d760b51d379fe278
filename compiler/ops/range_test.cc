// Range: float/int32/int64, negative deltas, empty ranges, int64 extremes, errors.
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

template <typename T>
absl::StatusOr<std::vector<Tensor>> RunRange(T start, T limit, T delta) {
  return RunOp("Range", {Const(Tensor::Scalar<T>(start)), Const(Tensor::Scalar<T>(limit)),
                         Const(Tensor::Scalar<T>(delta))});
}

TEST(RangeTest, Float) {
  auto r = RunRange<float>(1, 5, 2);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2}, {1, 3});
  r = RunRange<float>(1, 2, 0.25f);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {4}, {1, 1.25f, 1.5f, 1.75f});
  r = RunRange<float>(0, -1, -0.4f);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ((*r)[0].shape(), (Shape{3}));
}

TEST(RangeTest, Int) {
  auto r = RunRange<int32_t>(10, 6, -3);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int32_t>((*r)[0], {2}, {10, 7});
  auto r64 = RunRange<int64_t>(0, 10, 3);
  ASSERT_TRUE(r64.ok()) << r64.status();
  ExpectTensor<int64_t>((*r64)[0], {4}, {0, 3, 6, 9});
  r64 = RunRange<int64_t>(5, 1, 1);
  ASSERT_TRUE(r64.ok()) << r64.status();
  ExpectTensor<int64_t>((*r64)[0], {0}, {});
}

TEST(RangeTest, Int64ExtremesDoNotOverflow) {
  auto r = RunRange<int64_t>(kMin, kMax, kMax);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {3}, {kMin, -1, kMax - 1});
  r = RunRange<int64_t>(kMax, kMin, kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {2}, {kMax, -1});
  ExpectCode(RunRange<int64_t>(kMin, kMax, 1), absl::StatusCode::kInvalidArgument);
}

TEST(RangeTest, Errors) {
  ExpectCode(RunRange<float>(0, 1, 0), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunRange<int32_t>(0, 1, 0), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunRange<float>(0, std::numeric_limits<float>::infinity(), 1),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunRange<float>(0, 1e30f, 1), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Range", {Const(Tensor::Scalar<int32_t>(0)), Const(Tensor::Scalar<int64_t>(3)),
                             Const(Tensor::Scalar<int64_t>(1))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Range", {Const(I64({0, 1})), Const(Tensor::Scalar<int64_t>(3)),
                             Const(Tensor::Scalar<int64_t>(1))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Range", {In(Tensor::Scalar<int64_t>(0)), Const(Tensor::Scalar<int64_t>(3)),
                             Const(Tensor::Scalar<int64_t>(1))}),
             absl::StatusCode::kUnimplemented);
  ExpectCode(RunRange<double>(0, 1, 1), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
