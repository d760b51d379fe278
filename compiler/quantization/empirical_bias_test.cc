// Empirical bias correction (empirical_bias.h): what it changes against the plain flow.
#include "compiler/quantization/empirical_bias.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/quantization/adaround.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/convert.h"
#include "compiler/quantization/ptq_test_util.h"
#include "compiler/reference/float_interpreter.h"
#include "compiler/reference/quantized_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::quantization {
namespace {

using frontend::GraphBuilder;
using ptq_test::MseMap;
using ptq_test::Normal;

// x [1, 8, 16, 16] -> 1x1 Conv + Relu -> 1x1 Conv -> y, with the input's scale fixed (as the
// vendor's fixed input scale is) narrower than the data: x ~ N(0.5, 1) clipped to +-1. Every
// clipped value errs the same way, so both convolutions' outputs carry a per-channel shift that
// is the same on every sample, on top of the zero-mean rounding noise.
std::unique_ptr<ir::Graph> Build() {
  GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 8, 16, 16});
  ir::Value* w1 = b.Constant(Normal({8, 8, 1, 1}, 7, 0.5f), "w1");
  ir::Value* b1 = b.Constant(Normal({8}, 8, 0.1f), "b1");
  ir::Value* w2 = b.Constant(Normal({4, 8, 1, 1}, 9, 0.5f), "w2");
  ir::Value* b2 = b.Constant(Normal({4}, 10, 0.1f), "b2");
  ir::Value* h = b.Op("Relu", {b.Op("Conv", {x, w1, b1}, {}, "conv1")}, {}, "relu");
  b.Output(b.Op("Conv", {h, w2, b2}, {}, "conv2"));
  return *b.Build();
}

Tensor Sample(uint32_t seed) {
  Tensor x = Normal({1, 8, 16, 16}, seed);
  for (float& v : x.span<float>()) v += 0.5f;
  return x;
}

// 16 calibration and 8 held-out samples of Build()'s input.
void MakeData(Dataset& calib, Dataset& test) {
  auto probe = Build();
  for (int i = 0; i < 16; ++i) ASSERT_TRUE(calib.Add(*probe, {Sample(100 + i)}, "c").ok());
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(test.Add(*probe, {Sample(300 + i)}, "t").ok());
}

struct Outcome {
  double sqnr_db = 0;
  double systematic = 0;  // mean over output channels of |mean error| (over test samples)
  // The same at the ReLU's output, where conv2 reads it, and its mean squared error there.
  double relu_systematic = 0;
  double relu_mse = 0;
  std::vector<float> biases;
  EmpiricalBiasReport report;
  ConvertReport convert;
};

// correct: the empirical correction; adaround: learned rounding, with the learned weights' change
// from nearest corrected analytically when from_nearest (what bpu quantize does with both on).
Outcome Quantize(bool correct, const Dataset& calib, const Dataset& test, bool adaround = false,
                 bool from_nearest = false, bool post_activation = true) {
  Outcome out;
  auto g = Build();
  auto float_graph = Build();
  PrepareOptions prepare;
  prepare.fixed_input_scale = 1.0f / 127;
  prepare.bias_correction = from_nearest;
  if (adaround) prepare.adaround = PatchSampling{};
  auto state = PrepareCalibration(*g, MseMap(), prepare);
  EXPECT_TRUE(state.ok()) << state.status();
  EXPECT_TRUE(Calibrate(**state, calib, {nullptr}).ok());
  if (correct) {
    EmpiricalBiasOptions options;
    options.progress = nullptr;
    options.post_activation = post_activation;
    absl::StatusOr<EmpiricalBiasReport> report =
        CorrectBiasesEmpirically(*g, **state, calib, options);
    EXPECT_TRUE(report.ok()) << report.status();
    out.report = *report;
  }
  for (const auto& node : g->nodes()) {
    if (node->num_inputs() > 2 && node->input(2) != nullptr && node->input(2)->is_constant()) {
      const Tensor& b = node->input(2)->constant();
      out.biases.insert(out.biases.end(), b.data<float>(), b.data<float>() + b.num_elements());
    }
  }
  ConvertOptions convert;
  convert.adaround = adaround;
  convert.bias_correction = from_nearest;
  convert.bias_correction_from_nearest = from_nearest;
  absl::StatusOr<ConvertReport> converted = Convert(**state, convert);
  EXPECT_TRUE(converted.ok()) << converted.status();
  out.convert = *converted;
  double err = 0, power = 0;
  std::vector<double> mean(4, 0.0);
  int64_t per_channel = 0;
  for (int i = 0; i < test.num_samples(); ++i) {
    auto f = reference::RunFloat(*float_graph, test.sample(i));
    auto q = reference::RunQuantized(*g, test.sample(i));
    EXPECT_TRUE(f.ok() && q.ok());
    const int64_t n = (*f)[0].num_elements(), hw = n / 4;
    for (int64_t e = 0; e < n; ++e) {
      const double fv = (*f)[0].data<float>()[e];
      const double d = (*q)[0].data<float>()[e] - fv;
      err += d * d;
      power += fv * fv;
      mean[e / hw] += d;
    }
    per_channel += hw;
  }
  for (double m : mean) out.systematic += std::fabs(m / per_channel) / 4;
  // conv1 + relu, fused: its output is the Relu's value of the float graph.
  std::string relu_out;
  for (const auto& node : g->nodes()) {
    if (node->op() == "FusedConv" && node->attrs().GetString("activation", "") == "relu") {
      relu_out = node->output(0)->name();
    }
  }
  EXPECT_FALSE(relu_out.empty());
  std::vector<double> relu_mean(8, 0.0);
  int64_t relu_per_channel = 0, relu_n = 0;
  for (int i = 0; i < test.num_samples() && !relu_out.empty(); ++i) {
    auto f = reference::RunFloatAllValues(*float_graph, test.sample(i));
    auto q = reference::RunQuantizedAllValues(*g, test.sample(i));
    EXPECT_TRUE(f.ok() && q.ok());
    if (!f.ok() || !q.ok()) break;
    const Tensor& fv = f->at(relu_out);
    const reference::QuantizedValue& qv = q->at(relu_out);
    EXPECT_TRUE(qv.quant.has_value());
    const double scale = qv.quant->scales[0];
    const int64_t n = fv.num_elements(), hw = n / 8;
    for (int64_t e = 0; e < n; ++e) {
      const double d = qv.tensor.data<int8_t>()[e] * scale - fv.data<float>()[e];
      relu_mean[e / hw] += d;
      out.relu_mse += d * d;
    }
    relu_per_channel += hw;
    relu_n += n;
  }
  for (double m : relu_mean) out.relu_systematic += std::fabs(m / relu_per_channel) / 8;
  out.relu_mse /= static_cast<double>(std::max<int64_t>(relu_n, 1));
  out.sqnr_db = 10.0 * std::log10(power / err);
  return out;
}

