// FusedConv: hand-computed act(conv + b + sumin), agreement with the unfused
// Conv/Add/Relu/Clip graph, and rejected activations and shapes.
#include <memory>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "compiler/reference/float_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

// x (and sumin, if given) are graph inputs; w and b constants.
absl::StatusOr<Tensor> RunFusedConv(const Tensor& x, const Tensor& w, const Tensor& b,
                                    const Tensor* sumin, ir::AttributeMap attrs) {
  std::vector<Arg> args = {In(x), Const(w), Const(b)};
  if (sumin != nullptr) args.push_back(In(*sumin));
  return FirstOutput(RunOp("FusedConv", std::move(args), std::move(attrs)));
}

TEST(FusedConvTest, HandComputedSuminAndRelu) {
  // 1x1 conv, 2 in -> 1 out: y = x0 + 2 x1 - 1 + s, then relu.
  const Tensor x = F({1, 2, 1, 3}, {1, 2, 3, 0, -1, -2});
  const Tensor s = F({1, 1, 1, 3}, {0.5f, 0.f, 10.f});
  absl::StatusOr<Tensor> y = RunFusedConv(
      x, F({1, 2, 1, 1}, {1, 2}), F({1}, {-1}), &s,
      Attrs({{"activation", std::string("relu")}, {"pattern", std::string("conv+add+relu")}}));
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), (Shape{1, 1, 1, 3}));
  EXPECT_EQ(y->ToFloatVector(), (std::vector<float>{0.5f, 0.f, 8.f}));
}

TEST(FusedConvTest, Relu6ClampsAtSix) {
  const Tensor x = F({1, 1, 1, 3}, {-3, 2, 9});
  absl::StatusOr<Tensor> y = RunFusedConv(x, F({1, 1, 1, 1}, {1}), F({1}, {0}), nullptr,
                                          Attrs({{"activation", std::string("relu6")}}));
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->ToFloatVector(), (std::vector<float>{0, 2, 6}));
}

TEST(FusedConvTest, MatchesUnfusedGraph) {
  const Tensor x = Random({2, 4, 7, 6}, 1);
  const Tensor w = Random({6, 2, 3, 3}, 2);
  const Tensor b = Random({6}, 3);
  const Tensor s = Random({2, 6, 4, 3}, 4);
  const ir::AttributeMap conv_attrs = Attrs({{"group", int64_t{2}},
                                             {"pads", std::vector<int64_t>{1, 1, 1, 1}},
                                             {"strides", std::vector<int64_t>{2, 2}}});
  frontend::GraphBuilder builder;
  ir::Value* xv = builder.Input("x", DType::kFloat32, x.shape());
  ir::Value* sv = builder.Input("s", DType::kFloat32, s.shape());
  ir::Value* conv =
      builder.Op("Conv", {xv, builder.Constant(w, "w"), builder.Constant(b, "b")}, conv_attrs);
  ir::Value* lo = builder.Constant(Tensor::Scalar<float>(0.f), "lo");
  ir::Value* hi = builder.Constant(Tensor::Scalar<float>(6.f), "hi");
  builder.Output(builder.Op("Clip", {builder.Op("Add", {conv, sv}), lo, hi}));
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = builder.Build();
  ASSERT_TRUE(g.ok()) << g.status();
  absl::StatusOr<std::vector<Tensor>> want = reference::RunFloat(**g, {x, s});
  ASSERT_TRUE(want.ok()) << want.status();

  ir::AttributeMap attrs = conv_attrs;
  attrs.Set("activation", std::string("relu6"));
  absl::StatusOr<Tensor> got = RunFusedConv(x, w, b, &s, attrs);
  ASSERT_TRUE(got.ok()) << got.status();
  // Same kernel, same order of additions: bit-identical.
  EXPECT_EQ(*got, (*want)[0]);
}

TEST(FusedConvTest, RejectsUnknownActivation) {
  absl::StatusOr<Tensor> y = RunFusedConv(F({1, 1, 1, 1}, {1}), F({1, 1, 1, 1}, {1}), F({1}, {0}),
                                          nullptr, Attrs({{"activation", std::string("sigmoid")}}));
  ASSERT_FALSE(y.ok());
  EXPECT_EQ(y.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(y.status().message().find("activation"), absl::string_view::npos);
}

TEST(FusedConvTest, RejectsBadBiasAndSuminShapes) {
  const Tensor x = F({1, 1, 1, 2}, {1, 2});
  const Tensor w = F({1, 1, 1, 1}, {1});
  absl::StatusOr<Tensor> y = RunFusedConv(x, w, F({2}, {0, 0}), nullptr, {});
  ASSERT_FALSE(y.ok());
  EXPECT_EQ(y.status().code(), absl::StatusCode::kInvalidArgument);
  const Tensor s = F({1, 1, 2, 1}, {0, 0});
  y = RunFusedConv(x, w, F({1}, {0}), &s, {});
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("sumin"), absl::string_view::npos);
}

}  // namespace
}  // namespace openbpu::ops
