// Real models end to end: the ONNX importer + float reference interpreter must reproduce torch's
// output for the torchvision models exported by tools/export_models.py (//tests/models), both the
// BatchNorm-fused export and the one keeping BatchNormalization nodes.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/npy.h"
#include "common/tensor.h"
#include "compiler/frontend/onnx_importer.h"
#include "compiler/reference/float_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu {
namespace {

// max |diff| <= kRelTolerance * max |torch output|: float32 summation-order noise only.
constexpr double kRelTolerance = 1e-4;

std::string ModelsDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/",
                      workspace != nullptr ? workspace : "openbpu", "/tests/models/");
}

struct Case {
  std::string model;
  bool preserve;  // MODEL.preserve.onnx (unfused BatchNormalization) instead of MODEL.onnx
};

std::string CaseName(const Case& c) { return c.preserve ? c.model + ".preserve" : c.model; }

class TorchMatchTest : public testing::TestWithParam<Case> {};

TEST_P(TorchMatchTest, MatchesTorchOutput) {
  const Case& c = GetParam();
  const std::string dir = ModelsDir();
  const std::string onnx_path = dir + (c.preserve ? c.model + ".preserve.onnx" : c.model + ".onnx");

  absl::StatusOr<Tensor> input = ReadNpy(dir + c.model + ".input.npy");
  ASSERT_TRUE(input.ok()) << input.status();
  absl::StatusOr<Tensor> expected = ReadNpy(dir + c.model + ".output.npy");
  ASSERT_TRUE(expected.ok()) << expected.status();
  ASSERT_EQ(expected->dtype(), DType::kFloat32);

  auto graph = frontend::ImportOnnxFile(onnx_path);
  ASSERT_TRUE(graph.ok()) << onnx_path << ": " << graph.status();
  ASSERT_EQ((*graph)->inputs().size(), 1u);
  ASSERT_EQ((*graph)->outputs().size(), 1u);

  std::vector<Tensor> inputs;
  inputs.push_back(*std::move(input));
  absl::StatusOr<std::vector<Tensor>> outputs = reference::RunFloat(**graph, inputs);
  ASSERT_TRUE(outputs.ok()) << onnx_path << ": " << outputs.status();
  ASSERT_EQ(outputs->size(), 1u);
  const Tensor& actual = (*outputs)[0];
  ASSERT_EQ(actual.dtype(), DType::kFloat32);
  ASSERT_EQ(actual.shape(), expected->shape());

  absl::Span<const float> got = actual.span<float>();
  absl::Span<const float> want = expected->span<float>();
  double max_diff = 0.0;
  double max_ref = 0.0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double diff = std::fabs(static_cast<double>(got[i]) - want[i]);
    // A NaN must fail, not vanish in std::max.
    max_diff = std::isnan(diff) ? INFINITY : std::max(max_diff, diff);
    max_ref = std::max(max_ref, std::fabs(static_cast<double>(want[i])));
  }
  ASSERT_GT(max_ref, 0.0) << "degenerate torch output";
  const double rel_err = max_diff / max_ref;
  std::printf("torch-match: %s max_rel_err=%.3g\n", CaseName(c).c_str(), rel_err);
  std::fflush(stdout);
  EXPECT_LE(rel_err, kRelTolerance)
      << CaseName(c) << ": max |diff| " << max_diff << " vs max |torch| " << max_ref;
}

std::vector<Case> AllCases() {
  std::vector<Case> cases;
  for (const char* model :
       {"resnet18", "resnet50", "mobilenet_v2", "efficientnet_b0", "shufflenet_v2_x1_0"}) {
    cases.push_back({model, false});
    cases.push_back({model, true});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Models, TorchMatchTest, testing::ValuesIn(AllCases()),
                         [](const testing::TestParamInfo<Case>& info) {
                           std::string name = CaseName(info.param);
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

}  // namespace
}  // namespace openbpu
