// The driver gives exactly what the library calls give when made by hand, and its errors name
// what is wrong.
#include "compiler/driver/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>

#include "absl/strings/match.h"
#include "common/npy.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/frontend/onnx_importer.h"
#include "compiler/ir/hbir.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/dataset.h"
#include "compiler/quantization/empirical_bias.h"
#include "compiler/quantization/qdq_import.h"
#include "compiler/reference/float_interpreter.h"
#include "compiler/reference/quantized_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::driver {
namespace {

constexpr char kModel[] = "compiler/quantization/testdata/qdq_conv.onnx";

// Four samples of the model's input x[1,2,5,5], as one batch file.
std::string CalibrationFile() {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> d(-2.f, 2.f);
  Tensor t(DType::kFloat32, {4, 2, 5, 5});
  for (float& v : t.span<float>()) v = d(rng);
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir ? dir : "/tmp") + "/driver_calib.npy";
  EXPECT_TRUE(WriteNpy(path, t).ok());
  return path;
}

// //tests/models, and the digits CNN there: a float model (a QDQ model's pairs fix its dtypes),
// quantized for bayes without progress output.
std::string ModelsDir() {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/", std::getenv("TEST_WORKSPACE"),
                      "/tests/models/");
}

QuantizeOptions DigitsOptions() {
  QuantizeOptions options;
  options.model = ModelsDir() + "digits.onnx";
  options.calibration_data = ModelsDir() + "digits_calib.npy";
  options.march = "bayes";
  options.progress = nullptr;
  return options;
}

TEST(DriverQuantizeTest, SameGraphAndReportAsTheLibraryCalls) {
  const std::string calib = CalibrationFile();
  QuantizeOptions options;
  options.model = kModel;
  options.calibration_data = calib;
  options.march = "bernoulli2";
  options.observer = "minmax";  // no histogram: no per-layer selection by default
  options.adaround = false;     // the plain flow's library calls below
  options.progress = nullptr;
  absl::StatusOr<QuantizedModel> quantized = Quantize(options);
  ASSERT_TRUE(quantized.ok()) << quantized.status();

  absl::StatusOr<quantization::QdqImport> imported = quantization::ImportQdqOnnxFile(kModel);
  ASSERT_TRUE(imported.ok()) << imported.status();
  quantization::QKwargs kwargs;
  kwargs.observer = quantization::ObserverConfig::MinMax();
  quantization::QConfigMap qmap;
  qmap.SetGlobal(*quantization::GetDefaultCalibQConfig(quantization::QDType::kQInt8, kwargs));
  quantization::PrepareOptions prepare;
  prepare.fixed_scales = imported->fixed_scales;
  auto state = quantization::PrepareCalibration(*imported->graph, qmap, prepare);
  ASSERT_TRUE(state.ok()) << state.status();
  absl::StatusOr<quantization::Dataset> data = quantization::LoadDataset(calib, *imported->graph);
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_TRUE(quantization::Calibrate(**state, *data, {nullptr}).ok());
  quantization::EmpiricalBiasOptions ebc;  // on by default
  ebc.progress = nullptr;
  ASSERT_TRUE(quantization::CorrectBiasesEmpirically(*imported->graph, **state, *data, ebc).ok());
  absl::StatusOr<quantization::ConvertReport> report =
      quantization::Convert(**state, {"bernoulli2"});
  ASSERT_TRUE(report.ok()) << report.status();

  EXPECT_EQ(quantized->report.ToString(), report->ToString());
  EXPECT_EQ(ir::ToProto(*quantized->graph).SerializeAsString(),
            ir::ToProto(*imported->graph).SerializeAsString());
}

TEST(DriverQuantizeTest, ErrorsNameTheProblem) {
  const std::string calib = CalibrationFile();
  QuantizeOptions options;
  options.model = kModel;
  options.calibration_data = calib;
  options.progress = nullptr;

  QuantizeOptions bad = options;
  bad.observer = "median";
  absl::Status s = Quantize(bad).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "median")) << s;

  bad = options;
  bad.calibration_data = calib + ".missing";
  s = Quantize(bad).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(s.message(), "driver_calib.npy.missing")) << s;

  bad = options;
  bad.model = "no/such/model.onnx";
  EXPECT_EQ(Quantize(bad).status().code(), absl::StatusCode::kNotFound);

  bad = options;
  bad.bias_correction = true;
  bad.empirical_bias_correction = true;
  s = Quantize(bad).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "not both")) << s;

  bad = options;
  bad.march = "x3";
  EXPECT_EQ(Quantize(bad).status().code(), absl::StatusCode::kInvalidArgument);

  bad = options;
  bad.dtype = "qint16";
  bad.march = "bernoulli2";
  s = Quantize(bad).status();
  EXPECT_TRUE(absl::StrContains(s.message(), "node '")) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "bernoulli2")) << s;
}

