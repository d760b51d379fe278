// Dataset loading, observer placement, deterministic calibration and the structure of converted
// graphs (types, scales, border nodes, march rules), run end to end with test-only quantized ops.
#include "compiler/quantization/calibration.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "absl/strings/match.h"
#include "common/npy.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/ir/hbir.h"
#include "compiler/ops/qparams.h"
#include "compiler/quantization/convert.h"
#include "compiler/quantization/quant_tensor.h"
#include "compiler/quantization/similarity.h"
#include "compiler/reference/float_interpreter.h"
#include "compiler/reference/quantized_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::quantization {
namespace {

namespace fs = std::filesystem;
using frontend::GraphBuilder;

Tensor Random(Shape shape, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  Tensor t(DType::kFloat32, std::move(shape));
  for (float& v : t.span<float>()) v = d(rng);
  return t;
}

std::string TempDir(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");
  fs::path p = fs::path(base ? base : "/tmp") / name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

// x[1,4] -> TestQDouble -> TestQRelu -> Sigmoid -> TestQDouble -> y
std::unique_ptr<ir::Graph> Chain() {
  GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 4});
  ir::Value* d = b.Op("TestQDouble", {x}, {}, "double1");
  ir::Value* r = b.Op("TestQRelu", {d}, {}, "relu");
  ir::Value* s = b.Op("Sigmoid", {r}, {}, "sigmoid");
  b.Output(b.Op("TestQDouble", {s}, {}, "double2"));
  return *b.Build();
}

QConfigMap MinMaxMap(QDType dtype = QDType::kQInt8) {
  QConfig qc = *GetDefaultQatQConfig(dtype);
  qc.activation.observer = ObserverConfig::MinMax();
  QConfigMap map;
  map.SetGlobal(qc);
  map.SetOpType("Sigmoid", std::nullopt);  // a float island
  return map;
}

Dataset ChainData(const ir::Graph& g, int n) {
  Dataset ds;
  for (int i = 0; i < n; ++i) {
    EXPECT_TRUE(ds.Add(g, {Random({1, 4}, 100 + i)}, "s").ok());
  }
  return ds;
}

TEST(DatasetTest, FolderOfFilesSortedWithBatches) {
  GraphBuilder b;
  b.Output(b.Op("Relu", {b.Input("x", DType::kFloat32, {1, 2})}));
  auto g = *b.Build();
  const std::string dir = TempDir("ds_folder");
  ASSERT_TRUE(WriteNpy(dir + "/b.npy", Tensor::FromVector<float>({3, 2}, {3, 3, 4, 4, 5, 5})).ok());
  ASSERT_TRUE(WriteNpy(dir + "/a.npy", Tensor::FromVector<float>({1, 2}, {1, 1})).ok());
  ASSERT_TRUE(WriteNpy(dir + "/c.npy", Tensor::FromVector<float>({1, 1, 2}, {6, 6})).ok());
  absl::StatusOr<Dataset> ds = LoadDataset(dir, *g);
  ASSERT_TRUE(ds.ok()) << ds.status();
  ASSERT_EQ(ds->num_samples(), 5);
  const float want[] = {1, 3, 4, 5, 6};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(ds->sample(i)[0], Tensor::FromVector<float>({1, 2}, {want[i], want[i]})) << i;
  }
  EXPECT_TRUE(absl::StrContains(ds->origin(2), "b.npy[1]"));
  // One .npy batch.
  ds = LoadDataset(dir + "/b.npy", *g);
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(ds->num_samples(), 3);
}

