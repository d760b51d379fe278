// Atan: values including the limits at +-inf.
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
  ASSERT_EQ(t.shape(), shape);
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

[[maybe_unused]] Tensor F(Shape shape, std::vector<float> v) {
  return Tensor::FromVector<float>(std::move(shape), v);
}

[[maybe_unused]] constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
[[maybe_unused]] constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(AtanOpTest, Values) {
  auto out = RunOp("Atan", {In(F({4}, {0.f, 1.f, -1.f, kInf}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {4}, {0.f, 0.78539816f, -0.78539816f, 1.5707964f});
}

TEST(AtanOpTest, RejectsIntegerInput) {
  auto out = RunOp("Atan", {In(Tensor::FromVector<int32_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
