// ConvTranspose: hand-computed cases for strides, pads, output_padding,
// output_shape, auto_pad, dilations and groups, a randomized check against
// direct scatter loops, and rejected attributes.
#include <random>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

absl::StatusOr<Tensor> RunConvTranspose(const Tensor& x, const Tensor& w, ir::AttributeMap attrs,
                                        const Tensor* bias = nullptr) {
  std::vector<Arg> args = {In(x), Const(w)};
  if (bias != nullptr) args.push_back(Const(*bias));
  return FirstOutput(RunOp("ConvTranspose", std::move(args), std::move(attrs)));
}

const Tensor kX = F({1, 1, 3}, {1, 2, 3});
const Tensor kOnes2 = F({1, 1, 2}, {1, 1});
const Tensor kOnes3 = F({1, 1, 3}, {1, 1, 1});

TEST(ConvTransposeTest, Basic1D) {
  ExpectClose(RunConvTranspose(kX, kOnes2, {}), {1, 1, 4}, {1, 3, 5, 3});
}

TEST(ConvTransposeTest, StridesPadsAndOutputPadding) {
  const std::vector<int64_t> s2 = {2};
  ExpectClose(RunConvTranspose(kX, kOnes2, Attrs({{"strides", s2}})), {1, 1, 6},
              {1, 1, 2, 2, 3, 3});
  // output_padding adds positions at the end; they still get the bias.
  const Tensor bias = F({1}, {0.5f});
  ExpectClose(
      RunConvTranspose(
          kX, kOnes2, Attrs({{"strides", s2}, {"output_padding", std::vector<int64_t>{1}}}), &bias),
      {1, 1, 7}, {1.5f, 1.5f, 2.5f, 2.5f, 3.5f, 3.5f, 0.5f});
  ExpectClose(
      RunConvTranspose(kX, kOnes2, Attrs({{"strides", s2}, {"pads", std::vector<int64_t>{1, 1}}})),
      {1, 1, 4}, {1, 2, 2, 3});
}

TEST(ConvTransposeTest, OutputShapeComputesPads) {
  const std::vector<int64_t> s2 = {2};
  // Full length 6, requested 5: total padding 1, at the start unless SAME_UPPER.
  ExpectClose(RunConvTranspose(kX, kOnes2,
                               Attrs({{"strides", s2}, {"output_shape", std::vector<int64_t>{5}}})),
              {1, 1, 5}, {1, 2, 2, 3, 3});
  ExpectClose(RunConvTranspose(kX, kOnes2,
                               Attrs({{"strides", s2},
                                      {"output_shape", std::vector<int64_t>{5}},
                                      {"auto_pad", std::string("SAME_UPPER")}})),
              {1, 1, 5}, {1, 1, 2, 2, 3});
  // The full [N, M, spatial...] form is accepted too; explicit pads are ignored.
  ExpectClose(RunConvTranspose(kX, kOnes2,
                               Attrs({{"strides", s2},
                                      {"pads", std::vector<int64_t>{0, 0}},
                                      {"output_shape", std::vector<int64_t>{1, 1, 5}}})),
              {1, 1, 5}, {1, 2, 2, 3, 3});
  // Larger than the full result: the tail is bias only.
  const Tensor bias = F({1}, {1});
  ExpectClose(
      RunConvTranspose(kX, kOnes2, Attrs({{"output_shape", std::vector<int64_t>{6}}}), &bias),
      {1, 1, 6}, {2, 4, 6, 4, 1, 1});
}

TEST(ConvTransposeTest, AutoPad) {
  const std::vector<int64_t> s2 = {2};
  // Full result [1, 1, 3, 2, 5, 3, 3] (length 7); SAME keeps in * stride = 6.
  ExpectClose(RunConvTranspose(kX, kOnes3,
                               Attrs({{"strides", s2}, {"auto_pad", std::string("SAME_UPPER")}})),
              {1, 1, 6}, {1, 1, 3, 2, 5, 3});
  ExpectClose(RunConvTranspose(kX, kOnes3,
                               Attrs({{"strides", s2}, {"auto_pad", std::string("SAME_LOWER")}})),
              {1, 1, 6}, {1, 3, 2, 5, 3, 3});
  ExpectClose(
      RunConvTranspose(kX, kOnes3, Attrs({{"strides", s2}, {"auto_pad", std::string("VALID")}})),
      {1, 1, 7}, {1, 1, 3, 2, 5, 3, 3});
}

TEST(ConvTransposeTest, Dilations) {
  ExpectClose(RunConvTranspose(kX, kOnes2, Attrs({{"dilations", std::vector<int64_t>{2}}})),
              {1, 1, 5}, {1, 2, 4, 2, 3});
}