TEST(DatasetTest, MultiInputLayouts) {
  GraphBuilder b;
  b.Output(b.Op("Add",
                {b.Input("in:a", DType::kFloat32, {1, 2}), b.Input("b", DType::kFloat32, {1, 2})}));
  auto g = *b.Build();
  const std::string dir = TempDir("ds_multi");
  ASSERT_TRUE(WriteNpy(dir + "/in_a.npy", Random({4, 2}, 1)).ok());
  ASSERT_TRUE(WriteNpy(dir + "/b.npy", Random({4, 2}, 2)).ok());
  absl::StatusOr<Dataset> ds = LoadDataset(dir, *g);
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(ds->num_samples(), 4);
  const std::string sub = TempDir("ds_sub");
  fs::create_directories(sub + "/in_a");
  fs::create_directories(sub + "/b");
  ASSERT_TRUE(WriteNpy(sub + "/in_a/0.npy", Random({1, 2}, 3)).ok());
  ASSERT_TRUE(WriteNpy(sub + "/b/0.npy", Random({1, 2}, 4)).ok());
  ASSERT_TRUE(WriteNpy(sub + "/b/1.npy", Random({1, 2}, 5)).ok());
  ds = LoadDataset(sub, *g);
  ASSERT_FALSE(ds.ok());
  EXPECT_TRUE(absl::StrContains(ds.status().message(), "has 1 samples but input 'b' has 2"))
      << ds.status();
}

