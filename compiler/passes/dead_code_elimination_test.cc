// Dead code elimination: dead chains, unused constants, multi-output nodes
// with one live output, and idempotence.
#include "compiler/passes/dead_code_elimination.h"

#include <memory>
#include <string>

#include "compiler/frontend/graph_builder.h"
#include "gtest/gtest.h"

namespace openbpu::passes {
namespace {

using frontend::GraphBuilder;

TEST(DeadCodeEliminationTest, RemovesDeadChainsAndValues) {
  GraphBuilder b("g");
  ir::Value* x = b.Input("x", DType::kFloat32, {2, 4});
  ir::Value* unused_const = b.Constant(Tensor::FromVector<float>({4}, {1, 2, 3, 4}), "unused");
  ir::Value* dead = b.Op("Relu", {x}, {}, "dead_relu");
  b.Op("Sigmoid", {dead}, {}, "dead_sigmoid");
  // Split with one live output stays.
  std::vector<ir::Value*> halves =
      b.OpN("Split", {x}, 2, frontend::Attrs({{"axis", int64_t{1}}}), "split");
  b.Output(b.Op("Abs", {halves[0]}, {}, "abs"));
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  ASSERT_TRUE(g.ok()) << g.status();
  (void)unused_const;
  const std::string dead_name = dead->name();  // `dead` is freed by the pass

  absl::StatusOr<bool> changed = EliminateDeadCode(**g);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(*changed);
  EXPECT_EQ((*g)->nodes().size(), 2u);
  EXPECT_EQ((*g)->FindNode("dead_relu"), nullptr);
  EXPECT_EQ((*g)->FindNode("dead_sigmoid"), nullptr);
  EXPECT_NE((*g)->FindNode("split"), nullptr);
  EXPECT_EQ((*g)->FindValue("unused"), nullptr);
  EXPECT_EQ((*g)->FindValue(dead_name), nullptr);
  EXPECT_NE((*g)->FindValue("x"), nullptr);
  EXPECT_TRUE((*g)->Verify().ok());

  changed = EliminateDeadCode(**g);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
}

TEST(DeadCodeEliminationTest, KeepsUnusedGraphInputsAndPassThroughOutputs) {
  GraphBuilder b("g");
  ir::Value* x = b.Input("x", DType::kFloat32, {3});
  b.Input("unused_input", DType::kFloat32, {3});
  b.Output(x);
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  ASSERT_TRUE(g.ok());
  DeadCodeElimination dce;
  EXPECT_EQ(dce.name(), "dce");
  absl::StatusOr<bool> changed = dce.Run(**g);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  EXPECT_EQ((*g)->inputs().size(), 2u);
}

}  // namespace
}  // namespace openbpu::passes
