// End to end on a real model: resnet18 (//tests/models) calibrated on a few variants of its
// sample input, converted for bayes and bernoulli2, run on the quantized reference; the output
// must track float (cosine >= 0.99). The photo-based PTQ comparison is tests/quant_model_test.
#include <cmath>

#include "common/npy.h"
#include "compiler/frontend/onnx_importer.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/convert.h"
#include "compiler/reference/float_interpreter.h"
#include "compiler/reference/quantized_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::quantization {
namespace {

constexpr char kModel[] = "tests/models/resnet18.onnx";
constexpr char kInput[] = "tests/models/resnet18.input.npy";

// x, x flipped left-right, x * 0.8, x rolled by 17 rows: different but image-like.
std::vector<Tensor> Variants(const Tensor& x) {
  std::vector<Tensor> out = {x, x, x, x};
  const int64_t c = x.dim(1), h = x.dim(2), w = x.dim(3);
  const float* src = x.data<float>();
  for (int64_t k = 0; k < c; ++k) {
    for (int64_t i = 0; i < h; ++i) {
      for (int64_t j = 0; j < w; ++j) {
        const int64_t at = (k * h + i) * w + j;
        out[1].data<float>()[at] = src[(k * h + i) * w + (w - 1 - j)];
        out[2].data<float>()[at] = 0.8f * src[at];
        out[3].data<float>()[at] = src[(k * h + (i + 17) % h) * w + j];
      }
    }
  }
  return out;
}

double Cosine(const Tensor& a, const Tensor& b) {
  double ab = 0, aa = 0, bb = 0;
  for (int64_t i = 0; i < a.num_elements(); ++i) {
    const double x = a.data<float>()[i], y = b.data<float>()[i];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / std::sqrt(aa * bb);
}

TEST(Resnet18QuantTest, OutputTracksFloat) {
  absl::StatusOr<Tensor> input = ReadNpy(kInput);
  ASSERT_TRUE(input.ok()) << input.status();
  const std::vector<Tensor> samples = Variants(*input);
  for (const char* march : {"bayes", "bernoulli2"}) {
    SCOPED_TRACE(march);
    auto float_graph = frontend::ImportOnnxFile(kModel);
    auto graph = frontend::ImportOnnxFile(kModel);
    ASSERT_TRUE(graph.ok() && float_graph.ok()) << graph.status();
    QConfigMap qmap;
    qmap.SetGlobal(*GetDefaultCalibQConfig());
    auto state = PrepareCalibration(**graph, qmap);
    ASSERT_TRUE(state.ok()) << state.status();
    Dataset data;
    for (const Tensor& s : samples) ASSERT_TRUE(data.Add(**graph, {s}, "variant").ok());
    ASSERT_TRUE(Calibrate(**state, data, {nullptr}).ok());
    ConvertOptions options;
    options.march = march;
    absl::StatusOr<ConvertReport> report = Convert(**state, options);
    ASSERT_TRUE(report.ok()) << report.status();
    std::printf("resnet18 %s: %s\n", march, report->ToString().c_str());
    EXPECT_GE(report->quantized_nodes.size(), 20u);
    for (size_t i = 0; i < samples.size(); ++i) {
      auto f = reference::RunFloat(**float_graph, {samples[i]});
      auto q = reference::RunQuantized(**graph, {samples[i]});
      ASSERT_TRUE(f.ok()) << f.status();
      ASSERT_TRUE(q.ok()) << q.status();
      const double cos = Cosine((*f)[0], (*q)[0]);
      std::printf("resnet18 %s sample %zu: output cosine %.5f\n", march, i, cos);
      EXPECT_GE(cos, 0.99);
    }
  }
}

}  // namespace
}  // namespace openbpu::quantization
