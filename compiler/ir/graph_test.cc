#include "compiler/ir/graph.h"

#include "compiler/ir/node_error.h"
#include "gtest/gtest.h"

namespace openbpu::ir {
namespace {

TEST(GraphTest, TopologicalSortReordersAndDetectsCycles) {
  Graph g("g");
  Value* x = *g.AddValue("x");
  Value* a = *g.AddValue("a");
  Value* b = *g.AddValue("b");
  g.AddInput(x);
  // Added out of order: n2 consumes n1's output.
  ASSERT_TRUE(g.AddNode("n2", "Relu", {a}, {b}).ok());
  ASSERT_TRUE(g.AddNode("n1", "Relu", {x}, {a}).ok());
  g.AddOutput(b);
  EXPECT_FALSE(g.Verify().ok());
  ASSERT_TRUE(g.TopologicalSort().ok());
  EXPECT_EQ(g.nodes()[0]->name(), "n1");
  EXPECT_TRUE(g.Verify().ok());

  Graph c("cyclic");
  Value* p = *c.AddValue("p");
  Value* q = *c.AddValue("q");
  ASSERT_TRUE(c.AddNode("m1", "Relu", {q}, {p}).ok());
  ASSERT_TRUE(c.AddNode("m2", "Relu", {p}, {q}).ok());
  absl::Status s = c.TopologicalSort();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("cycle"), std::string::npos) << s;
  EXPECT_NE(s.message().find("m1"), std::string::npos) << s;
}

TEST(GraphTest, RejectsDuplicatesAndDoubleDefinition) {
  Graph g;
  Value* x = *g.AddValue("x");
  EXPECT_EQ(g.AddValue("x").status().code(), absl::StatusCode::kAlreadyExists);
  Value* y = *g.AddValue("y");
  ASSERT_TRUE(g.AddNode("n", "Relu", {x}, {y}).ok());
  EXPECT_FALSE(g.AddNode("n", "Relu", {x}, {*g.AddValue("z")}).ok());
  EXPECT_FALSE(g.AddNode("n3", "Relu", {x}, {y}).ok()) << "y already has a producer";
}

TEST(GraphTest, VerifyNamesUndefinedInput) {
  Graph g;
  Value* x = *g.AddValue("x");
  Value* y = *g.AddValue("y");
  ASSERT_TRUE(g.AddNode("n", "Relu", {x}, {y}).ok());
  g.AddOutput(y);
  absl::Status s = g.Verify();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'x'"), std::string::npos) << s;
}

TEST(GraphTest, RemoveNodeAndDeadValues) {
  Graph g;
  Value* x = *g.AddValue("x");
  Value* y = *g.AddValue("y");
  g.AddInput(x);
  Node* n = *g.AddNode("n", "Relu", {x}, {y});
  EXPECT_EQ(g.Users(x).size(), 1u);
  g.RemoveNode(n);
  g.RemoveDeadValues();
  EXPECT_EQ(g.FindValue("y"), nullptr);
  EXPECT_NE(g.FindValue("x"), nullptr);
  EXPECT_TRUE(g.nodes().empty());
}

TEST(GraphTest, NodeErrorNamesTheNode) {
  Graph g;
  Value* x = *g.AddValue("x");
  Value* y = *g.AddValue("y");
  Node* n = *g.AddNode("conv1", "Conv", {x}, {y});
  EXPECT_EQ(NodeError(absl::StatusCode::kUnimplemented, *n, "dilation 3"),
            absl::UnimplementedError("node 'conv1' (Conv): dilation 3"));
  EXPECT_EQ(NodeError(*n, absl::OutOfRangeError("scale 0")),
            absl::OutOfRangeError("node 'conv1' (Conv): scale 0"));
  EXPECT_TRUE(NodeError(*n, absl::OkStatus()).ok());
}

}  // namespace
}  // namespace openbpu::ir
