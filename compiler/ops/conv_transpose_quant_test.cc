// Quantized ConvTranspose (docs/NUMERICS.md "Conv and linear"): hand-made
// quantized nodes through qprepare and qkernel against hand-computed integers
// (strides, pads, output_padding, groups sharing the axis-1 weight scales),
// and random cases against the float kernel on dequantized inputs.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/tensor.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/ir/op_registry.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops::quant_test {
namespace {

using frontend::Attrs;
using Ints = std::vector<int64_t>;

// A ConvTranspose node through the float kernel and qprepare / qkernel; a per-channel output
// is along axis 1.
absl::StatusOr<QRun> RunQuant(const std::vector<A>& args, ir::AttributeMap attrs, Out out) {
  out.axis = out.scales.size() > 1 ? 1 : -1;
  return RunBoth("ConvTranspose", args, std::move(attrs), out);
}

TEST(ConvTransposeQuantTest, Stride2PerChannelBiasRoundingAndSaturation) {
  // x [1, 1, 2, 2] = {10, 20; 30, -40} (s 0.5); w [1, 2, 2, 2]: column 0 =
  // [[1, 0], [0, 1]] (s 0.1), column 1 = all 1 (s 0.2); bias {5, 100} at
  // s_x s_w = {0.05, 0.1}; stride 2 places x[a][b] * w in block (a, b).
  // Output s 0.1: M_0 = 0.5, M_1 = 1.
  // ch0 acc + 5 = {15 5 25 5 / 5 15 5 25 / 35 5 -35 5 / 5 35 5 -35}, x 0.5
  // rounding half up: {8 3 13 3 / 3 8 3 13 / 18 3 -17 3 / 3 18 3 -17}.
  // ch1 acc + 100 = {110 110 120 120 (twice) / 130 130 60 60 (twice)}; 130
  // saturates to 127.
  absl::StatusOr<QRun> r =
      RunQuant({In8(I8({1, 1, 2, 2}, {10, 20, 30, -40}), 0.5f),
                Cst(I8({1, 2, 2, 2}, {1, 0, 0, 1, 1, 1, 1, 1}), {0.1f, 0.2f}, 1),
                Cst(I32({2}, {5, 100}), {0.05f, 0.1f}, 0)},
               Attrs({{"strides", Ints{2, 2}}}), {k8, {0.1f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectInts(r->q[0],
             {8,   3,   13,  3,   3,   8,   3,   13,  18,  3,   -17, 3,  3,   18,  3,  -17,
              110, 110, 120, 120, 110, 110, 120, 120, 127, 127, 60,  60, 127, 127, 60, 60});
  absl::StatusOr<qparams::Requant> requant = qparams::Load<qparams::Requant>(*r->node);
  ASSERT_TRUE(requant.ok()) << requant.status();
  ASSERT_EQ(requant->channels.size(), 2u);
  EXPECT_EQ(requant->channels[0].acc.multiplier, 1 << 30);
  EXPECT_EQ(requant->channels[1].acc.multiplier, 1 << 30);
  EXPECT_EQ(requant->channels[0].acc.shift, 31);
  EXPECT_EQ(requant->channels[1].acc.shift, 30);
}

TEST(ConvTransposeQuantTest, PadsAndOutputPadding1d) {
  // x {1, 2, 3}, w {1, 2, 3}, stride 2, pads {1, 0}, output_padding 1: the
  // full result (length 8) is {1, 2, 5, 4, 9, 6, 9, 0} (the output_padding
  // position gets no tap); cropping 1 at the start gives {2, 5, 4, 9, 6, 9, 0};
  // + bias 3 = {5, 8, 7, 12, 9, 12, 3}; output s 2 (M = 0.5), half up:
  // {3, 4, 4, 6, 5, 6, 2}.
  absl::StatusOr<QRun> r =
      RunQuant({In8(I8({1, 1, 3}, {1, 2, 3}), 1.0f), Cst(I8({1, 1, 3}, {1, 2, 3}), {1.0f}, 1),
                Cst(I32({1}, {3}), {1.0f}, 0)},
               Attrs({{"strides", Ints{2}}, {"pads", Ints{1, 0}}, {"output_padding", Ints{1}}}),
               {k8, {2.0f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectInts(r->q[0], {3, 4, 4, 6, 5, 6, 2});
}

TEST(ConvTransposeQuantTest, GroupsShareTheColumnScales) {
  // group 2, x [1, 2, 2] = {1, 2 | 3, 4} (s 1), w [2, 2, 1]: input channel 0
  // (group 0) = {1, 2}, input channel 1 (group 1) = {3, 4}; scales per column
  // j of axis 1 = {1, 0.5}: output channel g * 2 + j uses s_w[j], as convert
  // quantizes it. Reals: oc0 = x0 * 1 = {1, 2}; oc1 = x0 * 2 * 0.5 = {1, 2};
  // oc2 = x1 * 3 = {9, 12}; oc3 = x1 * 4 * 0.5 = {6, 8}. Output s 0.5.
  absl::StatusOr<QRun> r = RunQuant({In8(I8({1, 2, 2}, {1, 2, 3, 4}), 1.0f),
                                     Cst(I8({2, 2, 1}, {1, 2, 3, 4}), {1.0f, 0.5f}, 1), Omit()},
                                    Attrs({{"group", int64_t{2}}}), {k8, {0.5f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectInts(r->q[0], {2, 4, 2, 4, 18, 24, 12, 16});
  // A bias of the 4 output channels takes s_x * s_w[c % 2].
  absl::StatusOr<QRun> b = RunQuant(
      {In8(I8({1, 2, 2}, {1, 2, 3, 4}), 1.0f), Cst(I8({2, 2, 1}, {1, 2, 3, 4}), {1.0f, 0.5f}, 1),
       Cst(I32({4}, {1, 2, 3, 4}), {1.0f, 0.5f, 1.0f, 0.5f}, 0)},
      Attrs({{"group", int64_t{2}}}), {k8, {0.5f}});
  ASSERT_TRUE(b.ok()) << b.status();
  ExpectInts(b->q[0], {4, 6, 4, 6, 24, 30, 16, 20});
}

TEST(ConvTransposeQuantTest, Int16InputAccumulatesInInt64) {
  // 600 input channels of 32767 times weight 127, kernel 1: acc = 600 *
  // 4161409 = 2496845400 > 2^31 (an int32 sum would wrap). Output int16 s 2^17:
  // 2496845400 / 131072 = 19049.4 -> 19049.
  std::vector<int16_t> xv(600, 32767);
  std::vector<int8_t> wv(600, 127);
  absl::StatusOr<QRun> r =
      RunQuant({In8(Tensor::FromVector<int16_t>({1, 600, 1, 1}, xv), 1.0f),
                Cst(Tensor::FromVector<int8_t>({600, 1, 1, 1}, wv), {1.0f}, 1), Omit()},
               {}, {k16, {131072.0f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectInts(r->q[0], {19049});
}

TEST(ConvTransposeQuantTest, BadScalesAreErrors) {
  std::vector<A> args = {In8(I8({1, 1, 2, 2}, {10, 20, 30, -40}), 0.5f),
                         Cst(I8({1, 2, 2, 2}, {1, 0, 0, 1, 1, 1, 1, 1}), {0.1f, 0.2f}, 1),
                         Cst(I32({2}, {5, 100}), {0.05f, 0.2f}, 0)};
  absl::StatusOr<QRun> r = RunQuant(args, {}, {k8, {0.1f}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bias scale"), std::string::npos) << r.status();
  // Scales along the input-channel axis 0 cannot be applied after the sum.
  std::vector<A> axis0 = {In8(I8({1, 2, 1, 1}, {1, 2}), 0.5f),
                          Cst(I8({2, 1, 1, 1}, {1, 1}), {0.1f, 0.2f}, 0), Omit()};
  r = RunQuant(axis0, {}, {k8, {0.1f}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("weight"), std::string::npos) << r.status();
}

TEST(ConvTransposeQuantTest, RandomAgreesWithFakeQuantizedFloat) {
  std::mt19937 rng(5);
  struct Case {
    DType x;
    int64_t c, m, group, k, stride, dilation, pad, out_pad, size;
  };
  for (const Case& cs :
       {Case{k8, 6, 8, 1, 3, 1, 1, 1, 0, 7}, Case{k8, 8, 6, 2, 3, 2, 1, 1, 1, 6},
        Case{k8, 4, 4, 2, 4, 2, 1, 1, 0, 5}, Case{k8, 3, 5, 1, 3, 2, 2, 2, 1, 6},
        Case{k16, 4, 6, 2, 2, 2, 1, 0, 1, 6}, Case{k16, 6, 4, 1, 3, 3, 1, 1, 2, 4}}) {
    SCOPED_TRACE(absl::StrCat("c ", cs.c, " m ", cs.m, " group ", cs.group, " k ", cs.k, " stride ",
                              cs.stride, " dtype ", DTypeName(cs.x)));
    const int xm = cs.x == k8 ? 127 : 32767;
    const float sx = cs.x == k8 ? 0.02f : 0.0001f;
    const int64_t mg = cs.m / cs.group;
    std::vector<float> sw, sb;
    for (int64_t j = 0; j < mg; ++j) sw.push_back(0.01f * (1 + j % 3));
    for (int64_t c = 0; c < cs.m; ++c) sb.push_back(sx * sw[c % mg]);
    const double terms = static_cast<double>(cs.k * cs.k * (cs.c / cs.group)) /
                         static_cast<double>(cs.stride * cs.stride);
    const float so = static_cast<float>(xm * sx * 0.02 * 127 * std::sqrt(terms) / 127);
    // The bias is large enough that output_padding positions (bias only) stay nonzero.
    const std::vector<A> args = {In8(RandInt(cs.x, {2, cs.c, cs.size, cs.size}, -xm, xm, rng), sx),
                                 Cst(RandInt(k8, {cs.c, mg, cs.k, cs.k}, -127, 127, rng), sw, 1),
                                 Cst(RandInt(k32, {cs.m}, -100 * xm, 100 * xm, rng), sb, 0)};
    ir::AttributeMap attrs = Attrs({{"group", cs.group},
                                    {"strides", Ints{cs.stride, cs.stride}},
                                    {"dilations", Ints{cs.dilation, cs.dilation}},
                                    {"pads", Ints(4, cs.pad)},
                                    {"output_padding", Ints{cs.out_pad, cs.out_pad}}});
    absl::StatusOr<QRun> r = RunQuant(args, attrs, {cs.x, {so}});
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->q[0].shape(), r->f[0].shape());
    const int64_t lo = cs.x == k8 ? -128 : -32768, hi = -lo - 1;
    int64_t over1 = 0, max_abs = 0, nonzero = 0;
    const int64_t n = r->q[0].num_elements();
    for (int64_t i = 0; i < n; ++i) {
      const float p = r->f[0].data<float>()[i] * (1.0f / so);
      const int64_t want = static_cast<int64_t>(std::clamp<double>(std::nearbyint(p), lo, hi));
      const int64_t got = r->q[0].GetAsInt64(i);
      ASSERT_LE(std::abs(got - want), 2) << "element " << i;
      over1 += std::abs(got - want) > 1;
      max_abs = std::max(max_abs, std::abs(got));
      nonzero += got != 0;
    }
    EXPECT_LE(over1 * 1000, n);
    EXPECT_GE(max_abs, 64);
    EXPECT_GE(nonzero * 10, n * 9);
  }
}

TEST(ConvTransposeQuantTest, Speed) {
  // A decoder upsampling layer: 128 -> 64 channels, 28x28 -> 56x56, 4x4 stride 2 (103 M MACs).
  std::mt19937 rng(3);
  const std::vector<A> args = {
      In8(RandInt(k8, {1, 128, 28, 28}, -127, 127, rng), 0.02f),
      Cst(RandInt(k8, {128, 64, 4, 4}, -127, 127, rng), std::vector<float>(64, 0.01f), 1), Omit()};
  const auto t0 = std::chrono::steady_clock::now();
  absl::StatusOr<QRun> r =
      RunQuant(args, Attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}), {k8, {1.0f}});
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(r.ok()) << r.status();
  std::printf("conv-transpose-speed: 128->64 28x28 4x4 s2 int8 float+quant %.3f s\n", s);
  EXPECT_LT(s, 5.0);
}

}  // namespace
}  // namespace openbpu::ops::quant_test
