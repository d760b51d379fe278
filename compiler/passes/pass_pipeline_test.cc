// PassPipeline: the verifier catches passes that break structure or types and
// names them; dump-after (callback, "*", directory), disable, unknown names.
#include "compiler/passes/pass_pipeline.h"

#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/passes/dead_code_elimination.h"
#include "compiler/passes/fold_batchnorm.h"
#include "compiler/passes/fusion.h"
#include "gtest/gtest.h"

namespace openbpu::passes {
namespace {

using frontend::Attrs;
using frontend::GraphBuilder;

Tensor Random(Shape shape, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t(DType::kFloat32, std::move(shape));
  for (float& v : t.span<float>()) v = dist(rng);
  return t;
}

// conv -> bn -> relu, plus a dead Sigmoid.
std::unique_ptr<ir::Graph> SampleGraph() {
  GraphBuilder b("sample");
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 2, 5, 5});
  ir::Value* c = b.Op("Conv", {x, b.Constant(Random({3, 2, 3, 3}, 1), "w")}, {}, "conv");
  ir::Value* bn = b.Op("BatchNormalization",
                       {c, b.Constant(Random({3}, 2, 0.5f, 1.5f)), b.Constant(Random({3}, 3)),
                        b.Constant(Random({3}, 4)), b.Constant(Random({3}, 5, 0.5f, 2.f))},
                       {}, "bn");
  b.Output(b.Op("Relu", {bn}, {}, "relu"));
  b.Op("Sigmoid", {x}, {}, "dead");
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  EXPECT_TRUE(g.ok()) << g.status();
  return *std::move(g);
}

int CountOp(const ir::Graph& g, const std::string& op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node->op() == op;
  return n;
}

// Deletes the first node: its output is then used but never defined.
class BreakStructurePass : public GraphPass {
 public:
  absl::string_view name() const override { return "break-structure"; }
  absl::StatusOr<bool> Run(ir::Graph& graph) override {
    graph.RemoveNode(graph.nodes().front().get());
    return true;
  }
};

// Records a wrong shape on the graph output.
class BreakTypesPass : public GraphPass {
 public:
  absl::string_view name() const override { return "break-types"; }
  absl::StatusOr<bool> Run(ir::Graph& graph) override {
    ir::TensorType t = graph.outputs()[0]->type();
    t.shape.push_back(2);
    graph.outputs()[0]->set_type(t);
    return true;
  }
};

class FailingPass : public GraphPass {
 public:
  absl::string_view name() const override { return "failing"; }
  absl::StatusOr<bool> Run(ir::Graph&) override { return absl::InternalError("boom"); }
};

TEST(PassPipelineTest, RunsPassesInOrder) {
  std::unique_ptr<ir::Graph> g = SampleGraph();
  PassPipeline pipeline("opt");
  pipeline.AddPass<FoldBatchNormPass>();
  FusePass& fuse = pipeline.AddPass<FusePass>();
  pipeline.AddPass(std::make_unique<DeadCodeElimination>());
  absl::StatusOr<bool> changed = pipeline.Run(*g);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(*changed);
  // BN folded first, so fusion sees conv+relu.
  EXPECT_EQ(fuse.report().ToString(), "{conv+relu: 1}");
  EXPECT_EQ(g->nodes().size(), 1u);
  EXPECT_EQ(g->nodes()[0]->op(), "FusedConv");
  // Nothing left to do.
  changed = pipeline.Run(*g);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
}

TEST(PassPipelineTest, VerifierNamesThePassThatBrokeStructure) {
  std::unique_ptr<ir::Graph> g = SampleGraph();
  PassPipeline pipeline("opt");
  pipeline.AddPass<DeadCodeElimination>();
  pipeline.AddPass<BreakStructurePass>();
  pipeline.AddPass<FusePass>();
  absl::StatusOr<bool> changed = pipeline.Run(*g);
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.status().message().find("pass 'break-structure'"), absl::string_view::npos)
      << changed.status();
  EXPECT_NE(changed.status().message().find("not a graph input, a constant or the output"),
            absl::string_view::npos)
      << changed.status();
  // The pipeline stopped: fusion did not run.
  EXPECT_EQ(CountOp(*g, "FusedConv"), 0);
}

TEST(PassPipelineTest, VerifierCatchesInconsistentTypes) {
  std::unique_ptr<ir::Graph> g = SampleGraph();
  PassPipeline pipeline("opt");
  pipeline.AddPass<BreakTypesPass>();
  absl::StatusOr<bool> changed = pipeline.Run(*g);
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.status().message().find("pass 'break-types'"), absl::string_view::npos)
      << changed.status();
  EXPECT_NE(changed.status().message().find("float32[1,3,3,3,2]"), absl::string_view::npos)
      << changed.status();
}

TEST(PassPipelineTest, PassErrorsNameThePass) {
  std::unique_ptr<ir::Graph> g = SampleGraph();
  PassPipeline pipeline("opt");
  pipeline.AddPass<FailingPass>();
  absl::StatusOr<bool> changed = pipeline.Run(*g);
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(changed.status().message().find("pass 'failing': boom"), absl::string_view::npos)
      << changed.status();
}

TEST(PassPipelineTest, PassErrorsUnprefixedWhenAsked) {
  std::unique_ptr<ir::Graph> g = SampleGraph();
  PassPipeline pipeline("opt");
  pipeline.SetPrefixPassErrors(false);
  pipeline.AddPass<FailingPass>();
  absl::StatusOr<bool> changed = pipeline.Run(*g);
  EXPECT_EQ(changed.status(), absl::InternalError("boom"));
}

