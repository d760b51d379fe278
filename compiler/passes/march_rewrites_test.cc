// March rewrites (march_rewrites.h): each rewrite happens where the march's op table needs it and
// not elsewhere, and the rewritten float graph computes what the original did (exactly for the
// data movement and max chains, to float rounding for average chains).
#include "compiler/passes/march_rewrites.h"

#include <cmath>
#include <random>

#include "compiler/frontend/graph_builder.h"
#include "compiler/reference/float_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::passes {
namespace {

using frontend::Attrs;
using frontend::GraphBuilder;

Tensor Random(Shape shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  Tensor t(DType::kFloat32, std::move(shape));
  for (float& v : t.span<float>()) v = dist(rng);
  return t;
}

int Count(const ir::Graph& g, const std::string& op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node->op() == op;
  return n;
}

// Runs the graph before and after RewriteForMarch; returns the rewrite lines and the largest
// relative difference of the output.
struct Outcome {
  std::vector<std::string> rewrites;
  double max_rel = 0;
  std::unique_ptr<ir::Graph> graph;
};

Outcome Rewrite(std::unique_ptr<ir::Graph> g, march::March m, const Tensor& x) {
  Outcome o;
  absl::StatusOr<std::vector<Tensor>> before = reference::RunFloat(*g, {x});
  EXPECT_TRUE(before.ok()) << before.status();
  absl::StatusOr<std::vector<std::string>> done = RewriteForMarch(*g, m);
  EXPECT_TRUE(done.ok()) << done.status();
  if (done.ok()) o.rewrites = *done;
  absl::StatusOr<std::vector<Tensor>> after = reference::RunFloat(*g, {x});
  EXPECT_TRUE(after.ok()) << after.status();
  if (before.ok() && after.ok()) {
    const Tensor& a = (*before)[0];
    const Tensor& b = (*after)[0];
    EXPECT_EQ(a.shape(), b.shape());
    for (int64_t i = 0; i < a.num_elements() && a.shape() == b.shape(); ++i) {
      const double d = std::fabs(a.data<float>()[i] - b.data<float>()[i]);
      const double s = std::max(std::fabs(a.data<float>()[i]), 1e-6f);
      o.max_rel = std::max(o.max_rel, d / s);
    }
  }
  o.graph = std::move(g);
  return o;
}

std::unique_ptr<ir::Graph> ShuffleGraph() {
  GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 8, 4, 4});
  ir::Value* split =
      b.Op("Reshape", {x, b.Constant(Tensor::FromVector<int64_t>({5}, {1, 2, 4, 4, 4}))}, {},
           "/stage2/Reshape");
  ir::Value* t = b.Op("Transpose", {split}, Attrs({{"perm", std::vector<int64_t>{0, 2, 1, 3, 4}}}),
                      "/stage2/Transpose");
  ir::Value* y = b.Op("Reshape", {t, b.Constant(Tensor::FromVector<int64_t>({4}, {1, 8, 4, 4}))},
                      {}, "/stage2/Reshape_1");
  b.Output(b.Op("Relu", {y}, {}, "relu"));
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build(/*fold_constants=*/false);
  EXPECT_TRUE(g.ok()) << g.status();
  return *std::move(g);
}

TEST(MarchRewrites, ChannelShuffleOnBernoulli2) {
  Outcome o = Rewrite(ShuffleGraph(), march::March::kBernoulli2, Random({1, 8, 4, 4}, 1));
  ASSERT_EQ(o.rewrites.size(), 1u);
  EXPECT_NE(o.rewrites[0].find("ChannelShuffle group=2"), std::string::npos) << o.rewrites[0];
  EXPECT_EQ(Count(*o.graph, "ChannelShuffle"), 1);
  EXPECT_EQ(Count(*o.graph, "Transpose"), 0);
  EXPECT_EQ(Count(*o.graph, "Reshape"), 0);
  EXPECT_EQ(o.max_rel, 0.0);  // the same elements move
}

TEST(MarchRewrites, ChannelShuffleStaysWhereTransposeRuns) {
  Outcome o = Rewrite(ShuffleGraph(), march::March::kBayes, Random({1, 8, 4, 4}, 1));
  EXPECT_TRUE(o.rewrites.empty());
  EXPECT_EQ(Count(*o.graph, "Transpose"), 1);
}

