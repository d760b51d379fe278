// Whole-model quantization accuracy, as users see it (//tests/models:quant_data):
//  - ptq-compare: on resnet18, mobilenet_v2, efficientnet_b0, the yolo_tiny detector (all three
//    outputs) and the vit_tiny transformer (softmax, layer norm and Erf in int16) (seeded weights,
//    BatchNorm statistics from the calibration crops), calibrated on 32 photo crops with bpu
//    quantize's defaults (driver::Quantize) and tested on 16 others: our int8 output's cosine and
//    SQNR against our float output, next to PyTorch's own FX post-training quantization of the same
//    model (symmetric quint8 activations, per-channel qint8 weights; tools/quant_data.py). Our SQNR
//    is asserted against the figure recorded below (calibration is deterministic): a drop fails as
//    a regression, a rise fails until the figure (and README/docs) are re-recorded. Beating torch
//    is the PTQ issue's target; today we are below it on efficientnet_b0.
//  - digits-accuracy: a small CNN trained on scikit-learn's digits keeps its held-out accuracy
//    within 1 point in int8 on bayes and on bernoulli2, and agrees with float's argmax on >= 98 %.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/npy.h"
#include "common/tensor.h"
#include "compiler/driver/quantize.h"
#include "compiler/frontend/onnx_importer.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/convert.h"
#include "compiler/quantization/dataset.h"
#include "compiler/quantization/qconfig.h"
#include "compiler/reference/float_interpreter.h"
#include "compiler/reference/quantized_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu {
namespace {

std::string DataDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/",
                      workspace != nullptr ? workspace : "openbpu", "/tests/models/");
}

// Cosine and SQNR (dB) of `got` against `ref` over all samples' elements, in double.
struct Similarity {
  double cosine = 0;
  double sqnr_db = 0;
};

Similarity Compare(const std::vector<Tensor>& ref, const std::vector<Tensor>& got) {
  double dot = 0, rr = 0, gg = 0, noise = 0;
  for (size_t s = 0; s < ref.size(); ++s) {
    const float* r = ref[s].data<float>();
    const float* g = got[s].data<float>();
    for (int64_t i = 0; i < ref[s].num_elements(); ++i) {
      dot += double{r[i]} * g[i];
      rr += double{r[i]} * r[i];
      gg += double{g[i]} * g[i];
      noise += (double{r[i]} - g[i]) * (double{r[i]} - g[i]);
    }
  }
  Similarity out;
  out.cosine = dot / std::sqrt(rr * gg);
  out.sqnr_db = noise == 0 ? INFINITY : 10 * std::log10(rr / noise);
  return out;
}

// Quantizes `onnx_path` for `march` as `bpu quantize` does (driver::Quantize, calibrated on
// `calib`): its defaults (MSE, per-layer selection, learned rounding, empirical bias correction,
// the high-precision output, the march rewrites), or with `observer` alone (none of those but the
// rewrites): the quantized graph.
std::unique_ptr<ir::Graph> Quantize(const std::string& onnx_path, const std::string& calib,
                                    const std::string& march,
                                    const std::vector<std::string>& int16_ops = {},
                                    std::optional<std::string> observer = std::nullopt) {
  driver::QuantizeOptions options;
  options.model = onnx_path;
  options.calibration_data = calib;
  options.march = march;
  options.int16_ops = int16_ops;
  options.progress = nullptr;
  if (observer.has_value()) {
    options.observer = *observer;
    options.select_observer = false;
    options.adaround = false;
    options.empirical_bias_correction = false;
    options.high_precision_output = false;
  }
  absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(options);
  EXPECT_TRUE(quantized.ok()) << onnx_path << ": " << quantized.status();
  if (!quantized.ok()) return nullptr;
  return std::move(quantized->graph);
}

// PyTorch's figures from tools/quant_data.py: model -> {cos, sqnr}.
std::map<std::string, Similarity> TorchPtq() {
  std::map<std::string, Similarity> out;
  std::ifstream in(DataDir() + "torch_ptq.txt");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.size() != 3) continue;
    out[f[0]] = {std::stod(f[1]), std::stod(f[2])};
  }
  return out;
}

// Our SQNR (dB) per model with bpu quantize's defaults (MSE, per-layer selection, learned
// rounding, unified concat scales, empirical bias correction, the SiLU rewrite), as recorded; see
// the header. (Before the empirical bias correction: 28.60, 12.62, 8.03, 33.48, 35.72; with the
// MSE observer alone, the default before: 26.97, 12.30, 7.48, 33.82, 35.01; with percentile
// alone, the default before that: 25.28, 12.28, 6.27, 33.62, 35.19.)
const std::map<std::string, double>& RecordedSqnr() {
  static const auto* recorded = new std::map<std::string, double>{
      {"resnet18", 28.51},  {"mobilenet_v2", 12.90}, {"efficientnet_b0", 8.57},
      {"yolo_tiny", 33.48}, {"vit_tiny", 37.45},
  };
  return *recorded;
}

