// Conv: hand-computed 1-D/2-D/3-D cases (pads, strides, dilations, groups,
// auto_pad), a randomized check against direct loops, and rejected attributes.
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

// Runs Conv with x as a graph input and w (and bias, if given) as constants.
absl::StatusOr<Tensor> RunConv(const Tensor& x, const Tensor& w, ir::AttributeMap attrs,
                               const Tensor* bias = nullptr) {
  std::vector<Arg> args = {In(x), Const(w)};
  if (bias != nullptr) args.push_back(Const(*bias));
  return FirstOutput(RunOp("Conv", std::move(args), std::move(attrs)));
}

TEST(ConvTest, Basic2DNoPadding) {
  ExpectClose(RunConv(Iota({1, 1, 3, 3}), F({1, 1, 2, 2}, {1, 1, 1, 1}), {}), {1, 1, 2, 2},
              {8, 12, 20, 24});
}

TEST(ConvTest, AsymmetricPadsAndBias) {
  const Tensor bias = F({1}, {0.5f});
  // pads = [top, left, bottom, right]: only the bottom/right are padded.
  ExpectClose(RunConv(F({1, 1, 2, 2}, {1, 2, 3, 4}), F({1, 1, 2, 2}, {1, 1, 1, 1}),
                      Attrs({{"pads", std::vector<int64_t>{0, 0, 1, 1}}}), &bias),
              {1, 1, 2, 2}, {10.5f, 6.5f, 7.5f, 4.5f});
}

TEST(ConvTest, StridesWithAsymmetricPadding) {
  // ONNX test_conv_with_strides_and_asymmetric_padding.
  Tensor w(DType::kFloat32, {1, 1, 3, 3});
  for (float& v : w.span<float>()) v = 1.f;
  ExpectClose(RunConv(Iota({1, 1, 7, 5}), w,
                      Attrs({{"kernel_shape", std::vector<int64_t>{3, 3}},
                             {"pads", std::vector<int64_t>{1, 0, 1, 0}},
                             {"strides", std::vector<int64_t>{2, 2}}})),
              {1, 1, 4, 2}, {21, 33, 99, 117, 189, 207, 171, 183});
}

TEST(ConvTest, GroupsAndDepthwise) {
  const Tensor x = F({1, 2, 1, 3}, {1, 2, 3, 10, 20, 30});
  // Depthwise: one filter per channel.
  ExpectClose(RunConv(x, F({2, 1, 1, 1}, {2, 3}), Attrs({{"group", int64_t{2}}})), {1, 2, 1, 3},
              {2, 4, 6, 30, 60, 90});
  // Two filters per group (depth multiplier 2), 1x2 kernels.
  ExpectClose(
      RunConv(x, F({4, 1, 1, 2}, {1, 0, 0, 1, 1, 1, -1, 1}), Attrs({{"group", int64_t{2}}})),
      {1, 4, 1, 2}, {1, 2, 2, 3, 30, 50, 10, 10});
  // Two input channels per group summed: group 1 with C=2.
  ExpectClose(RunConv(x, F({1, 2, 1, 1}, {1, 1}), {}), {1, 1, 1, 3}, {11, 22, 33});
}

TEST(ConvTest, Dilation1D) {
  ExpectClose(RunConv(F({1, 1, 5}, {1, 2, 3, 4, 5}), F({1, 1, 2}, {1, 1}),
                      Attrs({{"dilations", std::vector<int64_t>{2}}})),
              {1, 1, 3}, {4, 6, 8});
}

TEST(ConvTest, AutoPad) {
  const Tensor x = F({1, 1, 4}, {1, 2, 3, 4});
  const Tensor w = F({1, 1, 2}, {1, 1});
  // Total padding 1: at the end for SAME_UPPER, at the start for SAME_LOWER.
  ExpectClose(RunConv(x, w, Attrs({{"auto_pad", std::string("SAME_UPPER")}})), {1, 1, 4},
              {3, 5, 7, 4});
  ExpectClose(RunConv(x, w, Attrs({{"auto_pad", std::string("SAME_LOWER")}})), {1, 1, 4},
              {1, 3, 5, 7});
  const Tensor x5 = F({1, 1, 5}, {1, 2, 3, 4, 5});
  // Stride 2: output ceil(5 / 2) = 3, total padding 2 split evenly.
  ExpectClose(RunConv(x5, F({1, 1, 3}, {1, 1, 1}),
                      Attrs({{"auto_pad", std::string("SAME_UPPER")},
                             {"strides", std::vector<int64_t>{2}}})),
              {1, 1, 3}, {3, 9, 9});
  ExpectClose(
      RunConv(x5, w,
              Attrs({{"auto_pad", std::string("VALID")}, {"strides", std::vector<int64_t>{2}}})),
      {1, 1, 2}, {3, 7});
  // NOTSET is explicit padding (none here).
  ExpectClose(RunConv(x, w, Attrs({{"auto_pad", std::string("NOTSET")}})), {1, 1, 3}, {3, 5, 7});
}