TEST(DatasetTest, ErrorsNameFileAndInput) {
  GraphBuilder b;
  b.Output(b.Op("Relu", {b.Input("x", DType::kFloat32, {1, 2})}));
  auto g = *b.Build();
  const std::string dir = TempDir("ds_bad");
  ASSERT_TRUE(WriteNpy(dir + "/a.npy", Tensor::FromVector<double>({1, 2}, {1, 1})).ok());
  absl::StatusOr<Dataset> ds = LoadDataset(dir, *g);
  ASSERT_FALSE(ds.ok());
  EXPECT_TRUE(absl::StrContains(ds.status().message(), "a.npy")) << ds.status();
  EXPECT_TRUE(absl::StrContains(ds.status().message(), "input 'x'")) << ds.status();
  EXPECT_TRUE(absl::StrContains(ds.status().message(), "float64")) << ds.status();
  ASSERT_TRUE(WriteNpy(dir + "/a.npy", Tensor::FromVector<float>({1, 3}, {1, 1, 1})).ok());
  ds = LoadDataset(dir, *g);
  ASSERT_FALSE(ds.ok());
  EXPECT_TRUE(absl::StrContains(ds.status().message(), "[1,3]")) << ds.status();
  {
    std::FILE* f = std::fopen((dir + "/a.npy").c_str(), "wb");
    std::fputs("garbage", f);
    std::fclose(f);
  }
  ds = LoadDataset(dir, *g);
  ASSERT_FALSE(ds.ok());
  EXPECT_TRUE(absl::StrContains(ds.status().message(), "a.npy")) << ds.status();
  EXPECT_EQ(LoadDataset(dir + "/missing", *g).status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(LoadDataset(TempDir("ds_empty"), *g).ok());
}

TEST(CalibrationTest, ObserversOnQuantizedValuesOnly) {
  auto g = Chain();
  auto state = PrepareCalibration(*g, MinMaxMap());
  ASSERT_TRUE(state.ok()) << state.status();
  std::vector<std::string> names;
  for (const auto& [name, e] : (*state)->activations()) names.push_back(name);
  // x, double1 out, relu out (consumed by the float Sigmoid but produced by a quantized node),
  // sigmoid out (consumed by double2), double2 out.
  EXPECT_EQ(names.size(), 5u);
}

TEST(CalibrationTest, DeterministicWithProgress) {
  std::vector<std::vector<float>> runs[2];
  for (int run = 0; run < 2; ++run) {
    auto g = Chain();
    auto state = PrepareCalibration(*g, MinMaxMap());
    ASSERT_TRUE(state.ok());
    std::FILE* progress = std::tmpfile();
    CalibrateOptions options;
    options.progress = progress;
    ASSERT_TRUE(Calibrate(**state, ChainData(*g, 7), options).ok());
    std::rewind(progress);
    char buf[512] = {};
    EXPECT_GT(std::fread(buf, 1, sizeof(buf) - 1, progress), 0u);
    std::fclose(progress);
    // Not a terminal: one line per 10 % of the samples, ending with the last.
    EXPECT_TRUE(absl::StrContains(buf, "calibrate: 1/7 samples")) << buf;
    EXPECT_TRUE(absl::StrContains(buf, "calibrate: 7/7 samples")) << buf;
    EXPECT_FALSE(absl::StrContains(buf, "\r")) << buf;
    EXPECT_TRUE(absl::EndsWith(buf, "\n"));
    EXPECT_EQ((*state)->samples_seen(), 7);
    for (const auto& [name, e] : (*state)->activations()) {
      runs[run].push_back(*(*state)->ActivationScales(name));
    }
  }
  EXPECT_EQ(runs[0], runs[1]);
}

TEST(CalibrationTest, FixedInputScaleIsExplicit) {
  auto g = Chain();
  PrepareOptions options;
  options.fixed_input_scale = 1.0f / 128;
  auto state = PrepareCalibration(*g, MinMaxMap(), options);
  ASSERT_TRUE(state.ok());
  ASSERT_TRUE(Calibrate(**state, ChainData(*g, 3), {nullptr}).ok());
  EXPECT_EQ(*(*state)->ActivationScales("x"), std::vector<float>{1.0f / 128});
  // Default: calibrated.
  auto g2 = Chain();
  auto state2 = PrepareCalibration(*g2, MinMaxMap());
  ASSERT_TRUE(Calibrate(**state2, ChainData(*g2, 3), {nullptr}).ok());
  EXPECT_NE(*(*state2)->ActivationScales("x"), std::vector<float>{1.0f / 128});
  options.fixed_input_scale = -1.0f;
  EXPECT_FALSE(PrepareCalibration(*Chain(), MinMaxMap(), options).ok());
}

TEST(ConvertTest, ChainStructureAndRun) {
  auto g = Chain();
  auto float_graph = Chain();
  auto state = PrepareCalibration(*g, MinMaxMap());
  ASSERT_TRUE(state.ok());
  const Dataset data = ChainData(*g, 8);
  ASSERT_TRUE(Calibrate(**state, data, {nullptr}).ok());
  absl::StatusOr<ConvertReport> report = Convert(**state);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->quantized_nodes.size(), 3u);
  EXPECT_EQ(report->float_nodes, std::vector<std::string>{"sigmoid"});
  EXPECT_EQ(report->quantize_inserted, 2);    // graph input, sigmoid -> double2
  EXPECT_EQ(report->dequantize_inserted, 2);  // relu -> sigmoid, graph output
  const ir::Node* relu = g->FindNode("relu");
  const ir::Node* d1 = g->FindNode("double1");
  ASSERT_NE(relu, nullptr);
  EXPECT_EQ(relu->output(0)->type().dtype, DType::kInt8);
  EXPECT_EQ(relu->output(0)->type().quant, d1->output(0)->type().quant);  // inherited
  EXPECT_EQ(d1->input(0)->producer()->op(), "QuantizeLinear");
  EXPECT_EQ(d1->output(0)->type().quant->scales,
            *(*state)->ActivationScales(d1->output(0)->name()));
  EXPECT_TRUE(ops::qparams::Load<ops::qparams::InputRecords>(*d1).ok());
  EXPECT_EQ(g->FindNode("sigmoid")->input(0)->producer()->op(), "DequantizeLinear");
  EXPECT_EQ(g->outputs()[0]->producer()->op(), "DequantizeLinear");
  EXPECT_EQ(g->outputs()[0]->type().dtype, DType::kFloat32);

  // The quantized run tracks the float run within a few output steps.
  const float s_out = g->outputs()[0]->producer()->input(0)->type().quant->scales[0];
  for (int i = 0; i < data.num_samples(); ++i) {
    auto q = reference::RunQuantized(*g, data.sample(i));
    ASSERT_TRUE(q.ok()) << q.status();
    auto f = reference::RunFloat(*float_graph, data.sample(i));
    ASSERT_TRUE(f.ok());
    for (int64_t k = 0; k < 4; ++k) {
      EXPECT_NEAR((*q)[0].data<float>()[k], (*f)[0].data<float>()[k], 3 * s_out);
    }
  }
  auto all = reference::RunQuantizedAllValues(*g, data.sample(0));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->at(relu->output(0)->name()).tensor.dtype(), DType::kInt8);
  EXPECT_TRUE(all->at(relu->output(0)->name()).quant.has_value());

  // HBIR round trip keeps quant types and qparams; convert is deterministic.
  auto g2 = Chain();
  auto state2 = PrepareCalibration(*g2, MinMaxMap());
  ASSERT_TRUE(Calibrate(**state2, data, {nullptr}).ok());
  ASSERT_TRUE(Convert(**state2).ok());
  EXPECT_EQ(ir::ToProto(*g).SerializeAsString(), ir::ToProto(*g2).SerializeAsString());
  auto loaded = ir::FromProto(ir::ToProto(*g));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  auto q1 = reference::RunQuantized(*g, data.sample(3));
  auto q2 = reference::RunQuantized(**loaded, data.sample(3));
  ASSERT_TRUE(q1.ok() && q2.ok());
  EXPECT_EQ((*q1)[0], (*q2)[0]);
}

