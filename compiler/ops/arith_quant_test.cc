// Quantized kernels of the arithmetic family (docs/NUMERICS.md, "Add", "Mul",
// "Conv and linear", "Concat", "Average pooling and mean"): hand-made quantized
// nodes through qprepare and qkernel against hand-computed integers, and
// random cases against the float kernel on dequantized inputs, fake-quantized.
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
#include "compiler/ops/op_test_util.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops::quant_test {
namespace {

using frontend::Attrs;

// Fake quantization of the float result (float32 x * (1/s), half to even).
int64_t FakeQuant(float x, float s, int64_t lo, int64_t hi) {
  const float p = x * (1.0f / s);
  return static_cast<int64_t>(std::clamp<double>(std::nearbyint(p), lo, hi));
}

// Quantized vs fake-quantized float: within 1 LSB for >= 99.9 %, never > 2;
// also checks the output is not degenerate.
void ExpectAgree(const QRun& r, const Out& out) {
  const Tensor& q = r.q[0];
  const Tensor& f = r.f[0];
  ASSERT_EQ(q.shape(), f.shape());
  const int64_t lo = out.storage == DType::kInt8 ? -128 : -32768;
  const int64_t hi = -lo - 1;
  int64_t over1 = 0, max_abs = 0, nonzero = 0;
  int64_t inner = 1, channels = 1;
  if (out.scales.size() > 1) {
    channels = q.dim(out.axis);
    for (int d = out.axis + 1; d < q.rank(); ++d) inner *= q.dim(d);
  }
  for (int64_t i = 0; i < q.num_elements(); ++i) {
    const float s = out.scales.size() > 1 ? out.scales[(i / inner) % channels] : out.scales[0];
    const int64_t want = FakeQuant(f.data<float>()[i], s, lo, hi);
    const int64_t d = std::abs(q.GetAsInt64(i) - want);
    ASSERT_LE(d, 2) << "element " << i << " got " << q.GetAsInt64(i) << " want " << want;
    over1 += d > 1;
    max_abs = std::max(max_abs, std::abs(q.GetAsInt64(i)));
    nonzero += q.GetAsInt64(i) != 0;
  }
  EXPECT_LE(over1 * 1000, q.num_elements());
  EXPECT_GE(max_abs, 64);
  EXPECT_GE(nonzero * 10, q.num_elements() * 9);
}

// ---------------------------------------------------------------- add / mul

TEST(ArithQuantTest, AddBayesHandComputedWithBroadcast) {
  // s_a = 0.5, s_b = 0.25, s_out = 0.5: shift 15, qscale 16384 (see
  // isa/numerics/elementwise_test.cc). a [2, 1] = {10, -10}, b [2] = {-3, 3}:
  // (10, -3): 278528 / 32768 = 8.5 -> 9; (10, 3): 376832 / 32768 = 11.5 -> 12;
  // (-10, -3): -11.5 -> -11; (-10, 3): -8.5 -> -8.
  absl::StatusOr<QRun> r = RunBoth(
      "Add", {In8(I8({2, 1}, {10, -10}), 0.5f), In8(I8({2}, {-3, 3}), 0.25f)}, {}, {k8, {0.5f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectInts(r->q[0], {9, 12, -11, -8});
  absl::StatusOr<qparams::Add> add = qparams::Load<qparams::Add>(*r->node);
  ASSERT_TRUE(add.ok()) << add.status();
  const auto* bayes = std::get_if<numerics::BayesAddParams>(&add->params);
  ASSERT_NE(bayes, nullptr);
  EXPECT_EQ(bayes->x_input, 0);
  EXPECT_EQ(bayes->x_sign, 1);
  EXPECT_EQ(bayes->shift, 15);
  EXPECT_EQ(bayes->qscale, 16384);
  EXPECT_EQ(bayes->out.multiplier, 1 << 30);
  EXPECT_EQ(bayes->out.shift, 45);
}

TEST(ArithQuantTest, AddBernoulli2AndSaturation) {
  // bernoulli2, s_a = 0.5 (sumin), s_b = 0.25 (feature): w = 127, qm = 254;
  // (10, -2): 2286 / 254 = 9; (127, 127): (127 * 127 + 127 * 254) / 254 =
  // 190.5 -> saturates to 127; (-128, -128) -> -128.
  absl::StatusOr<QRun> r =
      RunBoth("Add", {In8(I8({3}, {10, 127, -128}), 0.5f), In8(I8({3}, {-2, 127, -128}), 0.25f)},
              {}, {k8, {0.5f}}, "bernoulli2");
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectInts(r->q[0], {9, 127, -128});
  absl::StatusOr<qparams::Add> add = qparams::Load<qparams::Add>(*r->node);
  ASSERT_TRUE(add.ok()) << add.status();
  EXPECT_TRUE(std::holds_alternative<numerics::Bernoulli2AddParams>(add->params));
}

TEST(ArithQuantTest, SubAndMulHandComputed) {
  // Sub, x = a: qscale -16384; (10, -3): 376832 / 32768 = 11.5 -> 12.
  absl::StatusOr<QRun> s =
      RunBoth("Sub", {In8(I8({1}, {10}), 0.5f), In8(I8({1}, {-3}), 0.25f)}, {}, {k8, {0.5f}});
  ASSERT_TRUE(s.ok()) << s.status();
  ExpectInts(s->q[0], {12});
  // Mul: M = 0.5 * 0.25 / 0.125 = 1: 7 * -9 = -63; 127 * 127 saturates; int16
  // output keeps 16129.
  absl::StatusOr<QRun> m = RunBoth(
      "Mul", {In8(I8({2}, {7, 127}), 0.5f), In8(I8({2}, {-9, 127}), 0.25f)}, {}, {k8, {0.125f}});
  ASSERT_TRUE(m.ok()) << m.status();
  ExpectInts(m->q[0], {-63, 127});
  absl::StatusOr<QRun> m16 = RunBoth(
      "Mul", {In8(I16({2}, {7, 127}), 0.5f), In8(I16({2}, {-9, 127}), 0.25f)}, {}, {k16, {0.125f}});
  ASSERT_TRUE(m16.ok()) << m16.status();
  ExpectInts(m16->q[0], {-63, 16129});
}

TEST(ArithQuantTest, UnknownMarchIsAnError) {
  absl::StatusOr<QRun> r =
      RunBoth("Add", {In8(I8({1}, {1}), 0.5f), In8(I8({1}, {1}), 0.5f)}, {}, {k8, {0.5f}}, "x2");
  EXPECT_FALSE(r.ok());
}

// ------------------------------------------------------------------- conv

// x [1, 1, 3, 3] = 1..9 (s 0.5); w0 = [[1, 0], [0, 1]] (s 0.1), w1 = all 1
// (s 0.2); bias {4, -10} at s_x s_w = {0.05, 0.1}.
std::vector<A> ConvArgs() {
  return {In8(I8({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}), 0.5f),
          Cst(I8({2, 1, 2, 2}, {1, 0, 0, 1, 1, 1, 1, 1}), {0.1f, 0.2f}, 0),
          Cst(I32({2}, {4, -10}), {0.05f, 0.1f}, 0)};
}

TEST(ArithQuantTest, FusedConvHandComputed) {
  // acc0 = x[i][j] + x[i+1][j+1] + 4 = {10, 12, 16, 18} (real 0.5, 0.6, 0.8,
  // 0.9); acc1 = 2x2 sums - 10 = {2, 6, 14, 18} (real 0.2, 0.6, 1.4, 1.8).
  // Output s 0.25: {2, 2.4, 3.2, 3.6} -> {2, 2, 3, 4}; {0.8, 2.4, 5.6, 7.2} ->
  // {1, 2, 6, 7}.
  absl::StatusOr<QRun> r =
      RunBoth("FusedConv", ConvArgs(), Attrs({{"activation", std::string("none")}}), {k8, {0.25f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectInts(r->q[0], {2, 2, 3, 4, 1, 2, 6, 7});
  // Plain Conv (what fusion leaves unfused) gives the same.
  absl::StatusOr<QRun> c = RunBoth("Conv", ConvArgs(), {}, {k8, {0.25f}});
  ASSERT_TRUE(c.ok()) << c.status();
  ExpectInts(c->q[0], {2, 2, 3, 4, 1, 2, 6, 7});
}

TEST(ArithQuantTest, FusedConvSuminRelu6) {
  // sumin (s 0.5) ch0 {1, -4, 3, 40}, ch1 {0, 0, -4, 1}; relu6 bound round(6 /
  // 0.25) = 24. ch0: 2 + 2 = 4; 2.4 - 8 = -5.6 -> 0; 3.2 + 6 = 9.2 -> 9; 3.6 +
  // 80 -> 24. ch1: 0.8 -> 1; 2.4 -> 2; 5.6 - 8 -> 0; 7.2 + 2 = 9.2 -> 9.
  std::vector<A> args = ConvArgs();
  args.push_back(In8(I8({1, 2, 2, 2}, {1, -4, 3, 40, 0, 0, -4, 1}), 0.5f));
  absl::StatusOr<QRun> r =
      RunBoth("FusedConv", args, Attrs({{"activation", std::string("relu6")}}), {k8, {0.25f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectInts(r->q[0], {4, 0, 9, 24, 1, 2, 0, 9});
  absl::StatusOr<qparams::Requant> requant = qparams::Load<qparams::Requant>(*r->node);
  ASSERT_TRUE(requant.ok()) << requant.status();
  ASSERT_EQ(requant->channels.size(), 2u);
  EXPECT_EQ(requant->channels[0].hi, 24);
  EXPECT_EQ(requant->channels[1].hi, 24);
  EXPECT_EQ(requant->channels[0].lo, 0);
  // relu: 3.6 + 80 = 83.6 -> 84.
  absl::StatusOr<QRun> relu =
      RunBoth("FusedConv", args, Attrs({{"activation", std::string("relu")}}), {k8, {0.25f}});
  ASSERT_TRUE(relu.ok()) << relu.status();
  ExpectInts(relu->q[0], {4, 0, 9, 84, 1, 2, 0, 9});
}

TEST(ArithQuantTest, FusedConvInt32Output) {
  // Output int32 with per-channel scales s_x s_w: the raw accumulators.
  absl::StatusOr<QRun> r =
      RunBoth("FusedConv", ConvArgs(), Attrs({{"activation", std::string("none")}}),
              {k32, {0.05f, 0.1f}, 1});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectInts(r->q[0], {10, 12, 16, 18, 2, 6, 14, 18});
}

TEST(ArithQuantTest, FusedConvInt16InputAccumulatesInInt64) {
  // x int16 all 32767 (s 1), w [1, 64, 3, 3] all 127 (s 1), pads 0: acc = 576 *
  // 32767 * 127 = 2396971584 > 2^31. Output int16 s 2^17: 2396971584 / 131072
  // = 18287.4 -> 18287 (an int32 accumulator would have wrapped negative).
  std::vector<int16_t> xv(64 * 9, 32767);
  std::vector<int8_t> wv(64 * 9, 127);
  absl::StatusOr<QRun> r =
      RunBoth("FusedConv",
              {In8(Tensor::FromVector<int16_t>({1, 64, 3, 3}, xv), 1.0f),
               Cst(Tensor::FromVector<int8_t>({1, 64, 3, 3}, wv), {1.0f}, 0),
               Cst(I32({1}, {0}), {1.0f}, 0)},
              Attrs({{"activation", std::string("none")}}), {k16, {131072.0f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectInts(r->q[0], {18287});
}

TEST(ArithQuantTest, BadBiasScaleIsAnError) {
  std::vector<A> args = ConvArgs();
  args[2].scales = {0.5f, 0.1f};
  absl::StatusOr<QRun> r =
      RunBoth("FusedConv", args, Attrs({{"activation", std::string("none")}}), {k8, {0.25f}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bias scale"), std::string::npos) << r.status();
}

TEST(ArithQuantTest, FusedConvRandomAgreesWithFakeQuant) {
  std::mt19937 rng(11);
  struct Case {
    DType x;
    int64_t c, m, group, k, stride, dilation, pad, size;
  };
  for (const Case& cs : {Case{k8, 8, 8, 1, 3, 1, 1, 1, 9}, Case{k8, 8, 12, 4, 3, 2, 1, 1, 11},
                         Case{k8, 6, 6, 6, 3, 1, 2, 2, 8}, Case{k16, 4, 6, 2, 2, 2, 1, 0, 9}}) {
    const int xm = cs.x == k8 ? 127 : 32767;
    const float sx = cs.x == k8 ? 0.02f : 0.0001f;
    std::vector<float> sw;
    for (int64_t i = 0; i < cs.m; ++i) sw.push_back(0.01f * (1 + i % 3));
    std::vector<float> sb;
    for (float s : sw) sb.push_back(sx * s);
    const int64_t taps = cs.k * cs.k * (cs.c / cs.group);
    // Output scale from a typical accumulator size.
    const float so = static_cast<float>(xm * sx * 0.03 * 127 * std::sqrt(double(taps)) / 127 / 2);
    std::vector<A> args = {
        In8(RandInt(cs.x, {2, cs.c, cs.size, cs.size}, -xm, xm, rng), sx),
        Cst(RandInt(k8, {cs.m, cs.c / cs.group, cs.k, cs.k}, -127, 127, rng), sw, 0),
        Cst(RandInt(k32, {cs.m}, -20000, 20000, rng), sb, 0)};
    ir::AttributeMap attrs = Attrs({{"activation", std::string("none")},
                                    {"group", cs.group},
                                    {"strides", std::vector<int64_t>{cs.stride, cs.stride}},
                                    {"dilations", std::vector<int64_t>{cs.dilation, cs.dilation}},
                                    {"pads", std::vector<int64_t>(4, cs.pad)}});
    const Out out{cs.x, {so}};
    absl::StatusOr<QRun> r = RunBoth("FusedConv", args, attrs, out);
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectAgree(*r, out);
  }
}

// ---------------------------------------------------------------- linear

TEST(ArithQuantTest, FusedLinearAndMatMulHandComputed) {
  // x = [[1, 2, 3], [-1, 0, 4]] (s 1), w0 = {1, 1, 1} (s 1), w1 = {2, 0, -2}
  // (s 0.5), bias {1, 2}. Row 0: 6 + 1 = 7; (2 - 6 + 2) * 0.5 = -1. Row 1:
  // 3 + 1 = 4; (-2 - 8 + 2) * 0.5 = -4.
  absl::StatusOr<QRun> r = RunBoth("FusedLinear",
                                   {In8(I8({2, 3}, {1, 2, 3, -1, 0, 4}), 1.0f),
                                    Cst(I8({2, 3}, {1, 1, 1, 2, 0, -2}), {1.0f, 0.5f}, 0),
                                    Cst(I32({2}, {1, 2}), {1.0f, 0.5f}, 0)},
                                   Attrs({{"activation", std::string("none")}}), {k8, {1.0f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectInts(r->q[0], {7, -1, 4, -4});
  // MatMul of two inputs, M = 0.5 * 0.5 / 0.25 = 1: [[19, 22], [43, 50]].
  absl::StatusOr<QRun> m =
      RunBoth("MatMul", {In8(I8({2, 2}, {1, 2, 3, 4}), 0.5f), In8(I8({2, 2}, {5, 6, 7, 8}), 0.5f)},
              {}, {k8, {0.25f}});
  ASSERT_TRUE(m.ok()) << m.status();
  ExpectInts(m->q[0], {19, 22, 43, 50});
}

TEST(ArithQuantTest, GemmHandComputed) {
  // The FusedLinear case as Gemm transB = 1, and with B transposed (transB =
  // 0, per-channel scales along axis 1): {7, -1, 4, -4}.
  const A a = In8(I8({2, 3}, {1, 2, 3, -1, 0, 4}), 1.0f);
  const A c = Cst(I32({2}, {1, 2}), {1.0f, 0.5f}, 0);
  absl::StatusOr<QRun> r =
      RunBoth("Gemm", {a, Cst(I8({2, 3}, {1, 1, 1, 2, 0, -2}), {1.0f, 0.5f}, 0), c},
              Attrs({{"transB", int64_t{1}}}), {k8, {1.0f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectInts(r->q[0], {7, -1, 4, -4});
  absl::StatusOr<QRun> t = RunBoth(
      "Gemm", {a, Cst(I8({3, 2}, {1, 2, 1, 0, 1, -2}), {1.0f, 0.5f}, 1), c}, {}, {k8, {1.0f}});
  ASSERT_TRUE(t.ok()) << t.status();
  ExpectInts(t->q[0], {7, -1, 4, -4});
  // alpha != 1 is not implemented.
  absl::StatusOr<QRun> al =
      RunBoth("Gemm", {a, Cst(I8({3, 2}, {1, 2, 1, 0, 1, -2}), {1.0f, 0.5f}, 1), c},
              Attrs({{"alpha", 2.0f}}), {k8, {1.0f}});
  EXPECT_EQ(al.status().code(), absl::StatusCode::kUnimplemented) << al.status();
}

TEST(ArithQuantTest, MatMulRandomBroadcastAgrees) {
  std::mt19937 rng(5);
  const Out out{k8, {0.3f}};
  absl::StatusOr<QRun> r = RunBoth("MatMul",
                                   {In8(RandInt(k8, {2, 1, 5, 16}, -127, 127, rng), 0.02f),
                                    In8(RandInt(k8, {3, 16, 7}, -127, 127, rng), 0.02f)},
                                   {}, out);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectAgree(*r, out);
  // Constant B with per-column scales.
  std::vector<float> sb = {0.01f, 0.02f, 0.015f, 0.03f};
  const Out out2{k8, {0.3f}};
  absl::StatusOr<QRun> c = RunBoth("MatMul",
                                   {In8(RandInt(k8, {6, 32}, -127, 127, rng), 0.02f),
                                    Cst(RandInt(k8, {32, 4}, -127, 127, rng), sb, 1)},
                                   {}, out2);
  ASSERT_TRUE(c.ok()) << c.status();
  ExpectAgree(*c, out2);
}

// -------------------------------------------------------- concat / pooling

TEST(ArithQuantTest, ConcatRequantizes) {
  // b at 0.25 -> 0.5: 3 -> 1.5 -> 2, -5 -> -2.5 -> -2 (half up).
  absl::StatusOr<QRun> r =
      RunBoth("Concat", {In8(I8({1, 2}, {1, 2}), 0.5f), In8(I8({1, 2}, {3, -5}), 0.25f)},
              Attrs({{"axis", int64_t{1}}}), {k8, {0.5f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectInts(r->q[0], {1, 2, 2, -2});
  // Axis 0 and equal scales: a copy, int16 kept.
  absl::StatusOr<QRun> c =
      RunBoth("Concat", {In8(I16({1, 2}, {-32768, 2}), 0.5f), In8(I16({1, 2}, {3, 32767}), 0.5f)},
              Attrs({{"axis", int64_t{0}}}), {k16, {0.5f}});
  ASSERT_TRUE(c.ok()) << c.status();
  ExpectInts(c->q[0], {-32768, 2, 3, 32767});
}

TEST(ArithQuantTest, AveragePoolHandComputed) {
  const Tensor x = I8({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  // kernel 2, stride 1: sums {12, 16, 24, 28} / 4 at out s 0.5 -> {6, 8, 12, 14}.
  absl::StatusOr<QRun> r =
      RunBoth("AveragePool", {In8(x, 1.0f)}, Attrs({{"kernel_shape", std::vector<int64_t>{2, 2}}}),
              {k8, {0.5f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectInts(r->q[0], {6, 8, 12, 14});
  // kernel 2, stride 2, pads 1: windows {1}, {2, 3}, {4, 7}, {5, 6, 8, 9}.
  // count_include_pad = 0: 1, 2.5, 5.5, 7 -> /0.5 = {2, 5, 11, 14}.
  ir::AttributeMap attrs = Attrs({{"kernel_shape", std::vector<int64_t>{2, 2}},
                                  {"strides", std::vector<int64_t>{2, 2}},
                                  {"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  absl::StatusOr<QRun> p = RunBoth("AveragePool", {In8(x, 1.0f)}, attrs, {k8, {0.5f}});
  ASSERT_TRUE(p.ok()) << p.status();
  ExpectInts(p->q[0], {2, 5, 11, 14});
  // count_include_pad = 1: divisor 4: 0.25, 1.25, 2.75, 7 -> {0.5 -> 1, 2.5 ->
  // 3, 5.5 -> 6, 14} (half up).
  attrs.Set("count_include_pad", int64_t{1});
  absl::StatusOr<QRun> q = RunBoth("AveragePool", {In8(x, 1.0f)}, attrs, {k8, {0.5f}});
  ASSERT_TRUE(q.ok()) << q.status();
  ExpectInts(q->q[0], {1, 3, 6, 14});
}

TEST(ArithQuantTest, GlobalAveragePoolAndReduces) {
  // ch0 mean 2.5, ch1 mean -2.75; out s 0.5: 5, -5.5 -> -5 (half up).
  absl::StatusOr<QRun> g =
      RunBoth("GlobalAveragePool", {In8(I8({1, 2, 2, 2}, {1, 2, 3, 4, -1, -2, -3, -5}), 1.0f)}, {},
              {k8, {0.5f}});
  ASSERT_TRUE(g.ok()) << g.status();
  ExpectInts(g->q[0], {5, -5});
  // ReduceMean over axis 1 of [[1, 2, 4], [-3, 0, 1]]: 7/3 / 0.25 = 9.33 -> 9,
  // -2/3 / 0.25 = -2.67 -> -3. ReduceSum at s 0.5: 14, -4.
  const Tensor x = I8({2, 3}, {1, 2, 4, -3, 0, 1});
  absl::StatusOr<QRun> m =
      RunBoth("ReduceMean", {In8(x, 1.0f)},
              Attrs({{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{0}}}), {k8, {0.25f}});
  ASSERT_TRUE(m.ok()) << m.status();
  ExpectInts(m->q[0], {9, -3});
  absl::StatusOr<QRun> s = RunBoth(
      "ReduceSum", {In8(x, 1.0f), {A::kConstant, Tensor::FromVector<int64_t>({1}, {1}), {}, -1}},
      {}, {k8, {0.5f}});
  ASSERT_TRUE(s.ok()) << s.status();
  ExpectInts(s->q[0], {14, -4});
}

// A resnet18 stage-1 layer (64 -> 64, 3x3, 56x56, 115.6 M MACs; the whole
// network is ~1.8 G): its time times 16 estimates resnet18 at 224x224.
TEST(ArithQuantTest, ConvSpeed) {
  std::mt19937 rng(3);
  std::vector<float> sw(64, 0.01f), sb(64, 0.02f * 0.01f);
  std::vector<A> args = {In8(RandInt(k8, {1, 64, 56, 56}, -127, 127, rng), 0.02f),
                         Cst(RandInt(k8, {64, 64, 3, 3}, -127, 127, rng), sw, 0),
                         Cst(RandInt(k32, {64}, -1000, 1000, rng), sb, 0)};
  const auto t0 = std::chrono::steady_clock::now();
  absl::StatusOr<QRun> r = RunBoth(
      "FusedConv", args,
      Attrs({{"activation", std::string("relu")}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}}),
      {k8, {0.5f}});
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(r.ok()) << r.status();
  std::printf("conv-speed: 64x56x56 3x3 int8 float+quant %.3f s\n", s);
  EXPECT_LT(s, 5.0);
}

}  // namespace
}  // namespace openbpu::ops::quant_test
