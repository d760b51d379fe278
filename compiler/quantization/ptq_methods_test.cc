// The PTQ methods of issue 18 that change scales or weights after calibration: per-layer choice of
// the calibration method (select_scales.h) and learned rounding (adaround.h). Each test shows
// what the method changes against the plain flow.
#include <cmath>
#include <cstdio>
#include <random>

#include "absl/strings/match.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/quantization/adaround.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/convert.h"
#include "compiler/quantization/ptq_test_util.h"
#include "compiler/quantization/select_scales.h"
#include "compiler/reference/float_interpreter.h"
#include "compiler/reference/quantized_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::quantization {
namespace {

using frontend::GraphBuilder;
using ptq_test::MseMap;
using ptq_test::Normal;

// x [1, 2, 32, 32] -> 1x1 Conv (2 -> 1 channels, weight [w0, w1]) -> y. Channel 0 is N(0, 1);
// channel 1 is zero but for one value of 40 in the first sample: rarer than 0.01 %, so the
// percentile observer clips it, while MSE and min-max keep it.
std::unique_ptr<ir::Graph> OutlierConv(float w0, float w1) {
  GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 2, 32, 32});
  ir::Value* w = b.Constant(Tensor::FromVector<float>({1, 2, 1, 1}, {w0, w1}), "w");
  b.Output(b.Op("Conv", {x, w}, {}, "conv"));
  return *b.Build();
}

Dataset OutlierData(const ir::Graph& g) {
  Dataset data;
  for (int i = 0; i < 8; ++i) {
    Tensor x = Normal({1, 2, 32, 32}, 100 + i);
    for (int e = 1024; e < 2048; ++e) x.data<float>()[e] = 0.0f;
    if (i == 0) x.data<float>()[1024 + 517] = 40.0f;
    EXPECT_TRUE(data.Add(g, {std::move(x)}, "s").ok());
  }
  return data;
}

// The outlier channel's weight decides what the conv's output loses by clipping x: with w1 = 0
// nothing, and selection takes the percentile's tight scale over MSE's, which keeps the outlier;
// with w1 = 1 the outlier matters and selection keeps it too.
TEST(SelectScalesTest, ChoosesByTheConsumersOutput) {
  auto select = [](float w1, std::string* method, float* mse_scale) {
    auto g = OutlierConv(1.0f, w1);
    const Dataset data = OutlierData(*g);
    auto state = PrepareCalibration(*g, MseMap());
    EXPECT_TRUE(state.ok()) << state.status();
    EXPECT_TRUE(Calibrate(**state, data, {nullptr}).ok());
    *mse_scale = (*(*state)->ActivationScales("x"))[0];
    SelectOptions options;
    options.progress = nullptr;
    absl::StatusOr<SelectReport> report = SelectActivationScales(**state, data, options);
    EXPECT_TRUE(report.ok()) << report.status();
    std::printf("select (w1=%g): %s\n", w1, report->ToString().c_str());
    const ActivationEntry& x = (*state)->activations().at("x");
    *method = x.selected_by;
    EXPECT_TRUE(x.selected_scale.has_value());
    return *(*state)->ActivationScales("x");
  };
  std::string ignored_method, used_method;
  float mse_ignored = 0, mse_used = 0;
  const std::vector<float> ignored = select(0.0f, &ignored_method, &mse_ignored);
  const std::vector<float> used = select(1.0f, &used_method, &mse_used);
  std::printf(
      "select: x's scale %g (%s) when the conv ignores the outlier, %g (%s) when it "
      "uses it; the MSE observer's %g and %g\n",
      ignored[0], ignored_method.c_str(), used[0], used_method.c_str(), mse_ignored, mse_used);
  EXPECT_GT(mse_ignored, 0.9f * 40.0f / 127.5f);  // MSE alone (nearly) keeps the outlier
  EXPECT_FLOAT_EQ(used[0], mse_used);
  EXPECT_EQ(used_method, "mse");
  EXPECT_NE(ignored_method, "mse");
  EXPECT_LT(ignored[0], 0.25f * used[0]);
}

