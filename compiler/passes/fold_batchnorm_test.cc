// BatchNorm folding: folded Conv matches Conv + BatchNormalization, with and
// without a conv bias; pairs that must stay apart.
#include "compiler/passes/fold_batchnorm.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

#include "compiler/frontend/graph_builder.h"
#include "compiler/passes/pass_pipeline.h"
#include "compiler/reference/float_interpreter.h"
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

ir::Value* BatchNorm(GraphBuilder& b, ir::Value* x, int64_t c, uint32_t seed) {
  return b.Op("BatchNormalization",
              {x, b.Constant(Random({c}, seed, 0.5f, 1.5f)), b.Constant(Random({c}, seed + 1)),
               b.Constant(Random({c}, seed + 2)), b.Constant(Random({c}, seed + 3, 0.5f, 2.f))},
              Attrs({{"epsilon", 1e-3f}}), "bn");
}

// conv(+bias) -> bn, plus (when `extra_user`) a second use of the conv output.
std::unique_ptr<ir::Graph> Build(bool bias, bool extra_user) {
  GraphBuilder b("g");
  ir::Value* x = b.Input("x", DType::kFloat32, {2, 3, 7, 7});
  std::vector<ir::Value*> in = {x, b.Constant(Random({5, 3, 3, 3}, 1), "w")};
  if (bias) in.push_back(b.Constant(Random({5}, 2), "b"));
  ir::Value* c = b.Op("Conv", in, Attrs({{"strides", std::vector<int64_t>{2, 2}}}), "conv");
  b.Output(b.Op("Relu", {BatchNorm(b, c, 5, 3)}, {}, "relu"));
  if (extra_user) b.Output(c);
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  EXPECT_TRUE(g.ok()) << g.status();
  return g.ok() ? *std::move(g) : nullptr;
}

TEST(FoldBatchNormTest, FoldedConvMatchesUnfolded) {
  const Tensor x = Random({2, 3, 7, 7}, 9);
  for (bool bias : {false, true}) {
    std::unique_ptr<ir::Graph> ref = Build(bias, false);
    std::unique_ptr<ir::Graph> g = Build(bias, false);
    absl::StatusOr<int> folded = FoldBatchNorms(*g);
    ASSERT_TRUE(folded.ok()) << folded.status();
    EXPECT_EQ(*folded, 1);
    ASSERT_EQ(g->nodes().size(), 2u);
    EXPECT_EQ(g->nodes()[0]->op(), "Conv");
    EXPECT_EQ(g->nodes()[0]->name(), "conv");
    EXPECT_EQ(g->nodes()[0]->num_inputs(), 3);
    EXPECT_EQ(g->nodes()[1]->op(), "Relu");
    EXPECT_TRUE(VerifyGraph(*g).ok());
    absl::StatusOr<std::vector<Tensor>> want = reference::RunFloat(*ref, {x});
    absl::StatusOr<std::vector<Tensor>> got = reference::RunFloat(*g, {x});
    ASSERT_TRUE(want.ok() && got.ok());
    double diff = 0, max_ref = 0;
    for (int64_t i = 0; i < (*want)[0].num_elements(); ++i) {
      diff = std::max(diff,
                      std::fabs(double((*got)[0].data<float>()[i]) - (*want)[0].data<float>()[i]));
      max_ref = std::max(max_ref, std::fabs(double((*want)[0].data<float>()[i])));
    }
    EXPECT_LE(diff, 1e-5 * max_ref) << "bias=" << bias;
  }
}

TEST(FoldBatchNormTest, ConvWithAnotherUserIsLeftAlone) {
  std::unique_ptr<ir::Graph> g = Build(true, true);
  FoldBatchNormPass pass;
  EXPECT_EQ(pass.name(), "fold-batchnorm");
  absl::StatusOr<bool> changed = pass.Run(*g);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  EXPECT_EQ(g->nodes().size(), 3u);
}

TEST(FoldBatchNormTest, ConvTransposeAndNonConstantScaleAreLeftAlone) {
  GraphBuilder b("g");
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 2, 4, 4});
  ir::Value* scale = b.Input("scale", DType::kFloat32, {2});
  ir::Value* ct = b.Op("ConvTranspose", {x, b.Constant(Random({2, 2, 3, 3}, 1))});
  b.Output(BatchNorm(b, ct, 2, 2));
  ir::Value* c = b.Op("Conv", {x, b.Constant(Random({2, 2, 1, 1}, 3))});
  b.Output(
      b.Op("BatchNormalization", {c, scale, b.Constant(Random({2}, 4)), b.Constant(Random({2}, 5)),
                                  b.Constant(Random({2}, 6, 1, 2))}));
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  ASSERT_TRUE(g.ok()) << g.status();
  absl::StatusOr<int> folded = FoldBatchNorms(**g);
  ASSERT_TRUE(folded.ok());
  EXPECT_EQ(*folded, 0);
  EXPECT_EQ((*g)->nodes().size(), 4u);
}

}  // namespace
}  // namespace openbpu::passes
