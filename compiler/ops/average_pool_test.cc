// AveragePool: strides, count_include_pad 0/1, ceil_mode windows past the padded input,
// dilations, auto_pad, 3-D, and rejection of bad dtypes and attributes.
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

using Ints = std::vector<int64_t>;

TEST(AveragePoolOpTest, Strided2d) {
  auto r = RunOp("AveragePool", {In(Iota({1, 1, 4, 4}, 1))},
                 Attrs({{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 2, 2}, {3.5, 5.5, 11.5, 13.5});
}

TEST(AveragePoolOpTest, CountIncludePad) {
  const Tensor x = F({1, 1, 3}, {1, 2, 3});
  auto exclude =
      RunOp("AveragePool", {In(x)}, Attrs({{"kernel_shape", Ints{3}}, {"pads", Ints{1, 1}}}));
  ASSERT_TRUE(exclude.ok()) << exclude.status();
  ExpectFloats((*exclude)[0], {1, 1, 3}, {1.5, 2, 2.5});
  auto include = RunOp(
      "AveragePool", {In(x)},
      Attrs({{"kernel_shape", Ints{3}}, {"pads", Ints{1, 1}}, {"count_include_pad", int64_t{1}}}));
  ASSERT_TRUE(include.ok()) << include.status();
  ExpectFloats((*include)[0], {1, 1, 3}, {1, 2, 5.f / 3});
}

TEST(AveragePoolOpTest, CeilMode2dMatchesOnnxTest) {
  // test_averagepool_2d_ceil: the clipped last windows average 2x3, 3x2, 2x2 inputs.
  auto r = RunOp(
      "AveragePool", {In(Iota({1, 1, 4, 4}, 1))},
      Attrs({{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"ceil_mode", int64_t{1}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 2, 2}, {6, 7.5, 12, 13.5});
}

TEST(AveragePoolOpTest, CeilModeWindowPastPaddedInput) {
  // Input [1..5], begin pad 1, kernel 3, stride 2, ceil: windows start at -1,
  // 1 and 3; the last one covers 4, 5 and a position past the padded input,
  // which is never counted, not even with count_include_pad.
  const Tensor x = F({1, 1, 5}, {1, 2, 3, 4, 5});
  ir::AttributeMap attrs = Attrs({{"kernel_shape", Ints{3}},
                                  {"strides", Ints{2}},
                                  {"pads", Ints{1, 0}},
                                  {"ceil_mode", int64_t{1}}});
  auto exclude = RunOp("AveragePool", {In(x)}, attrs);
  ASSERT_TRUE(exclude.ok()) << exclude.status();
  ExpectFloats((*exclude)[0], {1, 1, 3}, {1.5, 3, 4.5});
  attrs.Set("count_include_pad", int64_t{1});
  auto include = RunOp("AveragePool", {In(x)}, attrs);
  ASSERT_TRUE(include.ok()) << include.status();
  ExpectFloats((*include)[0], {1, 1, 3}, {1, 3, 4.5});
}

TEST(AveragePoolOpTest, Dilations) {
  auto r = RunOp("AveragePool", {In(F({1, 1, 5}, {1, 2, 3, 4, 5}))},
                 Attrs({{"kernel_shape", Ints{2}}, {"dilations", Ints{2}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 3}, {2, 3, 4});
}

TEST(AveragePoolOpTest, AutoPadSameCountsPadsWhenAsked) {
  const Tensor x = F({1, 1, 4}, {1, 2, 3, 4});
  // Total pad 2: one at each end for SAME_UPPER.
  auto exclude = RunOp("AveragePool", {In(x)},
                       Attrs({{"kernel_shape", Ints{3}}, {"auto_pad", std::string("SAME_UPPER")}}));
  ASSERT_TRUE(exclude.ok()) << exclude.status();
  ExpectFloats((*exclude)[0], {1, 1, 4}, {1.5, 2, 3, 3.5});
  auto include = RunOp("AveragePool", {In(x)},
                       Attrs({{"kernel_shape", Ints{3}},
                              {"auto_pad", std::string("SAME_UPPER")},
                              {"count_include_pad", int64_t{1}}}));
  ASSERT_TRUE(include.ok()) << include.status();
  ExpectFloats((*include)[0], {1, 1, 4}, {1, 2, 3, 7.f / 3});
  // Kernel 2: total pad 1, at the start for SAME_LOWER.
  auto lower = RunOp("AveragePool", {In(x)},
                     Attrs({{"kernel_shape", Ints{2}}, {"auto_pad", std::string("SAME_LOWER")}}));
  ASSERT_TRUE(lower.ok()) << lower.status();
  ExpectFloats((*lower)[0], {1, 1, 4}, {1, 1.5, 2.5, 3.5});
}

TEST(AveragePoolOpTest, ThreeD) {
  auto r =
      RunOp("AveragePool", {In(Iota({1, 2, 2, 2, 2}))}, Attrs({{"kernel_shape", Ints{2, 2, 2}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 2, 1, 1, 1}, {3.5, 11.5});
}

TEST(AveragePoolOpTest, Rejects) {
  ExpectCode(RunOp("AveragePool", {In(Tensor::FromVector<int8_t>({1, 1, 2}, {1, 2}))},
                   Attrs({{"kernel_shape", Ints{2}}})),
             absl::StatusCode::kUnimplemented);
  ExpectCode(RunOp("AveragePool", {In(Iota({1, 1, 4}))},
                   Attrs({{"kernel_shape", Ints{2}}, {"storage_order", int64_t{0}}})),
             absl::StatusCode::kUnimplemented);
  ExpectCode(RunOp("AveragePool", {In(Iota({1, 1, 4}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("AveragePool", {In(Iota({1, 1, 4}))},
                   Attrs({{"kernel_shape", Ints{2}}, {"dilations", Ints{0}}})),
             absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace openbpu::ops
