// VerifyQuantizedGraph accepts what convert produces and rejects each defect it checks for with
// an error naming the node: missing integer parameters, a dtype the march's op table does not
// allow, a float value between two BPU nodes.
#include "compiler/quantization/verify_quantized.h"

#include <memory>
#include <random>
#include <string>

#include "absl/strings/match.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/convert.h"
#include "gtest/gtest.h"

namespace openbpu::quantization {
namespace {

using frontend::GraphBuilder;

Tensor Random(Shape shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  Tensor t(DType::kFloat32, std::move(shape));
  for (float& v : t.span<float>()) v = d(rng);
  return t;
}

// x -> conv+relu (fused) -> add(., x) -> y, converted to int8 for bernoulli2.
std::unique_ptr<ir::Graph> ConvertedGraph() {
  GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 2, 4, 4});
  ir::Value* c = b.Op("Conv", {x, b.Constant(Random({2, 2, 1, 1}, 1), "w")}, {}, "conv");
  ir::Value* r = b.Op("Relu", {c}, {}, "relu");
  b.Output(b.Op("Add", {r, x}, {}, "add"));
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  EXPECT_TRUE(g.ok()) << g.status();
  QConfigMap qmap;
  qmap.SetGlobal(*GetDefaultCalibQConfig(QDType::kQInt8));
  auto state = PrepareCalibration(**g, qmap);
  EXPECT_TRUE(state.ok()) << state.status();
  Dataset data;
  for (uint32_t i = 0; i < 4; ++i) {
    EXPECT_TRUE(data.Add(**g, {Random({1, 2, 4, 4}, 10 + i)}, "sample").ok());
  }
  EXPECT_TRUE(Calibrate(**state, data, {nullptr}).ok());
  absl::StatusOr<ConvertReport> report = Convert(**state, {"bernoulli2"});
  EXPECT_TRUE(report.ok()) << report.status();
  return *std::move(g);
}

void ExpectRejectedNaming(const absl::Status& s, const std::string& node, const std::string& why) {
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), node)) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), why)) << s;
}

TEST(VerifyQuantizedTest, AcceptsConvertOutput) {
  std::unique_ptr<ir::Graph> g = ConvertedGraph();
  ASSERT_EQ(g->FindNode("conv")->op(), "FusedConv");
  EXPECT_TRUE(VerifyQuantizedGraph(*g, march::March::kBernoulli2).ok());
  EXPECT_TRUE(VerifyQuantizedGraph(*g, march::March::kBayes).ok());
}

TEST(VerifyQuantizedTest, RejectsMissingIntegerParameters) {
  std::unique_ptr<ir::Graph> g = ConvertedGraph();
  ir::Node* conv = g->FindNode("conv");
  ASSERT_FALSE(conv->qparams().empty());
  // One parameter gone is as wrong as all of them.
  conv->mutable_qparams().erase(conv->qparams().begin());
  ExpectRejectedNaming(VerifyQuantizedGraph(*g, march::March::kBernoulli2),
                       "node 'conv' (FusedConv)", "is missing");
  conv->mutable_qparams().clear();
  ExpectRejectedNaming(VerifyQuantizedGraph(*g, march::March::kBernoulli2),
                       "node 'conv' (FusedConv)", "parameters are missing (qprepare has not run)");
}

TEST(VerifyQuantizedTest, RejectsParametersOutsideTheIsaRanges) {
  std::unique_ptr<ir::Graph> g = ConvertedGraph();
  ir::Node* conv = g->FindNode("conv");
  ASSERT_TRUE(conv->qparams().count("requant.acc"));
  // A multiplier below 2^30 is no requantize record the TAE epilogue accepts.
  Tensor acc = conv->qparams().at("requant.acc");
  acc.data<int32_t>()[0] = 5;
  conv->mutable_qparams()["requant.acc"] = acc;
  ExpectRejectedNaming(VerifyQuantizedGraph(*g, march::March::kBernoulli2),
                       "node 'conv' (FusedConv)", "neither 0 nor in [2^30, 2^31)");
  // A clamp with lo > hi.
  std::unique_ptr<ir::Graph> h = ConvertedGraph();
  ir::Node* conv2 = h->FindNode("conv");
  Tensor lo = conv2->qparams().at("requant.lo");
  lo.data<int32_t>()[0] = 127;
  Tensor hi = conv2->qparams().at("requant.hi");
  hi.data<int32_t>()[0] = -128;
  conv2->mutable_qparams()["requant.lo"] = lo;
  conv2->mutable_qparams()["requant.hi"] = hi;
  ExpectRejectedNaming(VerifyQuantizedGraph(*h, march::March::kBernoulli2),
                       "node 'conv' (FusedConv)", "invalid 'requant' quantization parameters");
}

TEST(VerifyQuantizedTest, RejectsDTypeTheMarchDoesNotAllow) {
  std::unique_ptr<ir::Graph> g = ConvertedGraph();
  // The add's output as int16: bayes allows it, bernoulli2 (int8 only) does not.
  ir::Value* y = g->FindNode("add")->output(0);
  y->mutable_type().dtype = DType::kInt16;
  y->mutable_type().quant->storage = DType::kInt16;
  EXPECT_TRUE(VerifyQuantizedGraph(*g, march::March::kBayes).ok());
  const absl::Status s = VerifyQuantizedGraph(*g, march::March::kBernoulli2);
  ExpectRejectedNaming(s, "node 'add' (Add)", "int16");
  EXPECT_TRUE(absl::StrContains(s.message(), "bernoulli2")) << s;
  // The check convert leaves out (its output does not follow the table's dtypes yet) and reports
  // as warnings instead.
  VerifyQuantizedOptions without_table;
  without_table.check_table_dtypes = false;
  EXPECT_TRUE(VerifyQuantizedGraph(*g, march::March::kBernoulli2, without_table).ok());
  EXPECT_TRUE(TableDTypeDeviations(*g, march::March::kBayes).empty());
  const std::vector<std::string> deviations = TableDTypeDeviations(*g, march::March::kBernoulli2);
  ASSERT_EQ(deviations.size(), 1u);
  EXPECT_TRUE(absl::StrContains(deviations[0], "node 'add' (Add)")) << deviations[0];
  EXPECT_TRUE(absl::StrContains(deviations[0], "int16")) << deviations[0];
}

TEST(VerifyQuantizedTest, RejectsFloatBetweenBpuNodes) {
  std::unique_ptr<ir::Graph> g = ConvertedGraph();
  // The conv's integer output read as float by the add, with no DequantizeLinear / QuantizeLinear.
  ir::Value* v = g->FindNode("conv")->output(0);
  ASSERT_EQ(g->FindNode("add")->input(0), v);
  v->mutable_type().dtype = DType::kFloat32;
  v->mutable_type().quant.reset();
  ExpectRejectedNaming(VerifyQuantizedGraph(*g, march::March::kBayes), "node 'add' (Add)",
                       "float32 value from node 'conv' (FusedConv)");
}

}  // namespace
}  // namespace openbpu::quantization