TEST(PassPipelineTest, CustomVerifierRunsOnInputAndAfterEachPass) {
  std::unique_ptr<ir::Graph> g = SampleGraph();
  PassPipeline pipeline("opt");
  int runs = 0;
  // Structure only: the wrong output type of break-types goes through.
  pipeline.SetVerifier([&runs](ir::Graph& graph) {
    ++runs;
    return graph.Verify();
  });
  pipeline.AddPass<BreakTypesPass>();
  pipeline.AddPass<BreakStructurePass>();
  absl::StatusOr<bool> changed = pipeline.Run(*g);
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(runs, 3);
  EXPECT_NE(changed.status().message().find("pass 'break-structure' left an invalid graph"),
            absl::string_view::npos)
      << changed.status();
}

TEST(PassPipelineTest, DumpAfterNamedPassAndStar) {
  std::unique_ptr<ir::Graph> g = SampleGraph();
  PassPipeline pipeline("opt");
  pipeline.AddPass<FusePass>();
  pipeline.AddPass<DeadCodeElimination>();
  std::vector<std::pair<std::string, std::string>> dumps;
  pipeline.SetDumpCallback([&](absl::string_view pass, const std::string& text) {
    dumps.emplace_back(std::string(pass), text);
  });
  pipeline.DumpAfter("fuse");
  ASSERT_TRUE(pipeline.Run(*g).ok());
  ASSERT_EQ(dumps.size(), 1u);
  EXPECT_EQ(dumps[0].first, "fuse");
  EXPECT_NE(dumps[0].second.find("FusedConv("), std::string::npos) << dumps[0].second;
  EXPECT_NE(dumps[0].second.find("pattern=\"conv+bn+relu\""), std::string::npos) << dumps[0].second;
  // The dead Sigmoid is still there after fuse, gone after dce.
  EXPECT_NE(dumps[0].second.find("Sigmoid"), std::string::npos);

  std::unique_ptr<ir::Graph> g2 = SampleGraph();
  PassPipeline all("opt");
  all.AddPass<FusePass>();
  all.AddPass<DeadCodeElimination>();
  dumps.clear();
  all.SetDumpCallback([&](absl::string_view pass, const std::string& text) {
    dumps.emplace_back(std::string(pass), text);
  });
  all.DumpAfter("*");
  ASSERT_TRUE(all.Run(*g2).ok());
  ASSERT_EQ(dumps.size(), 2u);
  EXPECT_EQ(dumps[1].first, "dce");
  EXPECT_EQ(dumps[1].second.find("Sigmoid"), std::string::npos);
}

TEST(PassPipelineTest, DumpToDirectory) {
  std::unique_ptr<ir::Graph> g = SampleGraph();
  PassPipeline pipeline("opt");
  pipeline.AddPass<DeadCodeElimination>();
  pipeline.AddPass<FusePass>();
  pipeline.SetDumpDirectory(::testing::TempDir());
  pipeline.DumpAfter("fuse");
  ASSERT_TRUE(pipeline.Run(*g).ok());
  std::ifstream in(::testing::TempDir() + "/sample.02.fuse.txt");
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("graph sample("), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("FusedConv("), std::string::npos) << text.str();
}

TEST(PassPipelineTest, DisableSkipsThePass) {
  std::unique_ptr<ir::Graph> g = SampleGraph();
  PassPipeline pipeline("opt");
  pipeline.AddPass<FusePass>();
  pipeline.AddPass<BreakStructurePass>();
  pipeline.Disable("fuse");
  pipeline.Disable("break-structure");
  absl::StatusOr<bool> changed = pipeline.Run(*g);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_FALSE(*changed);
  EXPECT_EQ(CountOp(*g, "Conv"), 1);
  EXPECT_EQ(CountOp(*g, "FusedConv"), 0);
}

TEST(PassPipelineTest, UnknownNamesAreErrorsBeforeAnythingRuns) {
  for (bool dump : {true, false}) {
    std::unique_ptr<ir::Graph> g = SampleGraph();
    PassPipeline pipeline("opt");
    pipeline.AddPass<FusePass>();
    pipeline.SetDumpCallback([](absl::string_view, const std::string&) {});
    if (dump) {
      pipeline.DumpAfter("fusee");
    } else {
      pipeline.Disable("fusee");
    }
    absl::StatusOr<bool> changed = pipeline.Run(*g);
    ASSERT_FALSE(changed.ok());
    EXPECT_EQ(changed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(changed.status().message().find("unknown pass 'fusee' (passes: fuse)"),
              absl::string_view::npos)
        << changed.status();
    EXPECT_EQ(CountOp(*g, "FusedConv"), 0);
  }
}

TEST(PassPipelineTest, DumpWithoutSinkIsAnError) {
  std::unique_ptr<ir::Graph> g = SampleGraph();
  PassPipeline pipeline("opt");
  pipeline.AddPass<FusePass>();
  pipeline.DumpAfter("fuse");
  absl::StatusOr<bool> changed = pipeline.Run(*g);
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.status().message().find("SetDumpCallback"), absl::string_view::npos);
}

TEST(PassPipelineTest, InvalidInputGraphIsReported) {
  std::unique_ptr<ir::Graph> g = SampleGraph();
  g->RemoveNode(g->FindNode("conv"));
  PassPipeline pipeline("opt");
  pipeline.AddPass<FusePass>();
  absl::StatusOr<bool> changed = pipeline.Run(*g);
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.status().message().find("invalid input graph"), absl::string_view::npos);
}

TEST(VerifyGraphTest, FillsMissingTypes) {
  std::unique_ptr<ir::Graph> g = SampleGraph();
  g->FindValue(g->FindNode("relu")->output(0)->name())->set_type({});
  ASSERT_TRUE(VerifyGraph(*g).ok());
  EXPECT_EQ(g->outputs()[0]->type().shape, (Shape{1, 3, 3, 3}));
}

}  // namespace
}  // namespace openbpu::passes