TEST(ConvTransposeTest, Groups) {
  const Tensor x = F({1, 2, 1, 2}, {1, 2, 10, 20});
  // Per group one input channel and two output channels.
  ExpectClose(RunConvTranspose(x, F({2, 2, 1, 1}, {1, 2, 3, -1}), Attrs({{"group", int64_t{2}}})),
              {1, 4, 1, 2}, {1, 2, 2, 4, 30, 60, -10, -20});
  // group 1: both input channels sum into each output channel.
  ExpectClose(RunConvTranspose(x, F({2, 1, 1, 1}, {1, 1}), {}), {1, 1, 1, 2}, {11, 22});
}

TEST(ConvTransposeTest, TwoDOnnxExample) {
  // ONNX test_convtranspose: 3x3 input 0..8, two 3x3 all-ones filters.
  Tensor x(DType::kFloat32, {1, 1, 3, 3});
  for (int i = 0; i < 9; ++i) x.data<float>()[i] = static_cast<float>(i);
  Tensor w(DType::kFloat32, {1, 2, 3, 3});
  for (float& v : w.span<float>()) v = 1.f;
  const std::vector<float> plane = {0,  1,  3, 3,  2,  3,  8,  15, 12, 7,  9,  21, 36,
                                    27, 15, 9, 20, 33, 24, 13, 6,  13, 21, 15, 8};
  std::vector<float> expected = plane;
  expected.insert(expected.end(), plane.begin(), plane.end());
  ExpectClose(RunConvTranspose(x, w, {}), {1, 2, 5, 5}, expected);
}

TEST(ConvTransposeTest, RandomMatchesDirectScatter) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  Tensor x(DType::kFloat32, {2, 4, 5, 4});
  Tensor w(DType::kFloat32, {4, 3, 3, 2});  // group 2: M = 6
  Tensor bias(DType::kFloat32, {6});
  for (Tensor* t : {&x, &w, &bias}) {
    for (float& v : t->span<float>()) v = dist(rng);
  }
  const std::vector<int64_t> s = {2, 3}, d = {2, 1}, p = {1, 0, 0, 2}, op = {1, 2};
  absl::StatusOr<Tensor> y = RunConvTranspose(x, w,
                                              Attrs({{"group", int64_t{2}},
                                                     {"strides", s},
                                                     {"dilations", d},
                                                     {"pads", p},
                                                     {"output_padding", op}}),
                                              &bias);
  // H: 2 * 4 + 1 + 4 + 1 - 1 = 13; W: 3 * 3 + 2 + 1 + 1 - 2 = 11.
  const Shape out = {2, 6, 13, 11};
  std::vector<float> expected(NumElements(out));
  for (int64_t i = 0; i < NumElements(out); ++i) {
    expected[i] = bias.data<float>()[(i / (13 * 11)) % 6];
  }
  for (int64_t n = 0; n < 2; ++n) {
    for (int64_t c = 0; c < 4; ++c) {
      for (int64_t iy = 0; iy < 5; ++iy) {
        for (int64_t ix = 0; ix < 4; ++ix) {
          const float xv = x.data<float>()[((n * 4 + c) * 5 + iy) * 4 + ix];
          for (int64_t m = 0; m < 3; ++m) {
            for (int64_t ky = 0; ky < 3; ++ky) {
              for (int64_t kx = 0; kx < 2; ++kx) {
                const int64_t oy = iy * s[0] + ky * d[0] - p[0];
                const int64_t ox = ix * s[1] + kx * d[1] - p[1];
                if (oy < 0 || oy >= 13 || ox < 0 || ox >= 11) continue;
                const int64_t oc = c / 2 * 3 + m;
                expected[((n * 6 + oc) * 13 + oy) * 11 + ox] +=
                    xv * w.data<float>()[((c * 3 + m) * 3 + ky) * 2 + kx];
              }
            }
          }
        }
      }
    }
  }
  ExpectClose(y, out, expected);
}

TEST(ConvTransposeTest, RejectsBadAttributesAndShapes) {
  auto code = [](const absl::StatusOr<Tensor>& r) { return r.status().code(); };
  // output_padding must be smaller than the stride (or dilation).
  EXPECT_EQ(
      code(RunConvTranspose(kX, kOnes2, Attrs({{"output_padding", std::vector<int64_t>{1}}}))),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      code(RunConvTranspose(kX, kOnes2, Attrs({{"output_shape", std::vector<int64_t>{4, 4}}}))),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunConvTranspose(kX, kOnes2, Attrs({{"auto_pad", std::string("same")}}))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunConvTranspose(kX, kOnes2, Attrs({{"kernel_shape", std::vector<int64_t>{3}}}))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunConvTranspose(kX, F({2, 1, 2}, {1, 1, 1, 1}), {})),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunConvTranspose(kX, kOnes2, Attrs({{"pads", std::vector<int64_t>{3, 3}}}))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunConvTranspose(kX, kOnes2, Attrs({{"bogus", 1.f}}))),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