// --int16-ops: a qconfig rule by op type makes those nodes qint16 while the rest stay qint8; an
// unknown op type, an op without an integer kernel and qint16 on bernoulli2 are errors.
TEST(DriverQuantizeTest, Int16OpsRule) {
  QuantizeOptions options = DigitsOptions();
  options.int16_ops = {"FusedConv"};  // its conv + bn + relu blocks, fused
  absl::StatusOr<QuantizedModel> quantized = Quantize(options);
  ASSERT_TRUE(quantized.ok()) << quantized.status();
  int int16_outputs = 0;
  for (const auto& n : quantized->graph->nodes()) {
    if (n->op() != "FusedConv") continue;
    ASSERT_TRUE(n->output(0)->type().quant.has_value());
    EXPECT_EQ(n->output(0)->type().quant->storage, DType::kInt16) << n->name();
    ++int16_outputs;
  }
  EXPECT_GE(int16_outputs, 2);
  int int8_outputs = 0;  // the rest stays qint8 (the Gemm at the end, at least)
  for (const auto& n : quantized->graph->nodes()) {
    if (n->op() != "FusedConv" && n->num_outputs() > 0 && n->output(0)->type().quant.has_value() &&
        n->output(0)->type().quant->storage == DType::kInt8) {
      ++int8_outputs;
    }
  }
  EXPECT_GE(int8_outputs, 1);

  QuantizeOptions bad = options;
  bad.int16_ops = {"Foo"};
  absl::Status s = Quantize(bad).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "'Foo' is not an op")) << s;
  bad.int16_ops = {"Shape"};
  s = Quantize(bad).status();
  EXPECT_TRUE(absl::StrContains(s.message(), "not quantized")) << s;
  bad = options;
  bad.march = "bernoulli2";
  s = Quantize(bad).status();
  EXPECT_TRUE(absl::StrContains(s.message(), "bernoulli2")) << s;
}

// The vendor's high-precision output (on by default): digits' last layer, a Gemm and a model
// output, keeps its int32 accumulator at s_in x s_w[c] on bayes, whose op table allows int32 out;
// off, and on bernoulli2 (int8 out only), it is int8. Its outputs are closer to the float model's
// on the held-out digits than the int8 ones.
TEST(DriverQuantizeTest, HighPrecisionOutput) {
  const std::string dir = ModelsDir();
  const QuantizeOptions options = DigitsOptions();
  auto last_gemm = [](const ir::Graph& g) -> const ir::Node* {
    const ir::Node* last = nullptr;
    for (const auto& n : g.nodes()) {
      if (n->op() == "Gemm") last = n.get();
    }
    return last;
  };
  absl::StatusOr<QuantizedModel> on = Quantize(options);
  ASSERT_TRUE(on.ok()) << on.status();
  QuantizeOptions off_options = options;
  off_options.high_precision_output = false;
  absl::StatusOr<QuantizedModel> off = Quantize(off_options);
  ASSERT_TRUE(off.ok()) << off.status();
  QuantizeOptions b2_options = options;
  b2_options.march = "bernoulli2";
  absl::StatusOr<QuantizedModel> b2 = Quantize(b2_options);
  ASSERT_TRUE(b2.ok()) << b2.status();

  const ir::Node* gemm = last_gemm(*on->graph);
  ASSERT_NE(gemm, nullptr);
  ASSERT_TRUE(gemm->output(0)->type().quant.has_value());
  const ir::QuantInfo& q32 = *gemm->output(0)->type().quant;
  EXPECT_EQ(q32.storage, DType::kInt32);
  EXPECT_EQ(q32.axis, 1);  // per output channel: s_in x s_w[c]
  EXPECT_EQ(q32.scales.size(), 10u);
  for (const QuantizedModel* m : {&*off, &*b2}) {
    const ir::Node* g = last_gemm(*m->graph);
    ASSERT_NE(g, nullptr);
    ASSERT_TRUE(g->output(0)->type().quant.has_value());
    EXPECT_EQ(g->output(0)->type().quant->storage, DType::kInt8);
  }

  absl::StatusOr<std::unique_ptr<ir::Graph>> float_graph = frontend::ImportOnnxFile(options.model);
  ASSERT_TRUE(float_graph.ok()) << float_graph.status();
  absl::StatusOr<Tensor> x = ReadNpy(dir + "digits_test_x.npy");
  ASSERT_TRUE(x.ok()) << x.status();
  const int64_t n = x->shape()[0];
  const int64_t per = x->num_elements() / n;
  double signal = 0, noise_on = 0, noise_off = 0;
  for (int64_t i = 0; i < n; ++i) {
    Shape shape = x->shape();
    shape[0] = 1;
    Tensor one(DType::kFloat32, shape);
    std::copy_n(x->span<float>().data() + i * per, per, one.span<float>().data());
    absl::StatusOr<std::vector<Tensor>> f = reference::RunFloat(**float_graph, {one});
    absl::StatusOr<std::vector<Tensor>> a = reference::RunQuantized(*on->graph, {one});
    absl::StatusOr<std::vector<Tensor>> b = reference::RunQuantized(*off->graph, {one});
    ASSERT_TRUE(f.ok() && a.ok() && b.ok());
    for (int64_t k = 0; k < (*f)[0].num_elements(); ++k) {
      const double r = (*f)[0].span<float>()[k];
      signal += r * r;
      noise_on += std::pow(r - (*a)[0].span<float>()[k], 2);
      noise_off += std::pow(r - (*b)[0].span<float>()[k], 2);
    }
  }
  const double sqnr_on = 10 * std::log10(signal / noise_on);
  const double sqnr_off = 10 * std::log10(signal / noise_off);
  std::printf(
      "high-precision output: digits (%lld held-out samples) SQNR %.2f dB int32 vs %.2f dB "
      "int8\n",
      static_cast<long long>(n), sqnr_on, sqnr_off);
  EXPECT_GT(sqnr_on, sqnr_off);
}

