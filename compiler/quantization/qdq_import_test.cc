// QDQ import: pairs become fixed scales that calibration keeps; nonzero zero points and unpaired
// nodes are errors naming the node.
#include "compiler/quantization/qdq_import.h"

#include <random>

#include "absl/strings/match.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/quantization/calibration.h"
#include "compiler/reference/float_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::quantization {
namespace {

using frontend::Attrs;
using frontend::GraphBuilder;

constexpr char kModel[] = "compiler/quantization/testdata/qdq_conv.onnx";
constexpr char kModelZp[] = "compiler/quantization/testdata/qdq_conv_zp.onnx";

Tensor Random(Shape shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-2.f, 2.f);
  Tensor t(DType::kFloat32, std::move(shape));
  for (float& v : t.span<float>()) v = d(rng);
  return t;
}

TEST(QdqImportTest, PairsBecomeFixedScalesCalibrationKeeps) {
  absl::StatusOr<QdqImport> imported = ImportQdqOnnxFile(kModel);
  ASSERT_TRUE(imported.ok()) << imported.status();
  ir::Graph& g = *imported->graph;
  for (const auto& n : g.nodes()) {
    EXPECT_NE(n->op(), "QuantizeLinear");
    EXPECT_NE(n->op(), "DequantizeLinear");
  }
  const auto& fixed = imported->fixed_scales;
  ASSERT_TRUE(fixed.count("x"));
  EXPECT_EQ(fixed.at("x").scales, std::vector<float>{0.02f});
  EXPECT_EQ(fixed.at("x").dtype, QDType::kQInt8);
  ASSERT_TRUE(fixed.count("w"));
  EXPECT_EQ(fixed.at("w").scales.size(), 3u);
  EXPECT_EQ(fixed.at("w").axis, 0);
  ASSERT_TRUE(fixed.count("r"));
  EXPECT_EQ(fixed.at("r").scales, std::vector<float>{0.05f});
  // The graph output keeps its name through an Identity.
  ASSERT_EQ(g.outputs().size(), 1u);
  EXPECT_EQ(g.outputs()[0]->name(), "y");
  EXPECT_EQ(g.outputs()[0]->producer()->op(), "Identity");
  // The conv reads the float weight (not folded into a fake-quantized constant).
  EXPECT_TRUE(g.FindNode("conv")->input(1)->is_constant());
  EXPECT_EQ(g.FindNode("conv")->input(1)->name(), "w");

  QConfig qc = *GetDefaultCalibQConfig();
  QConfigMap map;
  map.SetGlobal(qc);
  PrepareOptions options;
  options.fixed_scales = fixed;
  auto state = PrepareCalibration(g, map, options);
  ASSERT_TRUE(state.ok()) << state.status();
  Dataset ds;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(ds.Add(g, {Random({1, 2, 5, 5}, i)}, "s").ok());
  ASSERT_TRUE(Calibrate(**state, ds, {nullptr}).ok());
  EXPECT_EQ(*(*state)->ActivationScales("x"), std::vector<float>{0.02f});
  EXPECT_EQ(*(*state)->ActivationScales("r"), std::vector<float>{0.05f});
  const std::string w = g.FindNode("conv")->input(1)->name();
  if (fixed.count(w)) {
    ASSERT_TRUE((*state)->weights().count(w));
    EXPECT_TRUE((*state)->weights().at(w).fixed.has_value());
  }
  // The float graph still runs.
  EXPECT_TRUE(reference::RunFloat(g, {Random({1, 2, 5, 5}, 9)}).ok());
}

TEST(QdqImportTest, NonzeroZeroPointNamesTheNode) {
  absl::StatusOr<QdqImport> imported = ImportQdqOnnxFile(kModelZp);
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(imported.status().message(), "nonzero zero point 3"))
      << imported.status();
  EXPECT_TRUE(absl::StrContains(imported.status().message(), "'x_")) << imported.status();
  EXPECT_EQ(ImportQdqOnnxFile("no/such/model.onnx").status().code(), absl::StatusCode::kNotFound);
}

TEST(QdqImportTest, StoredInt8WeightAndUnpairedNodes) {
  GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 2});
  ir::Value* wq = b.Constant(Tensor::FromVector<int8_t>({3, 2}, {1, -2, 3, -4, 5, 127}), "wq");
  ir::Value* w = b.Op("DequantizeLinear",
                      {wq, b.Constant(Tensor::FromVector<float>({3}, {0.5f, 0.25f, 0.125f})),
                       b.Constant(Tensor::FromVector<int8_t>({3}, {0, 0, 0}))},
                      Attrs({{"axis", int64_t{0}}}), "w_dq");
  b.Output(b.Op("Gemm", {x, w}, Attrs({{"transB", int64_t{1}}}), "fc"));
  auto g = b.Build(/*fold_constants=*/false);
  ASSERT_TRUE(g.ok()) << g.status();
  auto fixed = StripQdq(**g);
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  const ir::Value* wv = (*g)->FindNode("fc")->input(1);
  ASSERT_TRUE(wv->is_constant());
  EXPECT_EQ(wv->constant(),
            Tensor::FromVector<float>({3, 2}, {0.5f, -1.f, 0.75f, -1.f, 0.625f, 15.875f}));
  ASSERT_TRUE(fixed->count(wv->name()));
  EXPECT_EQ(fixed->at(wv->name()).axis, 0);

  GraphBuilder b2;
  ir::Value* x2 = b2.Input("x", DType::kFloat32, {2});
  b2.Output(
      b2.Op("QuantizeLinear",
            {x2, b2.Constant(Tensor::Scalar<float>(0.1f)), b2.Constant(Tensor::Scalar<int8_t>(0))},
            {}, "lonely"));
  auto g2 = b2.Build(false);
  ASSERT_TRUE(g2.ok());
  auto r = StripQdq(**g2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "node 'lonely'")) << r.status();

  // uint8 (no zero point given) is asymmetric: refused.
  GraphBuilder b3;
  ir::Value* x3 = b3.Input("x", DType::kFloat32, {2});
  ir::Value* q3 = b3.Op("QuantizeLinear", {x3, b3.Constant(Tensor::Scalar<float>(0.1f))}, {}, "q");
  b3.Output(b3.Op("DequantizeLinear", {q3, b3.Constant(Tensor::Scalar<float>(0.1f))}, {}, "dq"));
  auto g3 = b3.Build(false);
  ASSERT_TRUE(g3.ok());
  r = StripQdq(**g3);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::StrContains(r.status().message(), "node 'dq'")) << r.status();
}

}  // namespace
}  // namespace openbpu::quantization