TEST(ConvertTest, Int16AndMarchRules) {
  auto g = Chain();
  auto state = PrepareCalibration(*g, MinMaxMap(QDType::kQInt16));
  ASSERT_TRUE(Calibrate(**state, ChainData(*g, 2), {nullptr}).ok());
  absl::StatusOr<ConvertReport> r = Convert(**state, {"bernoulli2"});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::StrContains(r.status().message(), "node 'double1'")) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "bernoulli2")) << r.status();

  auto g2 = Chain();
  auto state2 = PrepareCalibration(*g2, MinMaxMap(QDType::kQInt16));
  ASSERT_TRUE(Calibrate(**state2, ChainData(*g2, 2), {nullptr}).ok());
  r = Convert(**state2, {"bayes-e"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(g2->FindNode("relu")->output(0)->type().dtype, DType::kInt16);
  auto q = reference::RunQuantized(*g2, ChainData(*g2, 1).sample(0));
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(Convert(**state2, {"x3"}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ConvertTest, Qint16WeightIsAnErrorNamingTheNode) {
  GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 2, 4, 4});
  ir::Value* w = b.Constant(Random({3, 2, 1, 1}, 7), "w");
  b.Output(b.Op("Conv", {x, w}, {}, "conv"));
  auto g = *b.Build();
  QConfigMap map;
  map.SetGlobal(*GetDefaultQatQConfig(QDType::kQInt8, QDType::kQInt16));
  auto state = PrepareCalibration(*g, map);
  ASSERT_FALSE(state.ok());
  EXPECT_TRUE(absl::StrContains(state.status().message(), "node 'conv'")) << state.status();
}

// A FusedConv (conv+relu) with weights, bias, the "out" qconfig and int16 accumulation checks.
// Its integer kernel is not run here.
class FusedConvConvertTest : public ::testing::Test {
 protected:
  std::unique_ptr<ir::Graph> Build(int cin, int k) {
    GraphBuilder b;
    ir::Value* x = b.Input("x", DType::kFloat32, {1, cin, 6, 6});
    ir::Value* w = b.Constant(Random({4, cin, k, k}, 9), "w");
    ir::Value* bias = b.Constant(Random({4}, 10), "bias");
    ir::Value* y = b.Op("Conv", {x, w, bias}, {}, "conv");
    b.Output(b.Op("Relu", {y}, {}, "relu"));
    return *b.Build();
  }
};

TEST_F(FusedConvConvertTest, WeightsBiasAndOutQConfig) {
  auto g = Build(2, 3);
  QConfig qc = *GetDefaultQatQConfig();
  qc.activation.observer = ObserverConfig::MinMax();
  QConfigMap map;
  map.SetGlobal(qc);
  auto state = PrepareCalibration(*g, map);
  ASSERT_TRUE(state.ok()) << state.status();
  Dataset ds;
  ASSERT_TRUE(ds.Add(*g, {Random({1, 2, 6, 6}, 11)}, "s").ok());
  ASSERT_TRUE(Calibrate(**state, ds, {nullptr}).ok());
  ASSERT_TRUE(Convert(**state).ok());
  const ir::Node* conv = g->FindNode("conv");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->op(), "FusedConv");
  const ir::TensorType& w = conv->input(1)->type();
  EXPECT_EQ(w.dtype, DType::kInt8);
  EXPECT_EQ(w.quant->axis, 0);
  ASSERT_EQ(w.quant->scales.size(), 4u);
  const ir::TensorType& b = conv->input(2)->type();
  EXPECT_EQ(b.dtype, DType::kInt32);
  const float sx = conv->input(0)->type().quant->scales[0];
  for (int c = 0; c < 4; ++c) EXPECT_EQ(b.quant->scales[c], sx * w.quant->scales[c]);
  int max_w = 0;
  for (int8_t v : conv->input(1)->constant().span<int8_t>()) max_w = std::max(max_w, std::abs(v));
  EXPECT_GE(max_w, 127);

  // "out" qconfig: raw int32 accumulator output, per output channel (axis 1).
  auto g2 = Build(2, 3);
  QConfigMap map2;
  map2.SetGlobal(qc);
  map2.SetNodeName("conv", *GetDefaultQatOutQConfig());
  auto state2 = PrepareCalibration(*g2, map2);
  ASSERT_TRUE(state2.ok()) << state2.status();
  ASSERT_TRUE(Calibrate(**state2, ds, {nullptr}).ok());
  ASSERT_TRUE(Convert(**state2).ok());
  const ir::Value* out = g2->FindNode("conv")->output(0);
  EXPECT_EQ(out->type().dtype, DType::kInt32);
  EXPECT_EQ(out->type().quant->axis, 1);
  EXPECT_EQ(out->type().quant->scales, g2->FindNode("conv")->input(2)->type().quant->scales);
  EXPECT_EQ(g2->outputs()[0]->producer()->op(), "DequantizeLinear");
}