// PrepareCalibration's high-precision output: the qint32 "out" qconfig goes to a weighted layer
// whose output is a model output read by no node, and not where the user decided (a node-name
// rule, a QDQ pair's fixed scale), where the caller's predicate (the march's op table) refuses,
// or to a layer another node reads.
TEST(DriverQuantizeTest, HighPrecisionOutputOnlyWhereUndecided) {
  // x -> conv "head" -> y (a model output); x -> conv "mid" -> z, read by Relu -> r and an output.
  auto build = [] {
    frontend::GraphBuilder b;
    ir::Value* x = b.Input("x", DType::kFloat32, {1, 2, 4, 4});
    Tensor w(DType::kFloat32, {3, 2, 1, 1});
    for (int i = 0; i < 6; ++i) w.span<float>()[i] = 0.25f * (i - 2);
    Tensor bias(DType::kFloat32, {3});
    ir::Value* y = b.Op("Conv", {x, b.Constant(w, "w1"), b.Constant(bias, "b1")}, {}, "head");
    ir::Value* z = b.Op("Conv", {x, b.Constant(w, "w2"), b.Constant(bias, "b2")}, {}, "mid");
    b.Output(y);
    b.Output(z);
    b.Output(b.Op("Relu", {z}, {}, "relu"));
    return *b.Build();
  };
  using quantization::QDType;
  const quantization::QConfig int8 =
      *quantization::GetDefaultCalibQConfig(QDType::kQInt8, quantization::QKwargs{});
  auto dtype_of = [&](quantization::QConfigMap map, quantization::PrepareOptions prepare,
                      const std::string& node) {
    auto g = build();
    prepare.fuse = false;
    auto state = quantization::PrepareCalibration(*g, map, prepare);
    EXPECT_TRUE(state.ok()) << state.status();
    for (const auto& n : g->nodes()) {
      if (n->name() == node) return (*state)->qconfig_map().Resolve(*n)->activation.dtype;
    }
    ADD_FAILURE() << node;
    return QDType::kQInt8;
  };
  quantization::QConfigMap global;
  global.SetGlobal(int8);
  quantization::PrepareOptions on;
  on.high_precision_output = true;
  EXPECT_EQ(dtype_of(global, on, "head"), QDType::kQInt32);
  EXPECT_EQ(dtype_of(global, on, "mid"), QDType::kQInt8);   // Relu reads it
  EXPECT_EQ(dtype_of(global, {}, "head"), QDType::kQInt8);  // off by default in the library
  quantization::QConfigMap named = global;
  named.SetNodeName("head", int8);
  EXPECT_EQ(dtype_of(named, on, "head"), QDType::kQInt8);
  quantization::PrepareOptions fixed = on;
  auto g = build();
  for (const auto& n : g->nodes()) {
    if (n->name() == "head") {
      fixed.fixed_scales = {{n->output(0)->name(), {QDType::kQInt8, {0.05f}, -1}}};
    }
  }
  EXPECT_EQ(dtype_of(global, fixed, "head"), QDType::kQInt8);
  quantization::PrepareOptions refused = on;
  refused.high_precision_output_allowed = [](const ir::Node&) { return false; };
  EXPECT_EQ(dtype_of(global, refused, "head"), QDType::kQInt8);
}

}  // namespace
}  // namespace openbpu::driver
