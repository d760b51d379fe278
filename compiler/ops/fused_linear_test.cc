// FusedLinear: hand-computed act(x W^T + b + sumin), agreement with the unfused
// Gemm/MatMul graphs for 2-D and 3-D inputs, and rejected activations and shapes.
#include <memory>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "compiler/reference/float_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

absl::StatusOr<Tensor> RunFusedLinear(const Tensor& x, const Tensor& w, const Tensor& b,
                                      const Tensor* sumin, ir::AttributeMap attrs) {
  std::vector<Arg> args = {In(x), Const(w), Const(b)};
  if (sumin != nullptr) args.push_back(In(*sumin));
  return FirstOutput(RunOp("FusedLinear", std::move(args), std::move(attrs)));
}

TEST(FusedLinearTest, HandComputed) {
  // x [1,2], W [3,2]: y = [x0 + x1, x0 - x1, 2 x0] + b + s, relu6.
  const Tensor x = F({1, 2}, {3, 1});
  const Tensor s = F({1, 3}, {1, -5, 0});
  absl::StatusOr<Tensor> y = RunFusedLinear(
      x, F({3, 2}, {1, 1, 1, -1, 2, 0}), F({3}, {0.5f, 0, 1}), &s,
      Attrs({{"activation", std::string("relu6")}, {"pattern", std::string("linear+add+relu")}}));
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), (Shape{1, 3}));
  EXPECT_EQ(y->ToFloatVector(), (std::vector<float>{5.5f, 0.f, 6.f}));
}

TEST(FusedLinearTest, MatchesGemmAddRelu) {
  const Tensor x = Random({5, 9}, 1);
  const Tensor w = Random({7, 9}, 2);
  const Tensor b = Random({7}, 3);
  const Tensor s = Random({5, 7}, 4);
  frontend::GraphBuilder builder;
  ir::Value* xv = builder.Input("x", DType::kFloat32, x.shape());
  ir::Value* sv = builder.Input("s", DType::kFloat32, s.shape());
  ir::Value* gemm = builder.Op("Gemm", {xv, builder.Constant(w, "w"), builder.Constant(b, "b")},
                               Attrs({{"transB", int64_t{1}}}));
  builder.Output(builder.Op("Relu", {builder.Op("Add", {gemm, sv})}));
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = builder.Build();
  ASSERT_TRUE(g.ok()) << g.status();
  absl::StatusOr<std::vector<Tensor>> want = reference::RunFloat(**g, {x, s});
  ASSERT_TRUE(want.ok()) << want.status();
  absl::StatusOr<Tensor> got =
      RunFusedLinear(x, w, b, &s, Attrs({{"activation", std::string("relu")}}));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, (*want)[0]);
}

TEST(FusedLinearTest, ThreeDimensionalInputMatchesMatMulAdd) {
  const Tensor x = Random({2, 3, 4}, 5);
  const Tensor w = Random({6, 4}, 6);
  const Tensor b = Random({6}, 7);
  Tensor wt(DType::kFloat32, {4, 6});
  for (int o = 0; o < 6; ++o) {
    for (int i = 0; i < 4; ++i) wt.data<float>()[i * 6 + o] = w.data<float>()[o * 4 + i];
  }
  frontend::GraphBuilder builder;
  ir::Value* xv = builder.Input("x", DType::kFloat32, x.shape());
  ir::Value* mm = builder.Op("MatMul", {xv, builder.Constant(wt, "wt")});
  builder.Output(builder.Op("Add", {mm, builder.Constant(b, "b")}));
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = builder.Build();
  ASSERT_TRUE(g.ok()) << g.status();
  absl::StatusOr<std::vector<Tensor>> want = reference::RunFloat(**g, {x});
  ASSERT_TRUE(want.ok()) << want.status();
  absl::StatusOr<Tensor> got = RunFusedLinear(x, w, b, nullptr, {});
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->shape(), (Shape{2, 3, 6}));
  for (int64_t i = 0; i < got->num_elements(); ++i) {
    EXPECT_NEAR(got->data<float>()[i], (*want)[0].data<float>()[i], 1e-5f) << i;
  }
}

TEST(FusedLinearTest, RejectsUnknownActivationAndBadShapes) {
  const Tensor x = F({1, 2}, {1, 2});
  const Tensor w = F({1, 2}, {1, 1});
  absl::StatusOr<Tensor> y =
      RunFusedLinear(x, w, F({1}, {0}), nullptr, Attrs({{"activation", std::string("gelu")}}));
  ASSERT_FALSE(y.ok());
  EXPECT_EQ(y.status().code(), absl::StatusCode::kUnimplemented);
  y = RunFusedLinear(x, F({1, 3}, {1, 1, 1}), F({1}, {0}), nullptr, {});
  ASSERT_FALSE(y.ok());
  EXPECT_EQ(y.status().code(), absl::StatusCode::kInvalidArgument);
  y = RunFusedLinear(x, w, F({2}, {0, 0}), nullptr, {});
  ASSERT_FALSE(y.ok());
  const Tensor s = F({2, 1}, {0, 0});
  y = RunFusedLinear(x, w, F({1}, {0}), &s, {});
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("sumin"), absl::string_view::npos);
}

}  // namespace
}  // namespace openbpu::ops