TEST_F(FusedConvConvertTest, Int16AccumulationFlagged) {
  for (int cin : {2, 64}) {
    auto g = Build(cin, 3);
    auto state = PrepareCalibration(*g, MinMaxMap(QDType::kQInt16));
    Dataset ds;
    ASSERT_TRUE(ds.Add(*g, {Random({1, cin, 6, 6}, 12)}, "s").ok());
    ASSERT_TRUE(Calibrate(**state, ds, {nullptr}).ok());
    absl::StatusOr<ConvertReport> r = Convert(**state, {"bayes"});
    ASSERT_TRUE(r.ok()) << r.status();
    if (cin == 2) {
      EXPECT_TRUE(r->warnings.empty());  // K = 18
    } else {
      ASSERT_EQ(r->warnings.size(), 1u);  // K = 576: 576 * 32767 * 127 > 2^31
      EXPECT_TRUE(absl::StrContains(r->warnings[0], "node 'conv'")) << r->warnings[0];
      EXPECT_TRUE(absl::StrContains(r->ToString(), "exceeds int32"));
    }
  }
  EXPECT_EQ(WorstCaseAccumulation(516, 0), 516LL * 32767 * 127);
}

// Bias correction: a convolution (no padding) on inputs with a nonzero mean (uniform in
// [0.5, 1.5]) shifts each output channel's mean by sum (Wq - W) E[x]; the corrected bias removes
// that shift.
TEST(BiasCorrectionTest, RemovesTheMeanOutputShiftOfWeightRounding) {
  auto build = [] {
    GraphBuilder b;
    ir::Value* x = b.Input("x", DType::kFloat32, {1, 16, 6, 6});
    // One large weight per output channel makes its int8 step coarse (3 / 127.5), so the other
    // 143 weights round with errors of up to half a step.
    Tensor wt = Random({8, 16, 3, 3}, 21, -0.3f, 0.3f);
    for (int o = 0; o < 8; ++o) wt.data<float>()[o * 144] = 3.0f;
    ir::Value* w = b.Constant(std::move(wt), "w");
    ir::Value* bias = b.Constant(Random({8}, 22), "bias");
    b.Output(b.Op("Conv", {x, w, bias}, {}, "conv"));
    return *b.Build();
  };
  Dataset data;
  auto probe = build();
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(data.Add(*probe, {Random({1, 16, 6, 6}, 30 + i, 0.5f, 1.5f)}, "s").ok());
  }
  // Per output channel: the mean over the data of quantized minus float output.
  auto mean_shift = [&](bool correct, int* corrected) {
    auto g = build();
    auto float_graph = build();
    QConfig qc = *GetDefaultCalibQConfig();
    QConfigMap map;
    map.SetGlobal(qc);
    PrepareOptions prepare;
    prepare.bias_correction = correct;
    auto state = PrepareCalibration(*g, map, prepare);
    EXPECT_TRUE(state.ok()) << state.status();
    EXPECT_TRUE(Calibrate(**state, data, {nullptr}).ok());
    ConvertOptions options;
    options.bias_correction = correct;
    absl::StatusOr<ConvertReport> report = Convert(**state, options);
    EXPECT_TRUE(report.ok()) << report.status();
    *corrected = report->corrected_biases;
    if (correct) {
      EXPECT_TRUE(absl::StrContains(report->ToString(), "bias correction: 1"));
    }
    std::vector<double> shift(8, 0.0);
    for (int i = 0; i < data.num_samples(); ++i) {
      auto f = reference::RunFloat(*float_graph, data.sample(i));
      auto q = reference::RunQuantized(*g, data.sample(i));
      EXPECT_TRUE(f.ok() && q.ok());
      const Tensor& fy = (*f)[0];
      const Tensor& qy = (*q)[0];
      const int64_t per = fy.num_elements() / 8;
      for (int64_t e = 0; e < fy.num_elements(); ++e) {
        shift[e / per] += (qy.data<float>()[e] - fy.data<float>()[e]) / (per * data.num_samples());
      }
    }
    double total = 0;
    for (double v : shift) total += std::fabs(v);
    return total;
  };
  int corrected_plain = -1, corrected = -1;
  const double plain = mean_shift(false, &corrected_plain);
  const double fixed = mean_shift(true, &corrected);
  std::printf("bias-correction: mean |output shift| per channel %.5f -> %.5f\n", plain / 8,
              fixed / 8);
  EXPECT_EQ(corrected_plain, 0);
  EXPECT_EQ(corrected, 1);
  EXPECT_GT(plain, 0.0);
  EXPECT_LT(fixed, 0.5 * plain);
}

TEST(SimilarityTest, PerLayerReport) {
  auto g = Chain();
  auto float_graph = Chain();
  auto state = PrepareCalibration(*g, MinMaxMap());
  const Dataset data = ChainData(*g, 6);
  ASSERT_TRUE(Calibrate(**state, data, {nullptr}).ok());
  ASSERT_TRUE(Convert(**state).ok());
  absl::StatusOr<SimilarityReport> r = CompareLayers(*float_graph, *g, data);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->samples, 6);
  std::vector<std::string> names;
  for (const LayerSimilarity& l : r->layers) {
    names.push_back(l.node);
    EXPECT_GT(l.cosine, 0.99) << l.value;
    EXPECT_GT(l.sqnr_db, 25.0) << l.value;
    EXPECT_LE(l.max_error_lsb, 3.0) << l.value;
    EXPECT_EQ(l.elements, 24) << l.value;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"double1", "relu", "double2"}));
  EXPECT_TRUE(absl::StrContains(r->ToString(), "TestQRelu"));
  // No samples: no layers.
  EXPECT_TRUE(CompareLayers(*float_graph, *g, Dataset()).value().layers.empty());
}

}  // namespace
}  // namespace openbpu::quantization
