// examples/classify end to end (tests/, so it may use the compiler): the digits CNN (tests/models,
// trained on scikit-learn's digits) quantized and compiled for bayes at O2 into an .hbm, then the
// classify binary run over the held-out digits with their labels. Its accuracy must equal the
// quantized reference's on the same images (the simulator is bit-exact), image for image.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/npy.h"
#include "compiler/backend/compile.h"
#include "compiler/backend/hbm_model.h"
#include "compiler/driver/quantize.h"
#include "compiler/reference/quantized_interpreter.h"
#include "gtest/gtest.h"
#include "hbm/hbm.h"
#include "tests/backend_run.h"

namespace openbpu {
namespace {

TEST(Classify, DigitsAccuracyEqualsTheQuantizedReference) {
  const std::string dir = test_util::ModelDataDir();
  driver::QuantizeOptions q;
  q.model = dir + "digits.onnx";
  q.calibration_data = dir + "digits_calib.npy";
  q.march = "bayes";
  q.progress = nullptr;
  absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(q);
  ASSERT_TRUE(quantized.ok()) << quantized.status();
  backend::CompileOptions options;
  options.march = "bayes";
  options.opt = "O2";
  absl::StatusOr<backend::CompiledModel> compiled = backend::Compile(*quantized->graph, options);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  absl::StatusOr<hbm::Payload> payload =
      backend::ToHbmPayload(*compiled, "digits", "bayes", {{"opt", "O2"}});
  ASSERT_TRUE(payload.ok()) << payload.status();
  absl::StatusOr<std::vector<uint8_t>> bytes = hbm::WriteHbm(*payload);
  ASSERT_TRUE(bytes.ok());
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/digits.hbm");
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes->data()), static_cast<long>(bytes->size()));
  }

  // The quantized reference, image by image.
  absl::StatusOr<Tensor> x = ReadNpy(dir + "digits_test_x.npy");
  absl::StatusOr<Tensor> y = ReadNpy(dir + "digits_test_y.npy");
  ASSERT_TRUE(x.ok() && y.ok());
  const int64_t n = x->shape()[0], per = x->num_elements() / n;
  int64_t reference_correct = 0;
  for (int64_t i = 0; i < n; ++i) {
    Tensor sample(DType::kFloat32, {1, x->shape()[1], x->shape()[2], x->shape()[3]});
    std::copy(x->data<float>() + i * per, x->data<float>() + (i + 1) * per, sample.data<float>());
    absl::StatusOr<std::vector<Tensor>> out = reference::RunQuantized(*quantized->graph, {sample});
    ASSERT_TRUE(out.ok()) << out.status();
    const Tensor& s = (*out)[0];
    int64_t best = 0;
    for (int64_t k = 1; k < s.num_elements(); ++k) {
      if (s.GetAsDouble(k) > s.GetAsDouble(best)) best = k;
    }
    reference_correct += best == static_cast<int64_t>(y->GetAsDouble(i));
  }

  // The example, as a user runs it.
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  const std::string classify =
      absl::StrCat(srcdir != nullptr ? srcdir : ".", "/",
                   workspace != nullptr ? workspace : "openbpu", "/examples/classify/classify");
  const std::string command = absl::StrCat(classify, " ", path, " ", dir, "digits_test_x.npy",
                                           " --labels ", dir, "digits_test_y.npy 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  ASSERT_EQ(pclose(pipe), 0) << output;
  std::printf("%s", output.c_str());
  long long correct = -1, total = -1;
  double accuracy = 0;
  const size_t at = output.find("accuracy: ");
  ASSERT_NE(at, std::string::npos) << output;
  ASSERT_EQ(std::sscanf(output.c_str() + at, "accuracy: %lf (%lld of %lld images)", &accuracy,
                        &correct, &total),
            3);
  EXPECT_EQ(total, n);
  EXPECT_EQ(correct, reference_correct);
  EXPECT_NE(output.find("image 0: top-5 "), std::string::npos);
  std::printf("classify-digits: accuracy %.4f (%lld of %lld), quantized reference %.4f (%lld)\n",
              accuracy, correct, total,
              static_cast<double>(reference_correct) / static_cast<double>(n),
              static_cast<long long>(reference_correct));
}

}  // namespace
}  // namespace openbpu