TEST(SelectScalesTest, DeterministicAndNeedsCalibration) {
  auto g = OutlierConv(1.0f, 0.5f);
  const Dataset data = OutlierData(*g);
  auto state = PrepareCalibration(*g, MseMap());
  ASSERT_TRUE(state.ok());
  SelectOptions options;
  options.progress = nullptr;
  absl::StatusOr<SelectReport> early = SelectActivationScales(**state, data, options);
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Calibrate(**state, data, {nullptr}).ok());
  ASSERT_TRUE(SelectActivationScales(**state, data, options).ok());
  const float first = (*(*state)->ActivationScales("x"))[0];
  ASSERT_TRUE(SelectActivationScales(**state, data, options).ok());
  EXPECT_EQ((*(*state)->ActivationScales("x"))[0], first);
}

// A weight whose rounding errors the data can cancel: inputs with strongly correlated channels.
TEST(AdaRoundTest, LowersTheLayerObjectiveAndStaysOnTheGrid) {
  const int64_t m = 4, c = 8;
  Tensor w = Normal({m, c, 3, 3}, 7, 0.2f);
  std::vector<float> scales(m);
  for (int64_t o = 0; o < m; ++o) {
    float amax = 0;
    for (int64_t i = 0; i < c * 9; ++i)
      amax = std::max(amax, std::fabs(w.data<float>()[o * c * 9 + i]));
    scales[o] = amax / 127.5f;
  }
  PatchSet patches;
  patches.length = c * 9;
  std::mt19937 rng(3);
  std::normal_distribution<float> d(0.0f, 1.0f);
  for (int p = 0; p < 512; ++p) {
    const float common = d(rng) + 1.0f;  // shared by every tap: a correlated, nonzero-mean input
    for (int64_t i = 0; i < patches.length; ++i) patches.data.push_back(common + 0.3f * d(rng));
    ++patches.count;
  }
  absl::StatusOr<AdaRoundResult> r = AdaRoundWeight(w, scales, 1, patches);
  ASSERT_TRUE(r.ok()) << r.status();
  std::printf("adaround: objective %.4g -> %.4g LSB^2, %lld of %lld weights off nearest\n",
              r->error_nearest, r->error_learned, static_cast<long long>(r->flipped),
              static_cast<long long>(w.num_elements()));
  EXPECT_GT(r->flipped, 0);
  EXPECT_LT(r->error_learned, 0.5 * r->error_nearest);
  for (int64_t o = 0; o < m; ++o) {
    for (int64_t i = 0; i < c * 9; ++i) {
      const float x = w.data<float>()[o * c * 9 + i] / scales[o];
      const float q = r->weight.data<float>()[o * c * 9 + i] / scales[o];
      EXPECT_NEAR(q, std::nearbyint(q), 1e-4);
      EXPECT_TRUE(std::nearbyint(q) == std::floor(x) || std::nearbyint(q) == std::floor(x) + 1);
    }
  }
  // Deterministic, and without patches it is round-to-nearest.
  absl::StatusOr<AdaRoundResult> again = AdaRoundWeight(w, scales, 1, patches);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(0, std::memcmp(again->weight.data<float>(), r->weight.data<float>(),
                           sizeof(float) * w.num_elements()));
  absl::StatusOr<AdaRoundResult> nearest = AdaRoundWeight(w, scales, 1, PatchSet{});
  ASSERT_TRUE(nearest.ok());
  EXPECT_EQ(nearest->flipped, 0);
  // Bad arguments are errors, not crashes.
  EXPECT_FALSE(AdaRoundWeight(w, {1.0f}, 1, patches).ok());
  EXPECT_FALSE(AdaRoundWeight(w, scales, 3, patches).ok());
  PatchSet wrong = patches;
  wrong.length = 5;
  EXPECT_FALSE(AdaRoundWeight(w, scales, 1, wrong).ok());
}

