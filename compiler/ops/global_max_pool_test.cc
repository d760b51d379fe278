// GlobalMaxPool: 3-D to 5-D inputs, negative values, rejection of rank < 3 and
// non-float input.
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

// Float32 values within a tight tolerance; NaN matches NaN, inf matches inf.
[[maybe_unused]] void ExpectFloats(const Tensor& t, const Shape& shape,
                                   const std::vector<float>& want) {
  ASSERT_EQ(t.dtype(), DType::kFloat32);
  ASSERT_EQ(ShapeToString(t.shape()), ShapeToString(shape));
  ASSERT_EQ(t.num_elements(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    const float got = t.data<float>()[i];
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got)) << "element " << i << ": " << got;
    } else if (std::isinf(want[i])) {
      EXPECT_EQ(got, want[i]) << "element " << i;
    } else {
      EXPECT_NEAR(got, want[i], 1e-6 + 1e-5 * std::fabs(want[i])) << "element " << i;
    }
  }
}

template <typename T>
[[maybe_unused]] void ExpectTensor(const Tensor& t, const Shape& shape,
                                   const std::vector<T>& values) {
  ASSERT_EQ(DTypeName(t.dtype()), DTypeName(DTypeOf<T>::value));
  ASSERT_EQ(ShapeToString(t.shape()), ShapeToString(shape));
  EXPECT_EQ(std::vector<T>(t.data<T>(), t.data<T>() + t.num_elements()), values);
}

[[maybe_unused]] Tensor F(Shape shape, std::vector<float> v) {
  return Tensor::FromVector<float>(std::move(shape), v);
}

[[maybe_unused]] Tensor I64(const std::vector<int64_t>& v) {
  return Tensor::FromVector<int64_t>({static_cast<int64_t>(v.size())}, v);
}

// 0, 1, 2, ... in row-major order.
[[maybe_unused]] Tensor Iota(Shape shape, float start = 0) {
  Tensor t(DType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<float>()[i] = start + i;
  return t;
}

[[maybe_unused]] void ExpectCode(const absl::StatusOr<std::vector<Tensor>>& r,
                                 absl::StatusCode code) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code) << r.status();
}

[[maybe_unused]] constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(GlobalMaxPoolOpTest, AnyRank) {
  auto r = RunOp("GlobalMaxPool", {In(F({1, 2, 2, 2}, {-4, -1, -3, -2, 0, 7, 7.5, 1}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 2, 1, 1}, {-1, 7.5});
  r = RunOp("GlobalMaxPool", {In(Iota({2, 1, 3}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {2, 1, 1}, {2, 5});
  r = RunOp("GlobalMaxPool", {In(Iota({1, 1, 2, 1, 2}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 1, 1, 1}, {3});
}

TEST(GlobalMaxPoolOpTest, Rejects) {
  ExpectCode(RunOp("GlobalMaxPool", {In(Iota({2, 3}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("GlobalMaxPool", {In(Tensor::FromVector<int32_t>({1, 1, 2}, {1, 2}))}),
             absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
