#include "compiler/ir/hbir.h"

#include "compiler/frontend/graph_builder.h"
#include "gtest/gtest.h"

namespace openbpu::ir {
namespace {

using frontend::Attrs;
using frontend::GraphBuilder;

std::unique_ptr<Graph> SampleGraph() {
  GraphBuilder b("sample");
  Value* x = b.Input("x", DType::kFloat32, {1, 4});
  Value* c = b.Constant(Tensor::FromVector<float>({4}, {0.5f, -1.f, 1e-30f, 3.f}), "bias");
  Value* y = b.Op("Add", {x, c}, {}, "add");
  Value* z = b.Op("Relu", {y}, {}, "relu");
  b.Output(z);
  absl::StatusOr<std::unique_ptr<Graph>> g = b.Build();
  EXPECT_TRUE(g.ok()) << g.status();
  // Attributes of every kind and quantization info must survive too.
  Node* relu = (*g)->FindNode("relu");
  relu->mutable_attrs() = Attrs({{"i", int64_t{-3}},
                                 {"f", 0.1f},
                                 {"s", std::string("nearest")},
                                 {"ints", std::vector<int64_t>{1, 2, 3}},
                                 {"floats", std::vector<float>{0.25f, 1e-7f}},
                                 {"strings", std::vector<std::string>{"a", ""}},
                                 {"t", Tensor::FromVector<int8_t>({2}, {-128, 127})}});
  relu->mutable_qparams().emplace("lut", Tensor::FromVector<int8_t>({3}, {-128, 0, 127}));
  relu->mutable_qparams().emplace("mult", Tensor::FromVector<int32_t>({1}, {1 << 30}));
  TensorType t = z->type();
  t.quant = QuantInfo{DType::kInt16, {0.0123f, 0.5f}, 1};
  z->set_type(t);
  return *std::move(g);
}

TEST(HbirTest, RoundTripIsExact) {
  std::unique_ptr<Graph> g = SampleGraph();
  hbir::Graph proto = ToProto(*g);
  absl::StatusOr<std::unique_ptr<Graph>> back = FromProto(proto);
  ASSERT_TRUE(back.ok()) << back.status();
  std::string a, b;
  ASSERT_TRUE(proto.SerializeToString(&a));
  ASSERT_TRUE(ToProto(**back).SerializeToString(&b));
  EXPECT_EQ(a, b);
  EXPECT_EQ(PrintGraph(*g), PrintGraph(**back));
  const Node* relu = (*back)->FindNode("relu");
  ASSERT_NE(relu, nullptr);
  EXPECT_EQ(relu->attrs(), g->FindNode("relu")->attrs());
  ASSERT_EQ(relu->qparams().size(), 2u);
  EXPECT_EQ(relu->qparams().at("lut"), g->FindNode("relu")->qparams().at("lut"));
  EXPECT_EQ(relu->qparams().at("mult"), g->FindNode("relu")->qparams().at("mult"));
  EXPECT_EQ((*back)->FindValue("bias")->constant(), g->FindValue("bias")->constant());
  EXPECT_EQ((*back)->outputs()[0]->type(), g->outputs()[0]->type());
}

TEST(HbirTest, FileRoundTrip) {
  std::unique_ptr<Graph> g = SampleGraph();
  const std::string path = ::testing::TempDir() + "/g.hbir";
  ASSERT_TRUE(SaveHbir(*g, path).ok());
  absl::StatusOr<std::unique_ptr<Graph>> back = LoadHbir(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(PrintGraph(*g), PrintGraph(**back));
}

TEST(HbirTest, PrintShowsTypesAttributesAndNames) {
  std::string text = PrintGraph(*SampleGraph());
  EXPECT_NE(text.find("%add_out0: float32[1,4] = Add(%x, %bias)  # add"), std::string::npos)
      << text;
  EXPECT_NE(text.find("s=\"nearest\""), std::string::npos) << text;
}

TEST(HbirTest, KeepsTheMarchAQuantizedGraphWasConvertedFor) {
  std::unique_ptr<Graph> g = SampleGraph();
  EXPECT_EQ(g->march(), "");
  g->set_march("bayes");
  absl::StatusOr<std::unique_ptr<Graph>> back = FromProto(ToProto(*g));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ((*back)->march(), "bayes");
  EXPECT_NE(PrintGraph(**back).find("# quantized for march bayes"), std::string::npos);
}

TEST(HbirTest, RejectsMalformedProtos) {
  hbir::Graph proto = ToProto(*SampleGraph());
  {
    hbir::Graph p = proto;
    p.set_hbir_version(99);
    absl::Status s = FromProto(p).status();
    EXPECT_NE(s.message().find("written by a newer OpenBPU"), std::string::npos) << s;
  }
  {
    // A file from before typed quantization parameters fails with the way out.
    hbir::Graph p = proto;
    p.set_hbir_version(1);
    absl::Status s = FromProto(p).status();
    EXPECT_NE(s.message().find("HBIR version 1 is not supported"), std::string::npos) << s;
    EXPECT_NE(s.message().find("re-run `bpu quantize`"), std::string::npos) << s;
  }
  {
    hbir::Graph p = proto;
    p.mutable_nodes(0)->set_inputs(0, "nope");
    absl::Status s = FromProto(p).status();
    EXPECT_NE(s.message().find("nope"), std::string::npos) << s;
  }
  {
    hbir::Graph p = proto;
    for (hbir::Value& v : *p.mutable_values()) {
      if (v.has_constant()) v.mutable_constant()->set_data("abc");
    }
    EXPECT_FALSE(FromProto(p).ok());
  }
  {
    hbir::Graph p = proto;
    for (hbir::Value& v : *p.mutable_values()) {
      if (v.has_constant()) v.mutable_constant()->add_shape(int64_t{1} << 40);
    }
    EXPECT_FALSE(FromProto(p).ok());
  }
  {
    hbir::Graph p = proto;
    p.mutable_values(0)->set_dtype("float128");
    EXPECT_FALSE(FromProto(p).ok());
  }
  EXPECT_FALSE(LoadHbir("/nonexistent.hbir").ok());
}

}  // namespace
}  // namespace openbpu::ir