// End to end: a 3x3 conv quantized with --adaround gives outputs closer to the float layer's on
// held-out samples than round-to-nearest, and the same seed gives the same weights.
TEST(AdaRoundTest, QuantizedConvOutputCloserToFloat) {
  auto build = [] {
    GraphBuilder b;
    ir::Value* x = b.Input("x", DType::kFloat32, {1, 16, 8, 8});
    Tensor wt = Normal({8, 16, 3, 3}, 21, 0.1f);
    for (int o = 0; o < 8; ++o) wt.data<float>()[o * 144] = 1.0f;  // coarse int8 steps
    ir::Value* w = b.Constant(std::move(wt), "w");
    ir::Value* bias = b.Constant(Normal({8}, 22), "bias");
    b.Output(b.Op("Conv", {x, w, bias},
                  frontend::Attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}), "conv"));
    return *b.Build();
  };
  // Inputs with a shared component across channels (as after a BN + ReLU of a common feature).
  auto sample = [](uint32_t seed) {
    Tensor common = Normal({1, 1, 8, 8}, seed);
    Tensor x = Normal({1, 16, 8, 8}, seed + 1000, 0.3f);
    for (int64_t e = 0; e < x.num_elements(); ++e) {
      x.data<float>()[e] += 1.0f + common.data<float>()[e % 64];
    }
    return x;
  };
  auto probe = build();
  Dataset calib, test;
  for (int i = 0; i < 16; ++i) ASSERT_TRUE(calib.Add(*probe, {sample(50 + i)}, "c").ok());
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(test.Add(*probe, {sample(90 + i)}, "t").ok());
  auto run = [&](bool adaround, uint64_t seed, std::vector<float>* weights) {
    auto g = build();
    auto float_graph = build();
    PrepareOptions prepare;
    if (adaround) prepare.adaround = PatchSampling{24, 2048, seed};
    auto state = PrepareCalibration(*g, MseMap(), prepare);
    EXPECT_TRUE(state.ok()) << state.status();
    EXPECT_TRUE(Calibrate(**state, calib, {nullptr}).ok());
    ConvertOptions options;
    options.adaround = adaround;
    absl::StatusOr<ConvertReport> report = Convert(**state, options);
    EXPECT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->adarounded_layers, adaround ? 1 : 0);
    if (adaround) {
      EXPECT_TRUE(absl::StrContains(report->ToString(), "learned rounding: 1"));
    }
    const ir::Node* conv = g->FindNode("conv");
    const Tensor& wq = conv->input(1)->constant();
    weights->assign(wq.data<int8_t>(), wq.data<int8_t>() + wq.num_elements());
    double err = 0, power = 0;
    for (int i = 0; i < test.num_samples(); ++i) {
      auto f = reference::RunFloat(*float_graph, test.sample(i));
      auto q = reference::RunQuantized(*g, test.sample(i));
      EXPECT_TRUE(f.ok() && q.ok());
      for (int64_t e = 0; e < (*f)[0].num_elements(); ++e) {
        const double d = (*q)[0].data<float>()[e] - (*f)[0].data<float>()[e];
        err += d * d;
        power += static_cast<double>((*f)[0].data<float>()[e]) * (*f)[0].data<float>()[e];
      }
    }
    return 10.0 * std::log10(power / err);
  };
  std::vector<float> w_nearest, w_learned, w_again, w_other_seed;
  const double nearest = run(false, 0, &w_nearest);
  const double learned = run(true, 0, &w_learned);
  run(true, 0, &w_again);
  run(true, 1, &w_other_seed);
  std::printf("adaround: conv output SQNR on held-out samples %.2f -> %.2f dB\n", nearest, learned);
  EXPECT_GT(learned, nearest + 0.5);
  EXPECT_NE(w_learned, w_nearest);
  EXPECT_EQ(w_learned, w_again);
  EXPECT_NE(w_learned, w_other_seed);
}

