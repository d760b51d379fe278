// Cast: conversions between float, integer and bool types; unsupported targets.
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

TEST(CastOpTest, Conversions) {
  // float -> int32 truncates toward zero; out of range saturates; NaN -> 0.
  auto out =
      RunOp("Cast", {In(F({5}, {1.7f, -1.7f, 3e10f, -3e10f, kNaN}))}, Attrs({{"to", int64_t{6}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0],
            Tensor::FromVector<int32_t>({5}, {1, -1, std::numeric_limits<int32_t>::max(),
                                              std::numeric_limits<int32_t>::lowest(), 0}));
  out = RunOp("Cast", {In(F({3}, {0.f, -0.5f, kNaN}))}, Attrs({{"to", int64_t{9}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<bool>({3}, {false, true, true}));
  out = RunOp("Cast", {In(F({3}, {300.f, -4.f, 7.9f}))}, Attrs({{"to", int64_t{2}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<uint8_t>({3}, {255, 0, 7}));
  out = RunOp("Cast", {Const(Tensor::FromVector<int64_t>({2}, {-3, 1 << 20}))},
              Attrs({{"to", int64_t{1}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2}, {-3.f, 1048576.f});
  out = RunOp("Cast", {In(Tensor::FromVector<bool>({2}, {true, false}))},
              Attrs({{"to", int64_t{1}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {2}, {1.f, 0.f});
  out = RunOp("Cast", {In(Tensor::FromVector<double>({1}, {0.1}))}, Attrs({{"to", int64_t{1}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {1}, {0.1f});
  out =
      RunOp("Cast", {In(Tensor::FromVector<int32_t>({2}, {-1, 300}))}, Attrs({{"to", int64_t{3}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int8_t>({2}, {-1, 44}));
  out = RunOp("Cast", {In(F({1}, {2.5f}))}, Attrs({{"to", int64_t{11}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<double>({1}, {2.5}));
  out = RunOp("Cast", {In(F({1}, {-2.5f}))}, Attrs({{"to", int64_t{7}}, {"saturate", int64_t{1}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int64_t>({1}, {-2}));
  out = RunOp("Cast", {In(F({1}, {-2.5f}))}, Attrs({{"to", int64_t{5}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], Tensor::FromVector<int16_t>({1}, {-2}));
}

TEST(CastOpTest, RejectsUnsupportedTargets) {
  const Tensor x = F({1}, {1.f});
  for (int64_t to : {0, 4, 8, 10, 12, 13, 16, 17, 99}) {
    auto out = RunOp("Cast", {In(x)}, Attrs({{"to", to}}));
    EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << to << ": " << out.status();
  }
  auto out = RunOp("Cast", {In(x)});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  out = RunOp("Cast", {In(x)}, Attrs({{"to", std::string("FLOAT")}}));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