// The op types quantized to qint16 per model (the ISA 1.1 issue's rule for the transformer:
// softmax, layer norm and GELU's Erf in int16 on bayes; torch keeps those in float).
std::vector<std::string> Int16Ops(const std::string& model) {
  if (model == "vit_tiny") return {"Softmax", "LayerNormalization", "Erf"};
  return {};
}

// Every output of a run, flattened into one float tensor (the detector has three).
Tensor Flatten(const std::vector<Tensor>& outputs) {
  int64_t n = 0;
  for (const Tensor& t : outputs) n += t.num_elements();
  Tensor out(DType::kFloat32, {n});
  int64_t at = 0;
  for (const Tensor& t : outputs) {
    for (int64_t i = 0; i < t.num_elements(); ++i) out.data<float>()[at++] = t.GetAsDouble(i);
  }
  return out;
}
constexpr double kRecordedSqnrTolerance = 0.1;

class PtqCompareTest : public testing::TestWithParam<std::string> {};

// Our quantized `model` (ptq/MODEL.onnx, calibrated on calib/) against its float model over the
// 16 test crops.
Similarity OursOnTest(const std::string& model,
                      std::optional<std::string> observer = std::nullopt) {
  const std::string dir = DataDir();
  const std::string onnx = dir + "ptq/" + model + ".onnx";
  auto float_graph = frontend::ImportOnnxFile(onnx);
  EXPECT_TRUE(float_graph.ok()) << float_graph.status();
  std::unique_ptr<ir::Graph> quantized =
      Quantize(onnx, dir + "calib", "bayes", Int16Ops(model), observer);
  EXPECT_NE(quantized, nullptr);
  if (!float_graph.ok() || quantized == nullptr) return {};
  absl::StatusOr<quantization::Dataset> test =
      quantization::LoadDataset(dir + "test", **float_graph);
  EXPECT_TRUE(test.ok()) << test.status();
  if (!test.ok()) return {};
  EXPECT_EQ(test->num_samples(), 16);
  std::vector<Tensor> floats, quants;
  for (int i = 0; i < test->num_samples(); ++i) {
    auto f = reference::RunFloat(**float_graph, test->sample(i));
    EXPECT_TRUE(f.ok()) << f.status();
    auto q = reference::RunQuantized(*quantized, test->sample(i));
    EXPECT_TRUE(q.ok()) << q.status();
    if (!f.ok() || !q.ok()) return {};
    floats.push_back(Flatten(*f));
    quants.push_back(Flatten(*q));
  }
  return Compare(floats, quants);
}

TEST_P(PtqCompareTest, MatchesRecordedFigures) {
  const std::string& model = GetParam();
  const std::map<std::string, Similarity> torch = TorchPtq();
  ASSERT_EQ(torch.count(model), 1u) << "torch_ptq.txt lacks " << model;
  const Similarity ours = OursOnTest(model);
  ASSERT_FALSE(::testing::Test::HasFailure());
  const Similarity& theirs = torch.at(model);
  std::printf(
      "ptq-compare: %s ours_cos=%.6f ours_sqnr=%.2f torch_cos=%.6f torch_sqnr=%.2f "
      "ours-torch=%+.2f dB\n",
      model.c_str(), ours.cosine, ours.sqnr_db, theirs.cosine, theirs.sqnr_db,
      ours.sqnr_db - theirs.sqnr_db);
  ASSERT_EQ(RecordedSqnr().count(model), 1u) << "no recorded figure for " << model;
  const double recorded = RecordedSqnr().at(model);
  EXPECT_GE(ours.sqnr_db, recorded - kRecordedSqnrTolerance)
      << model << ": SQNR fell below the recorded " << recorded << " dB";
  EXPECT_LE(ours.sqnr_db, recorded + kRecordedSqnrTolerance)
      << model << ": SQNR rose above the recorded " << recorded
      << " dB: re-record it here and in README.md / docs/QUANTIZATION.md";
  // The ISA 1.1 issue's targets: the detector at least torch's SQNR, the transformer (with its
  // int16 rule) within 1 dB of it.
  if (model == "yolo_tiny") {
    EXPECT_GE(ours.sqnr_db, theirs.sqnr_db) << model;
  }
  if (model == "vit_tiny") {
    EXPECT_GE(ours.sqnr_db, theirs.sqnr_db - 1.0) << model;
  }
  // torch's figures are real: a quantized model, not a float one passed through.
  EXPECT_GT(theirs.cosine, 0.5) << model;
  EXPECT_LT(theirs.sqnr_db, 60) << model;
}

INSTANTIATE_TEST_SUITE_P(Models, PtqCompareTest,
                         testing::Values("resnet18", "mobilenet_v2", "efficientnet_b0", "yolo_tiny",
                                         "vit_tiny"));

