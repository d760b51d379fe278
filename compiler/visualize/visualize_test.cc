#include "compiler/visualize/visualize.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "compiler/frontend/graph_builder.h"
#include "gtest/gtest.h"

namespace openbpu::visualize {
namespace {

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

// The characters of each <text> element (an XML entity counts as one).
std::vector<int> TextLengths(const std::string& svg) {
  std::vector<int> lengths;
  for (size_t pos = svg.find("<text"); pos != std::string::npos; pos = svg.find("<text", pos + 1)) {
    const size_t start = svg.find('>', pos) + 1, end = svg.find("</text>", start);
    int n = 0;
    for (size_t i = start; i < end; ++i) {
      if (svg[i] == '&') i = svg.find(';', i);
      n += (static_cast<unsigned char>(svg[i]) & 0xC0) != 0x80;
    }
    lengths.push_back(n);
  }
  return lengths;
}

// x -> Relu -> Transpose (not on bernoulli2's BPU) -> Relu (a very long name).
std::unique_ptr<ir::Graph> SmallGraph() {
  frontend::GraphBuilder b("small");
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 4, 8, 8});
  ir::Value* r = b.Op("Relu", {x}, {}, "relu1");
  ir::Value* t = b.Op("Transpose", {r},
                      frontend::Attrs({{"perm", std::vector<int64_t>{0, 2, 3, 1}}}), "transpose");
  ir::Value* y = b.Op("Relu", {t}, {}, std::string(150, 'n'));
  b.Output(y);
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  EXPECT_TRUE(g.ok()) << g.status();
  return *std::move(g);
}

TEST(VisualizeTest, LabelsAreBounded) {
  EXPECT_EQ(TruncateLine("short"), "short");
  const std::string cut = TruncateLine(std::string(100, 'a'));
  EXPECT_EQ(cut.size(), static_cast<size_t>(kMaxLineChars));
  EXPECT_EQ(cut.substr(cut.size() - 3), "...");
  std::vector<std::string> lines = BoundLabel(std::vector<std::string>(10, "x"));
  ASSERT_EQ(lines.size(), static_cast<size_t>(kMaxLines));
  EXPECT_EQ(lines.back(), "...");
  ir::TensorType t{DType::kInt8, {1, 64}, ir::QuantInfo{DType::kInt8, {0.5f, 0.25f, 1, 2}, 1}};
  EXPECT_EQ(TypeLine(t), "int8[1,64] s=[0.5,0.25,1,...](4)");
}

TEST(VisualizeTest, PlacesByTheMarchTable) {
  std::unique_ptr<ir::Graph> g = SmallGraph();
  absl::StatusOr<VizGraph> viz = FromGraph(*g, {.march = "bernoulli2", .layer_us = {}});
  ASSERT_TRUE(viz.ok()) << viz.status();
  ASSERT_EQ(viz->nodes.size(), 3u);
  EXPECT_EQ(viz->nodes[0].placement, Placement::kBpu);
  EXPECT_EQ(viz->nodes[1].placement, Placement::kCpu);
  EXPECT_EQ(viz->edges.size(), 2u);
  absl::StatusOr<VizGraph> none = FromGraph(*g);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->nodes[0].placement, Placement::kUnplaced);
  EXPECT_FALSE(FromGraph(*g, {.march = "pentium", .layer_us = {}}).ok());
}

TEST(VisualizeTest, RendersOneSvgNodePerGraphNode) {
  std::unique_ptr<ir::Graph> g = SmallGraph();
  absl::StatusOr<VizGraph> viz =
      FromGraph(*g, {.march = "bernoulli2", .layer_us = {{"relu1", 1.5}}});
  ASSERT_TRUE(viz.ok());
  const std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/small.svg");
  ASSERT_TRUE(Render(*viz, path).ok());
  std::ifstream in(path);
  const std::string svg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(Count(svg, "class=\"node\""), 3);
  EXPECT_EQ(Count(svg, "class=\"edge\""), 2);
  EXPECT_EQ(Count(svg, absl::StrCat("fill=\"", FillColor(Placement::kBpu), "\"")), 2);
  EXPECT_EQ(Count(svg, absl::StrCat("fill=\"", FillColor(Placement::kCpu), "\"")), 1);
  EXPECT_NE(svg.find("modeled 1.50 us"), std::string::npos);
  for (int n : TextLengths(svg)) EXPECT_LE(n, kMaxLineChars);
  EXPECT_NE(svg.find(std::string(kMaxLineChars - 3, 'n') + "..."), std::string::npos);
}