TEST(EmpiricalBiasTest, RemovesTheSystematicShiftOnHeldOutData) {
  Dataset calib, test;
  ASSERT_NO_FATAL_FAILURE(MakeData(calib, test));
  const Outcome plain = Quantize(false, calib, test);
  const Outcome corrected = Quantize(true, calib, test);
  const Outcome again = Quantize(true, calib, test);
  std::printf("empirical bias: %s\n", corrected.report.ToString().c_str());
  std::printf(
      "empirical bias: held-out output SQNR %.2f -> %.2f dB, mean |per-channel shift| %.5f -> "
      "%.5f\n",
      plain.sqnr_db, corrected.sqnr_db, plain.systematic, corrected.systematic);
  EXPECT_EQ(corrected.report.corrected, 2);
  EXPECT_EQ(corrected.report.samples, 16);
  EXPECT_GT(corrected.report.mean_abs_shift_lsb, 0.0);
  EXPECT_LT(corrected.systematic, 0.5 * plain.systematic);
  EXPECT_GT(corrected.sqnr_db, plain.sqnr_db + 0.3);
  EXPECT_NE(corrected.biases, plain.biases);
  EXPECT_EQ(corrected.biases, again.biases);  // deterministic
}

// The correction measures with nearest weights; learned rounding then moves them. Correcting that
// move analytically (against nearest, not float) keeps the shift removed; without it the learned
// weights' change from nearest shows up as a shift again.
TEST(EmpiricalBiasTest, LearnedRoundingCorrectedFromNearest) {
  Dataset calib, test;
  ASSERT_NO_FATAL_FAILURE(MakeData(calib, test));
  const Outcome learned = Quantize(true, calib, test, /*adaround=*/true, /*from_nearest=*/false);
  const Outcome fixed = Quantize(true, calib, test, true, true);
  const Outcome nearest = Quantize(true, calib, test, false, true);
  std::printf(
      "empirical bias + learned rounding: mean |per-channel shift| %.5f uncorrected, %.5f "
      "corrected from nearest (%.5f at nearest); SQNR %.2f, %.2f (%.2f) dB\n",
      learned.systematic, fixed.systematic, nearest.systematic, learned.sqnr_db, fixed.sqnr_db,
      nearest.sqnr_db);
  EXPECT_EQ(learned.convert.adarounded_layers, 2);
  EXPECT_EQ(fixed.convert.corrected_biases, 2);
  EXPECT_EQ(nearest.convert.corrected_biases, 0);  // nothing moved off nearest
  EXPECT_LT(fixed.systematic, learned.systematic);
}

// The ReLU layer's shift measured after the activation (the default) against the pre-activation
// mean: the positions the ReLU zeroes pull that mean off what conv2 reads, so the ReLU's output
// keeps a per-channel shift the post-activation correction removes.
TEST(EmpiricalBiasTest, PostActivationShiftIsWhatTheNextLayerReads) {
  Dataset calib, test;
  ASSERT_NO_FATAL_FAILURE(MakeData(calib, test));
  const Outcome plain = Quantize(false, calib, test);
  const Outcome pre = Quantize(true, calib, test, false, false, /*post_activation=*/false);
  const Outcome post = Quantize(true, calib, test);
  std::printf(
      "empirical bias at the ReLU's output (held out): mean |per-channel shift| %.5f none, %.5f "
      "pre-activation, %.5f post-activation; MSE %.3g, %.3g, %.3g; model SQNR %.2f, %.2f, "
      "%.2f dB\n",
      plain.relu_systematic, pre.relu_systematic, post.relu_systematic, plain.relu_mse,
      pre.relu_mse, post.relu_mse, plain.sqnr_db, pre.sqnr_db, post.sqnr_db);
  EXPECT_NE(pre.biases, post.biases);
  EXPECT_LT(post.relu_systematic, pre.relu_systematic);
  EXPECT_LT(post.relu_mse, pre.relu_mse);
}

TEST(EmpiricalBiasTest, NeedsTheCalibratedGraph) {
  auto g = Build();
  auto other = Build();
  Dataset calib;
  ASSERT_TRUE(calib.Add(*g, {Sample(1)}, "c").ok());
  auto state = PrepareCalibration(*g, MseMap());
  ASSERT_TRUE(state.ok());
  EmpiricalBiasOptions options;
  options.progress = nullptr;
  EXPECT_EQ(CorrectBiasesEmpirically(*g, **state, calib, options).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Calibrate(**state, calib, {nullptr}).ok());
  EXPECT_EQ(CorrectBiasesEmpirically(*other, **state, calib, options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace openbpu::quantization
