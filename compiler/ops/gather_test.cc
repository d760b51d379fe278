// Gather: axes, index shapes, negative and out-of-range indices, every dtype.
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