TEST(ConvTest, ThreeD) {
  Tensor w(DType::kFloat32, {2, 1, 2, 2, 2});
  for (int64_t i = 0; i < 8; ++i) {
    w.data<float>()[i] = 1.f;
    w.data<float>()[8 + i] = i == 7 ? 1.f : 0.f;
  }
  const Tensor bias = F({2}, {1, -1});
  ExpectClose(RunConv(Iota({1, 1, 2, 2, 2}), w, {}, &bias), {1, 2, 1, 1, 1}, {29, 6});
}

// Direct-loop 2-D grouped conv for the randomized check.
std::vector<float> NaiveConv2D(const Tensor& x, const Tensor& w, int64_t group,
                               std::vector<int64_t> s, std::vector<int64_t> d,
                               std::vector<int64_t> p, const Shape& out) {
  const int64_t c = x.dim(1), h = x.dim(2), wd = x.dim(3);
  const int64_t m = w.dim(0), kh = w.dim(2), kw = w.dim(3);
  const int64_t cg = c / group, mg = m / group;
  std::vector<float> y(NumElements(out));
  for (int64_t n = 0; n < x.dim(0); ++n) {
    for (int64_t oc = 0; oc < m; ++oc) {
      for (int64_t oy = 0; oy < out[2]; ++oy) {
        for (int64_t ox = 0; ox < out[3]; ++ox) {
          double acc = 0;
          for (int64_t ic = 0; ic < cg; ++ic) {
            for (int64_t ky = 0; ky < kh; ++ky) {
              for (int64_t kx = 0; kx < kw; ++kx) {
                const int64_t iy = oy * s[0] + ky * d[0] - p[0];
                const int64_t ix = ox * s[1] + kx * d[1] - p[1];
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                acc += x.data<float>()[((n * c + oc / mg * cg + ic) * h + iy) * wd + ix] *
                       w.data<float>()[((oc * cg + ic) * kh + ky) * kw + kx];
              }
            }
          }
          y[((n * m + oc) * out[2] + oy) * out[3] + ox] = static_cast<float>(acc);
        }
      }
    }
  }
  return y;
}

TEST(ConvTest, RandomGroupedMatchesDirectLoops) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  Tensor x(DType::kFloat32, {2, 6, 11, 9});
  Tensor w(DType::kFloat32, {9, 2, 3, 2});
  for (float& v : x.span<float>()) v = dist(rng);
  for (float& v : w.span<float>()) v = dist(rng);
  const std::vector<int64_t> s = {2, 1}, d = {1, 2}, p = {1, 0, 2, 1};
  absl::StatusOr<Tensor> y =
      RunConv(x, w, Attrs({{"group", int64_t{3}}, {"strides", s}, {"dilations", d}, {"pads", p}}));
  ASSERT_TRUE(y.ok()) << y.status();
  // H: (11 + 3 - 3) / 2 + 1 = 6; W: (9 + 1 - 3) / 1 + 1 = 8.
  const Shape out = {2, 9, 6, 8};
  ExpectClose(y, out, NaiveConv2D(x, w, 3, s, d, p, out));
}

TEST(ConvTest, RejectsBadAttributesAndShapes) {
  const Tensor x = Iota({1, 2, 4, 4});
  const Tensor w = Iota({2, 2, 3, 3});
  auto code = [](const absl::StatusOr<Tensor>& r) { return r.status().code(); };
  EXPECT_EQ(code(RunConv(x, w, Attrs({{"auto_pad", std::string("SAME")}}))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunConv(x, w, Attrs({{"kernel_shape", std::vector<int64_t>{2, 2}}}))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunConv(x, w,
                         Attrs({{"auto_pad", std::string("SAME_UPPER")},
                                {"pads", std::vector<int64_t>{1, 1, 1, 1}}}))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunConv(x, w, Attrs({{"strides", std::vector<int64_t>{1}}}))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunConv(x, w, Attrs({{"group", int64_t{2}}}))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunConv(x, w, Attrs({{"group", int64_t{0}}}))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunConv(x, Iota({2, 2, 5, 5}), {})), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunConv(x, w, Attrs({{"bogus", int64_t{1}}}))), absl::StatusCode::kUnimplemented);
  const Tensor bad_bias = F({3}, {0, 0, 0});
  EXPECT_EQ(code(RunConv(x, w, {}, &bad_bias)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunConv(x.CastTo(DType::kInt32), w, {})), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
