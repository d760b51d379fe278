// The output-driven choice among scale assignments (tune_scales.h) and the fake-quantized run it
// judges with (fake_quant_run.h).
#include "compiler/quantization/tune_scales.h"

#include <cmath>
#include <cstdio>
#include <random>

#include "compiler/frontend/graph_builder.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/fake_quant_run.h"
#include "compiler/quantization/ptq_test_util.h"
#include "compiler/quantization/select_scales.h"
#include "compiler/reference/float_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::quantization {
namespace {

using frontend::GraphBuilder;
using ptq_test::MseMap;

// x [1, 1, 32, 32] -> 1x1 Conv (weight 1) -> GlobalAveragePool -> y, x positive and heavy-tailed
// (|N(0, 1)|^6). Per element, at the conv's output, keeping the rare huge values errs least, so the
// per-layer selection takes the widest scale for x; but at that scale most of x rounds to 0, an
// error of one sign at every position that the pool sums up, while a tighter scale's clipping
// touches few positions: at the model's output the tighter scale is better.
std::unique_ptr<ir::Graph> ConvPool() {
  GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 1, 32, 32});
  ir::Value* w = b.Constant(Tensor::FromVector<float>({1, 1, 1, 1}, {1.0f}), "w");
  ir::Value* c = b.Op("Conv", {x, w}, {}, "conv");
  b.Output(b.Op("GlobalAveragePool", {c}, {}, "pool"));
  return *b.Build();
}

Dataset HeavyTails(const ir::Graph& g, int samples) {
  Dataset data;
  for (int i = 0; i < samples; ++i) {
    std::mt19937 rng(300 + i);
    std::normal_distribution<float> d(0.0f, 1.0f);
    Tensor x(DType::kFloat32, {1, 1, 32, 32});
    for (float& v : x.span<float>()) v = std::pow(std::fabs(d(rng)), 6.0f);
    EXPECT_TRUE(data.Add(g, {std::move(x)}, "s").ok());
  }
  return data;
}

TEST(FakeQuantRunTest, EmptyPlanIsTheFloatRunAndAPlanQuantizes) {
  auto g = ConvPool();
  const Dataset data = HeavyTails(*g, 1);
  auto ref = reference::RunFloat(*g, data.sample(0));
  ASSERT_TRUE(ref.ok()) << ref.status();
  auto same = RunFakeQuantized(*g, data.sample(0), {});
  ASSERT_TRUE(same.ok()) << same.status();
  ASSERT_EQ(same->size(), 1u);
  EXPECT_EQ((*same)[0].data<float>()[0], (*ref)[0].data<float>()[0]);
  // x fake-quantized to a coarse scale: the pooled output is the mean of the rounded values.
  FakeQuantPlan plan;
  FakeQuantParams coarse;
  coarse.scales = {0.5f};
  plan.activations[g->FindValue("x")] = coarse;
  auto q = RunFakeQuantized(*g, data.sample(0), plan);
  ASSERT_TRUE(q.ok()) << q.status();
  double mean = 0;
  for (float v : data.sample(0)[0].span<float>()) {
    mean += std::min(127.0f, std::nearbyint(v / 0.5f)) * 0.5f;
  }
  EXPECT_NEAR((*q)[0].data<float>()[0], mean / 1024, 1e-4);
  EXPECT_NE((*q)[0].data<float>()[0], (*ref)[0].data<float>()[0]);
  EXPECT_FALSE(RunFakeQuantized(*g, {}, plan).ok());  // a missing input is an error
}

TEST(TuneScalesTest, TheOutputOverrulesTheConsumersChoice) {
  auto g = ConvPool();
  const Dataset data = HeavyTails(*g, 16);
  auto state = PrepareCalibration(*g, MseMap());
  ASSERT_TRUE(state.ok()) << state.status();
  TuneOptions tune;
  tune.progress = nullptr;
  SelectReport none;
  EXPECT_EQ(TuneActivationScales(**state, data, none, tune).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Calibrate(**state, data, {nullptr}).ok());
  SelectOptions select;
  select.progress = nullptr;
  absl::StatusOr<SelectReport> selected = SelectActivationScales(**state, data, select);
  ASSERT_TRUE(selected.ok()) << selected.status();
  ASSERT_EQ(selected->scores.count("x"), 1u);
  const float per_layer = (*(*state)->ActivationScales("x"))[0];
  const std::string per_layer_method = (*state)->activations().at("x").selected_by;
  absl::StatusOr<TuneReport> tuned = TuneActivationScales(**state, data, *selected, tune);
  ASSERT_TRUE(tuned.ok()) << tuned.status();
  std::printf("%s\n", tuned->ToString().c_str());
  std::printf("tune: x's scale %g (%s) per layer, %g (%s) after\n", per_layer,
              per_layer_method.c_str(), (*(*state)->ActivationScales("x"))[0],
              (*state)->activations().at("x").selected_by.c_str());
  ASSERT_GE(tuned->sqnr_db.size(), 2u);
  EXPECT_EQ(tuned->sqnr_db[0].first, "selected");
  EXPECT_EQ(per_layer_method, "minmax");  // the consumer alone keeps the tail
  EXPECT_NE(tuned->chosen, "selected");   // the output does not
  double best = -1e9, selected_db = tuned->sqnr_db[0].second;
  for (const auto& [name, db] : tuned->sqnr_db) best = std::max(best, db);
  for (const auto& [name, db] : tuned->sqnr_db) {
    if (name == tuned->chosen) EXPECT_EQ(db, best);
  }
  EXPECT_GT(best, selected_db + 0.5);
  const float after = (*(*state)->ActivationScales("x"))[0];
  EXPECT_LT(after, per_layer);
  EXPECT_EQ((*state)->activations().at("x").selected_by, tuned->chosen);
  // Deterministic: the same state and data choose the same again.
  absl::StatusOr<TuneReport> again = TuneActivationScales(**state, data, *selected, tune);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->chosen, tuned->chosen);
  EXPECT_EQ(again->sqnr_db, tuned->sqnr_db);
  EXPECT_EQ((*(*state)->ActivationScales("x"))[0], after);
}

}  // namespace
}  // namespace openbpu::quantization