// With too few calibration positions (2 samples: 128) the convolution stays at nearest, and the
// report says so.
TEST(AdaRoundTest, TooFewSamplesLeaveNearest) {
  GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 4, 6, 6});
  ir::Value* w = b.Constant(Normal({4, 4, 3, 3}, 5), "w");
  b.Output(b.Op("Conv", {x, w}, {}, "conv"));
  auto g = *b.Build();
  Dataset calib;
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(calib.Add(*g, {Normal({1, 4, 6, 6}, 70 + i)}, "c").ok());
  PrepareOptions prepare;
  prepare.adaround = PatchSampling{};
  auto state = PrepareCalibration(*g, MseMap(), prepare);
  ASSERT_TRUE(state.ok()) << state.status();
  ASSERT_TRUE(Calibrate(**state, calib, {nullptr}).ok());
  // The 4x4 output has 16 positions, fewer than the 64 draws: each is taken once per sample.
  EXPECT_EQ((*state)->Patches("conv")->count, 32);
  ConvertOptions options;
  options.adaround = true;
  absl::StatusOr<ConvertReport> report = Convert(**state, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->adarounded_layers, 0);
  EXPECT_EQ(report->adaround_skipped, 1);
  EXPECT_TRUE(absl::StrContains(report->ToString(), "1 convolutions left at nearest"));
}

TEST(AdaRoundTest, PatchesAreTheConvolutionsReceptiveFields) {
  GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {2, 3, 5, 5});
  ir::Value* w = b.Constant(Normal({4, 3, 3, 3}, 1), "w");
  b.Output(
      b.Op("Conv", {x, w}, frontend::Attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}), "conv"));
  auto g = *b.Build();
  const ir::Node& conv = *g->FindNode("conv");
  ASSERT_TRUE(AdaRoundable(conv));
  const Tensor input = Normal({2, 3, 5, 5}, 9);
  const Tensor& wt = conv.input(1)->constant();
  PatchSet patches;
  ASSERT_TRUE(CollectPatches(conv, input, 0, {40, 30, 5}, patches).ok());
  EXPECT_EQ(patches.count, 30);  // max_patches
  EXPECT_EQ(patches.length, 27);
  // Each patch dotted with the weight of channel o is one of the conv's outputs of channel o.
  auto y = reference::RunFloat(*g, {input});
  ASSERT_TRUE(y.ok());
  for (int64_t p = 0; p < patches.count; ++p) {
    const float* row = patches.data.data() + p * 27;
    double dot = 0;
    for (int i = 0; i < 27; ++i) dot += row[i] * wt.data<float>()[i];
    bool found = false;
    for (int64_t n = 0; n < 2 && !found; ++n) {
      for (int64_t pos = 0; pos < 25 && !found; ++pos) {
        found = std::fabs((*y)[0].data<float>()[n * 100 + pos] - dot) < 1e-4;
      }
    }
    EXPECT_TRUE(found) << "patch " << p;
  }
  // A map no larger than the draws gives each position once, in order (no repeats to overcount).
  PatchSet every;
  ASSERT_TRUE(CollectPatches(conv, input, 0, {64, 2048, 5}, every).ok());
  ASSERT_EQ(every.count, 50);
  for (int64_t p = 0; p < every.count; ++p) {
    double dot = 0;
    for (int i = 0; i < 27; ++i) dot += every.data[p * 27 + i] * wt.data<float>()[i];
    EXPECT_NEAR((*y)[0].data<float>()[(p / 25) * 100 + p % 25], dot, 1e-4) << "position " << p;
  }
  PatchSet same, other;
  ASSERT_TRUE(CollectPatches(conv, input, 0, {40, 30, 5}, same).ok());
  ASSERT_TRUE(CollectPatches(conv, input, 0, {40, 30, 6}, other).ok());
  EXPECT_EQ(same.data, patches.data);
  EXPECT_NE(other.data, patches.data);
}

}  // namespace
}  // namespace openbpu::quantization
