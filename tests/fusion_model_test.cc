// Fusion on real models: FuseFx on the BatchNorm-preserving torchvision exports
// (//tests/models) finds the expected patterns (resnet18: 9 conv+bn+relu,
// 8 conv+bn+add+relu, 3 conv+bn) and the fused graph computes the unfused
// float output within 1e-5 relative.
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
#include "compiler/passes/fusion.h"
#include "compiler/passes/pass_pipeline.h"
#include "compiler/reference/float_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu {
namespace {

// Fusion only regroups float operations (BN folded into weights), so the
// difference is rounding noise: max |diff| <= kRelTolerance * max |unfused|.
constexpr double kRelTolerance = 1e-5;

std::string ModelsDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/",
                      workspace != nullptr ? workspace : "openbpu", "/tests/models/");
}

class FusionModelTest : public testing::TestWithParam<std::string> {};

TEST_P(FusionModelTest, FusedMatchesUnfused) {
  const std::string& model = GetParam();
  const std::string dir = ModelsDir();
  absl::StatusOr<std::unique_ptr<ir::Graph>> graph =
      frontend::ImportOnnxFile(dir + model + ".preserve.onnx");
  ASSERT_TRUE(graph.ok()) << model << ": " << graph.status();
  absl::StatusOr<Tensor> input = ReadNpy(dir + model + ".input.npy");
  ASSERT_TRUE(input.ok()) << input.status();
  std::vector<Tensor> inputs = {*std::move(input)};

  absl::StatusOr<std::vector<Tensor>> unfused = reference::RunFloat(**graph, inputs);
  ASSERT_TRUE(unfused.ok()) << model << ": " << unfused.status();

  absl::StatusOr<passes::FusionReport> report = passes::FuseFx(**graph);
  ASSERT_TRUE(report.ok()) << model << ": " << report.status();
  ASSERT_TRUE(passes::VerifyGraph(**graph).ok());
  int batchnorms = 0;
  for (const auto& node : (*graph)->nodes()) batchnorms += node->op() == "BatchNormalization";

  absl::StatusOr<std::vector<Tensor>> fused = reference::RunFloat(**graph, inputs);
  ASSERT_TRUE(fused.ok()) << model << ": " << fused.status();
  ASSERT_EQ(fused->size(), unfused->size());
  double max_diff = 0.0;
  double max_ref = 0.0;
  for (size_t k = 0; k < fused->size(); ++k) {
    ASSERT_EQ((*fused)[k].shape(), (*unfused)[k].shape());
    absl::Span<const float> got = (*fused)[k].span<float>();
    absl::Span<const float> want = (*unfused)[k].span<float>();
    for (size_t i = 0; i < want.size(); ++i) {
      const double diff = std::fabs(static_cast<double>(got[i]) - want[i]);
      max_diff = std::isnan(diff) ? INFINITY : std::max(max_diff, diff);
      max_ref = std::max(max_ref, std::fabs(static_cast<double>(want[i])));
    }
  }
  ASSERT_GT(max_ref, 0.0) << "degenerate output";
  const double rel_err = max_diff / max_ref;
  std::printf("fusion: %s patterns=%s max_rel_err=%.3g\n", model.c_str(),
              report->ToString().c_str(), rel_err);
  std::fflush(stdout);
  EXPECT_LE(rel_err, kRelTolerance) << model;
  // Every BatchNormalization of these models follows a conv it alone uses.
  EXPECT_EQ(batchnorms, 0) << model;

  if (model == "resnet18") {
    EXPECT_EQ(report->counts["conv+bn+relu"], 9);
    EXPECT_EQ(report->counts["conv+bn+add+relu"], 8);
    EXPECT_EQ(report->counts["conv+bn"], 3);
    // The final Gemm computes the graph output itself (nothing follows it to
    // fuse), so there is no linear pattern: 20 fusions, one per conv.
    EXPECT_EQ(report->total(), 20);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, FusionModelTest,
                         testing::Values("resnet18", "mobilenet_v2", "efficientnet_b0",
                                         "shufflenet_v2_x1_0"),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace openbpu
