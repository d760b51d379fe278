// ConstantOfShape: default and typed values, empty shapes, bad shapes.
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

TEST(ConstantOfShapeTest, DefaultFloatZero) {
  auto r = RunOp("ConstantOfShape", {Const(I64({2, 3}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2, 3}, std::vector<float>(6, 0.f));
}

TEST(ConstantOfShapeTest, TypedValues) {
  auto r = RunOp("ConstantOfShape", {Const(I64({3}))}, Attrs({{"value", T1<int64_t>({-7})}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {3}, {-7, -7, -7});
  r = RunOp("ConstantOfShape", {Const(I64({1, 2}))}, Attrs({{"value", T1<bool>({true})}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<bool>((*r)[0], {1, 2}, {true, true});
  r = RunOp("ConstantOfShape", {Const(I64({2}))}, Attrs({{"value", T1<float>({1.5f})}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<float>((*r)[0], {2}, {1.5f, 1.5f});
}

TEST(ConstantOfShapeTest, EmptyShapes) {
  auto r = RunOp("ConstantOfShape", {Const(I64({}))}, Attrs({{"value", T1<int32_t>({4})}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int32_t>((*r)[0], {}, {4});
  r = RunOp("ConstantOfShape", {Const(I64({0}))}, Attrs({{"value", T1<int32_t>({4})}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int32_t>((*r)[0], {0}, {});
}

TEST(ConstantOfShapeTest, Errors) {
  ExpectCode(RunOp("ConstantOfShape", {Const(I64({-1}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ConstantOfShape", {Const(I64({1 << 20, 1 << 20}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ConstantOfShape", {Const(I64({std::numeric_limits<int64_t>::max(), 0}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ConstantOfShape", {Const(I64({2}))}, Attrs({{"value", T1<float>({1, 2})}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ConstantOfShape", {Const(T1<int32_t>({2}))}),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("ConstantOfShape", {In(I64({2}))}), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