// Every observer the CLI offers, on resnet18, against its recorded figure (issue 18: KL once
// collapsed this model to 6.6 dB, a spike of ReLU zeros in its histogram; tools/ptq_sweep.sh
// prints every observer on 18 architectures).
TEST(ObserverGuardTest, EveryObserverKeepsResnet18) {
  const std::map<std::string, double> recorded = {
      {"percentile", 25.28}, {"minmax", 26.16}, {"mse", 26.97}, {"kl", 27.10}};
  std::map<std::string, double> measured;  // every figure first, so one re-record gets them all
  for (const auto& [name, figure] : recorded) {
    const Similarity ours = OursOnTest("resnet18", name);
    ASSERT_FALSE(::testing::Test::HasFailure()) << name;
    std::printf("ptq-observer: resnet18 %s alone sqnr=%.2f dB (the defaults: %.2f)\n", name.c_str(),
                ours.sqnr_db, RecordedSqnr().at("resnet18"));
    measured[name] = ours.sqnr_db;
  }
  for (const auto& [name, figure] : recorded) {
    EXPECT_NEAR(measured.at(name), figure, kRecordedSqnrTolerance)
        << name << ": re-record it here and in docs/QUANTIZATION.md";
  }
}

// Accuracy and argmax agreement of a graph runner over the held-out digits.
struct Accuracy {
  double accuracy = 0;
  double agreement = 0;  // with `reference_predictions`
  std::vector<int> predictions;
};

template <typename Run>
Accuracy Evaluate(const Tensor& x, const Tensor& y, const std::vector<int>& reference_predictions,
                  Run run) {
  Accuracy out;
  const int64_t n = x.shape()[0];
  const int64_t per = x.num_elements() / n;
  int correct = 0, agree = 0;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<float> sample(x.data<float>() + i * per, x.data<float>() + (i + 1) * per);
    std::vector<Tensor> inputs = {Tensor::FromVector<float>({1, 1, 8, 8}, sample)};
    absl::StatusOr<std::vector<Tensor>> logits = run(inputs);
    EXPECT_TRUE(logits.ok()) << logits.status();
    if (!logits.ok()) return out;
    const float* l = (*logits)[0].data<float>();
    int best = 0;
    for (int k = 1; k < 10; ++k) {
      if (l[k] > l[best]) best = k;
    }
    out.predictions.push_back(best);
    correct += best == y.data<int64_t>()[i];
    if (!reference_predictions.empty()) agree += best == reference_predictions[i];
  }
  out.accuracy = static_cast<double>(correct) / n;
  out.agreement = static_cast<double>(agree) / n;
  return out;
}

TEST(DigitsTest, Int8KeepsAccuracy) {
  const std::string dir = DataDir();
  absl::StatusOr<Tensor> x = ReadNpy(dir + "digits_test_x.npy");
  ASSERT_TRUE(x.ok()) << x.status();
  absl::StatusOr<Tensor> y = ReadNpy(dir + "digits_test_y.npy");
  ASSERT_TRUE(y.ok()) << y.status();
  ASSERT_EQ(y->dtype(), DType::kInt64);
  ASSERT_EQ(x->shape()[0], y->shape()[0]);

  auto float_graph = frontend::ImportOnnxFile(dir + "digits.onnx");
  ASSERT_TRUE(float_graph.ok()) << float_graph.status();
  const Accuracy fl = Evaluate(*x, *y, {}, [&](const std::vector<Tensor>& in) {
    return reference::RunFloat(**float_graph, in);
  });
  std::ifstream torch_acc_file(dir + "digits_float_acc.txt");
  double torch_acc = -1;
  torch_acc_file >> torch_acc;
  // Our float interpreter reproduces torch's accuracy (same argmax up to float noise).
  EXPECT_NEAR(fl.accuracy, torch_acc, 1.0 / x->shape()[0] + 1e-9);

  std::map<std::string, Accuracy> q;
  for (const std::string march : {"bayes", "bernoulli2"}) {
    std::unique_ptr<ir::Graph> graph =
        Quantize(dir + "digits.onnx", dir + "digits_calib.npy", march);
    ASSERT_NE(graph, nullptr) << march;
    q[march] = Evaluate(*x, *y, fl.predictions, [&](const std::vector<Tensor>& in) {
      return reference::RunQuantized(*graph, in);
    });
  }
  std::printf(
      "digits-accuracy: float=%.4f int8=%.4f (bayes) int8=%.4f (bernoulli2) "
      "argmax agreement %.4f / %.4f on %lld held-out samples\n",
      fl.accuracy, q["bayes"].accuracy, q["bernoulli2"].accuracy, q["bayes"].agreement,
      q["bernoulli2"].agreement, static_cast<long long>(x->shape()[0]));
  EXPECT_GE(fl.accuracy, 0.95);  // a trained model, not chance
  for (const auto& [march, acc] : q) {
    EXPECT_GE(acc.accuracy, fl.accuracy - 0.01) << march;
    EXPECT_GE(acc.agreement, 0.98) << march;
  }
}

}  // namespace
}  // namespace openbpu