// A hybrid .hbm model: bpu0 (conv -> relu -> add, the add reading the conv's output too), then
// cpu1 (a Softmax of the add's output).
hbm::Model HybridHbm() {
  hbm::Model m;
  m.set_name("tiny");
  hbm::Segment* s0 = m.add_segments();
  s0->set_name("bpu0");
  hbm::Model* bpu = s0->mutable_bpu();
  for (const char* name : {"conv", "relu", "add"}) {
    hbm::Layer* l = bpu->add_layers();
    l->set_name(name);
    l->add_ops(name);
  }
  auto buffer = [&](const char* name, const char* region, int first, int last) {
    hbm::Buffer* b = bpu->mutable_memory_plan()->add_buffers();
    b->set_name(name);
    b->set_region(region);
    b->set_first_layer(first);
    b->set_last_layer(last);
  };
  buffer("x", "input", 0, 0);
  buffer("conv_out", "scratch", 0, 2);
  buffer("relu_out", "scratch", 1, 2);
  buffer("add_out", "output", 2, 2);
  hbm::TensorDesc* out = bpu->add_outputs();
  out->set_name("add_out:float");
  out->set_value("add_out");
  out->set_dtype(hbm::TensorDesc::INT8);
  out->add_valid_shape(1);
  out->add_valid_shape(10);
  out->set_quant_type(hbm::TensorDesc::SCALE);
  out->add_scales(0.25f);
  hbm::Segment* s1 = m.add_segments();
  s1->set_name("cpu1");
  hbm::CpuNode* node = s1->mutable_cpu()->add_nodes();
  node->set_name("softmax");
  node->set_op("Softmax");
  node->add_inputs("add_out");
  node->add_outputs("y");
  return m;
}

TEST(VisualizeTest, DrawsACompiledHybridModel) {
  absl::StatusOr<VizGraph> viz = FromHbmModel(HybridHbm(), {{"relu", 2.0}});
  ASSERT_TRUE(viz.ok()) << viz.status();
  ASSERT_EQ(viz->nodes.size(), 4u);
  EXPECT_EQ(viz->bpu_nodes, 3);
  EXPECT_EQ(viz->cpu_nodes, 1);
  EXPECT_EQ(viz->nodes[3].placement, Placement::kCpu);
  EXPECT_EQ(viz->nodes[2].label[2], "int8[1,10] s=0.25");
  EXPECT_EQ(viz->nodes[1].label.back(), "modeled 2.00 us");
  // conv -> add (memory plan), relu -> add, add -> softmax; relu reached by run order only.
  ASSERT_EQ(viz->edges.size(), 4u);
  int dashed = 0;
  for (const VizEdge& e : viz->edges) dashed += e.dashed;
  EXPECT_EQ(dashed, 1);
  absl::StatusOr<std::string> svg = RenderToString(*viz, "svg");
  ASSERT_TRUE(svg.ok());
  EXPECT_EQ(Count(*svg, "class=\"node\""), 4);
  // A memory plan naming a layer the segment lacks is an error, not a crash.
  hbm::Model bad = HybridHbm();
  bad.mutable_segments(0)->mutable_bpu()->mutable_memory_plan()->mutable_buffers(1)->set_last_layer(
      7);
  EXPECT_FALSE(FromHbmModel(bad).ok());
}

TEST(VisualizeTest, BadOutputsAreErrors) {
  std::unique_ptr<ir::Graph> g = SmallGraph();
  absl::StatusOr<VizGraph> viz = FromGraph(*g);
  ASSERT_TRUE(viz.ok());
  absl::Status s = Render(*viz, absl::StrCat(std::getenv("TEST_TMPDIR"), "/x.jpeg"));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(".svg, .png"), absl::string_view::npos) << s;
  s = Render(*viz, "/nonexistent/dir/x.svg");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot write '/nonexistent/dir/x.svg'"), absl::string_view::npos);
  viz->edges.push_back({"relu1", "nowhere", ""});
  EXPECT_FALSE(RenderToString(*viz, "svg").ok());
}

TEST(VisualizeTest, RendersPng) {
  std::unique_ptr<ir::Graph> g = SmallGraph();
  absl::StatusOr<VizGraph> viz = FromGraph(*g);
  ASSERT_TRUE(viz.ok());
  absl::StatusOr<std::string> png = RenderToString(*viz, "png");
  ASSERT_TRUE(png.ok()) << png.status();
  EXPECT_EQ(png->substr(1, 3), "PNG");
}

}  // namespace
}  // namespace openbpu::visualize