// A transpose that is not a channel shuffle (another perm) stays.
TEST(MarchRewrites, OtherTransposeStays) {
  GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 8, 4, 4});
  ir::Value* split =
      b.Op("Reshape", {x, b.Constant(Tensor::FromVector<int64_t>({5}, {1, 2, 4, 4, 4}))});
  ir::Value* t = b.Op("Transpose", {split}, Attrs({{"perm", std::vector<int64_t>{0, 1, 2, 4, 3}}}));
  b.Output(b.Op("Reshape", {t, b.Constant(Tensor::FromVector<int64_t>({4}, {1, 8, 4, 4}))}));
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build(false);
  ASSERT_TRUE(g.ok()) << g.status();
  Outcome o = Rewrite(*std::move(g), march::March::kBernoulli2, Random({1, 8, 4, 4}, 2));
  EXPECT_TRUE(o.rewrites.empty());
  EXPECT_EQ(Count(*o.graph, "Transpose"), 1);
}

std::unique_ptr<ir::Graph> PoolGraph(const std::string& op, Shape in, int64_t k) {
  GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, in);
  ir::AttributeMap attrs;
  if (k > 0) {
    attrs = Attrs(
        {{"kernel_shape", std::vector<int64_t>{k, k}}, {"strides", std::vector<int64_t>{k, k}}});
  }
  b.Output(b.Op(op, {x}, attrs, "pool"));
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build(false);
  EXPECT_TRUE(g.ok()) << g.status();
  return *std::move(g);
}

// bernoulli2 AvgPool2d: kernel <= 7. Kernel 14 -> 7x7 then 2x2.
TEST(MarchRewrites, AveragePoolChainOnBernoulli2) {
  Outcome o = Rewrite(PoolGraph("AveragePool", {1, 4, 28, 28}, 14), march::March::kBernoulli2,
                      Random({1, 4, 28, 28}, 3));
  ASSERT_EQ(o.rewrites.size(), 1u);
  EXPECT_NE(o.rewrites[0].find("chain 7x7, 2x2"), std::string::npos) << o.rewrites[0];
  EXPECT_EQ(Count(*o.graph, "AveragePool"), 2);
  EXPECT_LT(o.max_rel, 1e-5);
  // bayes allows kernel 256: nothing to do.
  Outcome bayes = Rewrite(PoolGraph("AveragePool", {1, 4, 28, 28}, 14), march::March::kBayes,
                          Random({1, 4, 28, 28}, 3));
  EXPECT_TRUE(bayes.rewrites.empty());
}

// A global average pool over 56x56 (an EfficientNet squeeze-and-excitation at 224) -> 7, 4, 2.
TEST(MarchRewrites, GlobalAveragePoolChain) {
  Outcome o = Rewrite(PoolGraph("GlobalAveragePool", {1, 3, 56, 56}, 0), march::March::kBernoulli2,
                      Random({1, 3, 56, 56}, 4));
  ASSERT_EQ(o.rewrites.size(), 1u);
  EXPECT_NE(o.rewrites[0].find("chain 7x7, 4x4, 2x2"), std::string::npos) << o.rewrites[0];
  EXPECT_EQ(Count(*o.graph, "GlobalAveragePool"), 0);
  EXPECT_LT(o.max_rel, 1e-5);
}

// bernoulli2 MaxPool2d: kernel <= 64. A global max over 128x128 -> 64x64 then 2x2, exactly.
TEST(MarchRewrites, GlobalMaxPoolChainIsExact) {
  Outcome o = Rewrite(PoolGraph("GlobalMaxPool", {1, 2, 128, 128}, 0), march::March::kBernoulli2,
                      Random({1, 2, 128, 128}, 5));
  ASSERT_EQ(o.rewrites.size(), 1u);
  EXPECT_EQ(Count(*o.graph, "MaxPool"), 2);
  EXPECT_EQ(o.max_rel, 0.0);
}

// Kernel 11 has no factors within 7: the pool stays (the --hybrid or compile-error path).
TEST(MarchRewrites, PrimeKernelStays) {
  Outcome o = Rewrite(PoolGraph("AveragePool", {1, 2, 22, 22}, 11), march::March::kBernoulli2,
                      Random({1, 2, 22, 22}, 6));
  EXPECT_TRUE(o.rewrites.empty());
  EXPECT_EQ(Count(*o.graph, "AveragePool"), 1);
}

}  // namespace
}  // namespace openbpu::passes
