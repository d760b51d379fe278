// Fusion: every conv and linear pattern on random data against the unfused
// float graph, chains that must not fuse, greedy choice between competing
// chains, and FuseModules with valid and invalid groups.
#include "compiler/passes/fusion.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/ir/hbir.h"
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

// max |a - b| / max |b|.
double RelErr(const Tensor& a, const Tensor& b) {
  double diff = 0, ref = 0;
  for (int64_t i = 0; i < b.num_elements(); ++i) {
    const double d = std::fabs(double(a.data<float>()[i]) - b.data<float>()[i]);
    diff = std::isnan(d) ? INFINITY : std::max(diff, d);
    ref = std::max(ref, std::fabs(double(b.data<float>()[i])));
  }
  return ref == 0 ? diff : diff / ref;
}

ir::Value* BatchNorm(GraphBuilder& b, ir::Value* x, int64_t c, uint32_t seed,
                     const std::string& name = "bn") {
  return b.Op("BatchNormalization",
              {x, b.Constant(Random({c}, seed, 0.5f, 1.5f), name + ".scale"),
               b.Constant(Random({c}, seed + 1), name + ".bias"),
               b.Constant(Random({c}, seed + 2), name + ".mean"),
               b.Constant(Random({c}, seed + 3, 0.5f, 2.f), name + ".var")},
              Attrs({{"epsilon", 1e-3f}}), name);
}

ir::Value* Relu6(GraphBuilder& b, ir::Value* x, const std::string& name = "relu6") {
  return b.Op("Clip",
              {x, b.Constant(Tensor::Scalar<float>(0.f), "zero"),
               b.Constant(Tensor::Scalar<float>(6.f), "six")},
              {}, name);
}

ir::Value* Conv(GraphBuilder& b, ir::Value* x, int64_t in, int64_t out, uint32_t seed,
                bool bias = true, const std::string& name = "conv") {
  std::vector<ir::Value*> inputs = {
      x, b.Constant(Random({out, in / 2, 3, 3}, seed, -.5f, .5f), name + ".weight")};
  if (bias) inputs.push_back(b.Constant(Random({out}, seed + 1), name + ".bias"));
  return b.Op("Conv", inputs,
              Attrs({{"group", int64_t{2}}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}}), name);
}

// One pattern case: core "conv", "gemm" (transB 0), "gemm_t" (transB 1) or
// "matmul"; act "", "relu" or "relu6".
struct PatternCase {
  std::string core;
  bool bn;
  bool add;
  std::string act;

  bool linear() const { return core != "conv"; }
  std::string Pattern() const {
    return absl::StrCat(linear() ? "linear" : "conv", bn ? "+bn" : "", add ? "+add" : "",
                        act.empty() ? "" : "+relu");
  }
  std::string Name() const {
    std::string n = absl::StrCat(core, "_", Pattern(), act == "relu6" ? "6" : "");
    std::replace(n.begin(), n.end(), '+', '_');
    return n;
  }
};

struct Built {
  std::unique_ptr<ir::Graph> graph;
  std::vector<Tensor> inputs;
};

Built BuildCase(const PatternCase& c) {
  GraphBuilder b("pattern");
  Built out;
  ir::Value* y = nullptr;
  Shape shape;
  if (c.core == "conv") {
    const Shape xs = {2, 4, 9, 8};
    ir::Value* x = b.Input("x", DType::kFloat32, xs);
    out.inputs.push_back(Random(xs, 1));
    // Without BN the conv keeps its own bias; with BN it has none (fusion adds it).
    y = Conv(b, x, 4, 6, 10, /*bias=*/!c.bn);
    shape = {2, 6, 9, 8};
  } else {
    // BatchNormalization folds only into 2-D outputs; MatMul cases use 3-D
    // inputs (torch's Linear on [B, T, in]) when there is no BN.
    const Shape xs = c.bn || c.core != "matmul" ? Shape{5, 10} : Shape{2, 5, 10};
    ir::Value* x = b.Input("x", DType::kFloat32, xs);
    out.inputs.push_back(Random(xs, 2));
    if (c.core == "matmul") {
      y = b.Op("MatMul", {x, b.Constant(Random({10, 7}, 20, -.5f, .5f), "fc.weight")}, {},
               "matmul");
      y = b.Op("Add", {b.Constant(Random({7}, 21), "fc.bias"), y}, {}, "fc_bias_add");
    } else {
      const bool trans_b = c.core == "gemm_t";
      y = b.Op("Gemm",
               {x, b.Constant(Random(trans_b ? Shape{7, 10} : Shape{10, 7}, 22, -.5f, .5f), "fc.w"),
                b.Constant(Random({7}, 23), "fc.c")},
               Attrs({{"alpha", 0.75f}, {"beta", 1.5f}, {"transB", int64_t{trans_b ? 1 : 0}}}),
               "gemm");
    }
    shape = xs;
    shape.back() = 7;
  }
  if (c.bn) y = BatchNorm(b, y, shape[1], 30);
  if (c.add) {
    ir::Value* s = b.Input("sumin", DType::kFloat32, shape);
    out.inputs.push_back(Random(shape, 3));
    // The chain output is the second operand in conv cases, the first in linear.
    y = c.linear() ? b.Op("Add", {y, s}, {}, "add") : b.Op("Add", {s, y}, {}, "add");
  }
  if (c.act == "relu") y = b.Op("Relu", {y}, {}, "relu");
  if (c.act == "relu6") y = Relu6(b, y);
  b.Output(y);
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  EXPECT_TRUE(g.ok()) << g.status();
  if (g.ok()) out.graph = *std::move(g);
  return out;
}

std::vector<PatternCase> AllCases() {
  std::vector<PatternCase> cases;
  for (const char* core : {"conv", "gemm", "gemm_t", "matmul"}) {
    for (bool bn : {false, true}) {
      for (bool add : {false, true}) {
        for (const char* act : {"", "relu", "relu6"}) {
          if (!bn && !add && std::string(act).empty()) continue;  // a bare core is no pattern
          cases.push_back({core, bn, add, act});
        }
      }
    }
  }
  return cases;
}

class PatternTest : public testing::TestWithParam<PatternCase> {};

TEST_P(PatternTest, FusedMatchesUnfused) {
  const PatternCase& c = GetParam();
  Built unfused = BuildCase(c);
  Built fused = BuildCase(c);
  ASSERT_NE(unfused.graph, nullptr);
  absl::StatusOr<std::vector<Tensor>> want = reference::RunFloat(*unfused.graph, unfused.inputs);
  ASSERT_TRUE(want.ok()) << want.status();

  absl::StatusOr<FusionReport> report = FuseFx(*fused.graph);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->ToString(), absl::StrCat("{", c.Pattern(), ": 1}"));
  ASSERT_EQ(fused.graph->nodes().size(), 1u) << ir::PrintGraph(*fused.graph);
  const ir::Node& node = *fused.graph->nodes()[0];
  EXPECT_EQ(node.op(), c.linear() ? "FusedLinear" : "FusedConv");
  EXPECT_EQ(node.name(), c.core == "conv" ? "conv" : c.core == "matmul" ? "matmul" : "gemm");
  EXPECT_EQ(node.attrs().GetString("pattern", ""), c.Pattern());
  EXPECT_EQ(node.attrs().GetString("activation", ""), c.act.empty() ? "none" : c.act);
  EXPECT_EQ(node.num_inputs(), c.add ? 4 : 3);
  // Replaced weights, biases and BN parameters are gone.
  for (const auto& v : fused.graph->values()) {
    EXPECT_EQ(v->name().find("bn."), std::string::npos) << v->name();
  }

  absl::StatusOr<std::vector<Tensor>> got = reference::RunFloat(*fused.graph, fused.inputs);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ((*got)[0].shape(), (*want)[0].shape());
  EXPECT_LE(RelErr((*got)[0], (*want)[0]), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(AllPatterns, PatternTest, testing::ValuesIn(AllCases()),
                         [](const testing::TestParamInfo<PatternCase>& info) {
                           return info.param.Name();
                         });

TEST(FusionPatternNamesTest, FourteenPatternsAllCovered) {
  const std::vector<std::string>& names = FusionPatternNames();
  EXPECT_EQ(names.size(), 14u);
  for (const PatternCase& c : AllCases()) {
    EXPECT_NE(std::find(names.begin(), names.end(), c.Pattern()), names.end()) << c.Pattern();
  }
}

// Builds a graph with `body`, fuses it and checks the fused outputs and report.
struct Fused {
  std::unique_ptr<ir::Graph> graph;
  FusionReport report;
};

Fused BuildAndFuse(const std::function<void(GraphBuilder&, std::vector<Tensor>&)>& body,
                   bool fx = true, std::vector<std::vector<std::string>> groups = {}) {
  Fused out;
  std::vector<Tensor> inputs;
  GraphBuilder b1("g"), b2("g");
  body(b1, inputs);
  inputs.clear();
  body(b2, inputs);
  absl::StatusOr<std::unique_ptr<ir::Graph>> ref = b1.Build();
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b2.Build();
  EXPECT_TRUE(ref.ok() && g.ok()) << ref.status() << g.status();
  if (!ref.ok() || !g.ok()) return out;
  absl::StatusOr<FusionReport> report = fx ? FuseFx(**g) : FuseModules(**g, groups);
  EXPECT_TRUE(report.ok()) << report.status();
  if (!report.ok()) return out;
  absl::StatusOr<std::vector<Tensor>> want = reference::RunFloat(**ref, inputs);
  absl::StatusOr<std::vector<Tensor>> got = reference::RunFloat(**g, inputs);
  EXPECT_TRUE(want.ok() && got.ok()) << want.status() << got.status();
  if (want.ok() && got.ok()) {
    for (size_t i = 0; i < want->size(); ++i) EXPECT_LE(RelErr((*got)[i], (*want)[i]), 1e-5);
  }
  out.graph = *std::move(g);
  out.report = *std::move(report);
  return out;
}

ir::Value* Input(GraphBuilder& b, std::vector<Tensor>& inputs, const std::string& name,
                 const Shape& shape) {
  inputs.push_back(Random(shape, 100 + static_cast<uint32_t>(inputs.size())));
  return b.Input(name, DType::kFloat32, shape);
}

int CountOp(const ir::Graph& g, const std::string& op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node->op() == op;
  return n;
}

TEST(FuseFxTest, ConvOutputWithTwoUsersDoesNotFuse) {
  Fused f = BuildAndFuse([](GraphBuilder& b, std::vector<Tensor>& in) {
    ir::Value* c = Conv(b, Input(b, in, "x", {1, 4, 6, 6}), 4, 4, 1);
    b.Output(BatchNorm(b, c, 4, 2));
    b.Output(b.Op("Relu", {c}));
  });
  EXPECT_EQ(f.report.total(), 0);
  EXPECT_EQ(CountOp(*f.graph, "Conv"), 1);
}

TEST(FuseFxTest, GraphOutputIsNotAbsorbed) {
  Fused f = BuildAndFuse([](GraphBuilder& b, std::vector<Tensor>& in) {
    ir::Value* c = BatchNorm(b, Conv(b, Input(b, in, "x", {1, 4, 6, 6}), 4, 4, 1), 4, 2);
    b.Output(c);
    b.Output(b.Op("Relu", {c}));
  });
  // conv+bn fuses; the BN output stays visible, so the Relu stays apart.
  EXPECT_EQ(f.report.ToString(), "{conv+bn: 1}");
  EXPECT_EQ(CountOp(*f.graph, "Relu"), 1);
}

TEST(FuseFxTest, AddOfTwoConvsCountsOnce) {
  Fused f = BuildAndFuse([](GraphBuilder& b, std::vector<Tensor>& in) {
    ir::Value* x = Input(b, in, "x", {1, 4, 6, 6});
    ir::Value* a = Conv(b, x, 4, 4, 1, true, "conv_a");
    ir::Value* c = Conv(b, x, 4, 4, 5, true, "conv_b");
    b.Output(b.Op("Relu", {b.Op("Add", {a, c})}));
  });
  EXPECT_EQ(f.report.ToString(), "{conv+add+relu: 1}");
  EXPECT_EQ(CountOp(*f.graph, "FusedConv"), 1);
  EXPECT_EQ(CountOp(*f.graph, "Conv"), 1);
  EXPECT_EQ(f.report.fused_nodes, std::vector<std::string>{"conv_a"});
}

TEST(FuseFxTest, LongestChainWinsTheSharedAdd) {
  // conv_b comes first but only conv_a's chain has a BN: conv_a takes the Add.
  Fused f = BuildAndFuse([](GraphBuilder& b, std::vector<Tensor>& in) {
    ir::Value* x = Input(b, in, "x", {1, 4, 6, 6});
    ir::Value* c = Conv(b, x, 4, 4, 5, true, "conv_b");
    ir::Value* a = BatchNorm(b, Conv(b, x, 4, 4, 1, false, "conv_a"), 4, 7);
    b.Output(b.Op("Relu", {b.Op("Add", {c, a})}));
  });
  EXPECT_EQ(f.report.ToString(), "{conv+bn+add+relu: 1}");
  EXPECT_EQ(f.report.fused_nodes, std::vector<std::string>{"conv_a"});
}

TEST(FuseFxTest, ResidualBlockFusesBothChains) {
  // A downsampling residual block: conv+bn+relu, then conv+bn+add+relu with
  // the shortcut's conv+bn as sumin. The fused graph keeps a valid order.
  Fused f = BuildAndFuse([](GraphBuilder& b, std::vector<Tensor>& in) {
    ir::Value* x = Input(b, in, "x", {1, 4, 6, 6});
    ir::Value* h = b.Op("Relu", {BatchNorm(b, Conv(b, x, 4, 4, 1, false, "c1"), 4, 2, "bn1")});
    ir::Value* m = BatchNorm(b, Conv(b, h, 4, 4, 3, false, "c2"), 4, 4, "bn2");
    ir::Value* s = BatchNorm(b, Conv(b, x, 4, 4, 5, false, "cs"), 4, 6, "bns");
    b.Output(b.Op("Relu", {b.Op("Add", {m, s})}));
  });
  EXPECT_EQ(f.report.ToString(), "{conv+bn: 1, conv+bn+add+relu: 1, conv+bn+relu: 1}");
  EXPECT_EQ(f.graph->nodes().size(), 3u);
  EXPECT_TRUE(f.graph->Verify().ok());
}

TEST(FuseFxTest, AddWithoutConvDoesNotFuse) {
  Fused f = BuildAndFuse([](GraphBuilder& b, std::vector<Tensor>& in) {
    ir::Value* x = Input(b, in, "x", {1, 4, 6, 6});
    ir::Value* y = Input(b, in, "y", {1, 4, 6, 6});
    b.Output(b.Op("Relu", {b.Op("Add", {x, y})}));
  });
  EXPECT_EQ(f.report.total(), 0);
}

TEST(FuseFxTest, GraphInputIsAValidSumin) {
  Fused f = BuildAndFuse([](GraphBuilder& b, std::vector<Tensor>& in) {
    ir::Value* x = Input(b, in, "x", {1, 4, 6, 6});
    ir::Value* r = Input(b, in, "residual", {1, 4, 6, 6});
    b.Output(b.Op("Relu", {b.Op("Add", {Conv(b, x, 4, 4, 1), r})}));
  });
  EXPECT_EQ(f.report.ToString(), "{conv+add+relu: 1}");
}

TEST(FuseFxTest, ChainsThatDoNotQualify) {
  Fused f = BuildAndFuse([](GraphBuilder& b, std::vector<Tensor>& in) {
    ir::Value* x = Input(b, in, "x", {1, 4, 6, 6});
    // Clip(0, 5) is neither Relu nor ReLU6.
    b.Output(b.Op("Clip", {Conv(b, x, 4, 4, 1, true, "c1"), b.Constant(Tensor::Scalar<float>(0.f)),
                           b.Constant(Tensor::Scalar<float>(5.f))}));
    // A broadcast Add ([1,4,1,1]) is not a residual add.
    ir::Value* per_channel = Input(b, in, "pc", {1, 4, 1, 1});
    b.Output(b.Op("Add", {Conv(b, x, 4, 4, 2, true, "c2"), per_channel}));
    // BatchNormalization with a non-constant scale cannot fold.
    ir::Value* scale = Input(b, in, "scale", {4});
    b.Output(b.Op("BatchNormalization",
                  {Conv(b, x, 4, 4, 3, true, "c3"), scale, b.Constant(Random({4}, 1)),
                   b.Constant(Random({4}, 2)), b.Constant(Random({4}, 3, 0.5f, 2.f))}));
    // ConvTranspose is not a core.
    ir::Value* ct = b.Op("ConvTranspose", {x, b.Constant(Random({4, 4, 3, 3}, 4))});
    b.Output(b.Op("Relu", {BatchNorm(b, ct, 4, 5)}));
    // Gemm with transA, and Gemm whose C varies along M.
    ir::Value* m = Input(b, in, "m", {3, 5});
    b.Output(b.Op("Relu", {b.Op("Gemm", {m, b.Constant(Random({3, 4}, 6))},
                                Attrs({{"transA", int64_t{1}}}))}));
    b.Output(b.Op(
        "Relu", {b.Op("Gemm", {m, b.Constant(Random({5, 4}, 7)), b.Constant(Random({3, 4}, 8))})}));
    // MatMul on [2, 3, 5] -> [2, 3, 3]: BN's channel axis 1 is not the linear
    // output axis even though both have 3 elements.
    ir::Value* t = Input(b, in, "t", {2, 3, 5});
    ir::Value* mm = b.Op("MatMul", {t, b.Constant(Random({5, 3}, 9))});
    b.Output(BatchNorm(b, mm, 3, 10, "bn_mm"));
    // A MatMul whose weight is not constant.
    ir::Value* wt = Input(b, in, "wt", {5, 4});
    b.Output(b.Op("Relu", {b.Op("MatMul", {m, wt})}));
  });
  EXPECT_EQ(f.report.total(), 0) << f.report.ToString();
}

TEST(FuseFxTest, ClipWithMinOnlyIsRelu) {
  Fused f = BuildAndFuse([](GraphBuilder& b, std::vector<Tensor>& in) {
    ir::Value* x = Input(b, in, "x", {1, 4, 6, 6});
    b.Output(b.Op("Clip", {Conv(b, x, 4, 4, 1), b.Constant(Tensor::Scalar<float>(0.f))}));
  });
  EXPECT_EQ(f.report.ToString(), "{conv+relu: 1}");
  EXPECT_EQ(f.graph->nodes()[0]->attrs().GetString("activation", ""), "relu");
}

TEST(FuseFxTest, SharedWeightsAreCopiedNotModified) {
  // Two convs share one weight; folding BN into one must not change the other.
  Fused f = BuildAndFuse([](GraphBuilder& b, std::vector<Tensor>& in) {
    ir::Value* x = Input(b, in, "x", {1, 4, 6, 6});
    ir::Value* w = b.Constant(Random({4, 4, 1, 1}, 1), "shared");
    b.Output(BatchNorm(b, b.Op("Conv", {x, w}), 4, 2));
    b.Output(b.Op("Conv", {x, w}));
  });
  EXPECT_EQ(f.report.ToString(), "{conv+bn: 1}");
}

TEST(FuseFxTest, RequiresInferredTypes) {
  ir::Graph g;
  ir::Value* x = *g.AddValue("x");
  g.AddInput(x);
  ir::Value* y = *g.AddValue("y");
  ASSERT_TRUE(g.AddNode("relu", "Relu", {x}, {y}).ok());
  g.AddOutput(y);
  absl::StatusOr<FusionReport> r = FuseFx(g);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
}

// conv -> bn -> relu, conv2 -> relu2, and a MatMul with its bias Add and Relu.
void ModulesGraph(GraphBuilder& b, std::vector<Tensor>& in) {
  ir::Value* x = Input(b, in, "x", {1, 4, 6, 6});
  b.Output(b.Op("Relu", {BatchNorm(b, Conv(b, x, 4, 4, 1, true, "conv"), 4, 2)}, {}, "relu"));
  b.Output(b.Op("Relu", {Conv(b, x, 4, 4, 3, true, "conv2")}, {}, "relu2"));
  ir::Value* m = Input(b, in, "m", {3, 5});
  ir::Value* mm = b.Op("MatMul", {m, b.Constant(Random({5, 4}, 4))}, {}, "matmul");
  ir::Value* biased = b.Op("Add", {mm, b.Constant(Random({4}, 5))}, {}, "matmul_bias");
  b.Output(b.Op("Relu", {biased}, {}, "relu3"));
}

TEST(FuseModulesTest, ValidGroups) {
  Fused f = BuildAndFuse(ModulesGraph, /*fx=*/false,
                         {{"conv", "bn", "relu"}, {"conv2", "relu2"}, {"matmul", "relu3"}});
  EXPECT_EQ(f.report.ToString(), "{conv+bn+relu: 1, conv+relu: 1, linear+relu: 1}");
  EXPECT_EQ(f.graph->nodes().size(), 3u);
  // Naming the bias Add explicitly is the same group.
  f = BuildAndFuse(ModulesGraph, /*fx=*/false, {{"matmul", "matmul_bias", "relu3"}});
  EXPECT_EQ(f.report.ToString(), "{linear+relu: 1}");
  // Only the listed groups fuse.
  f = BuildAndFuse(ModulesGraph, /*fx=*/false, {{"conv", "bn"}});
  EXPECT_EQ(f.report.ToString(), "{conv+bn: 1}");
  EXPECT_EQ(CountOp(*f.graph, "Relu"), 3);
}

TEST(FuseModulesTest, InvalidGroupsNameTheNodesAndLeaveTheGraph) {
  struct Bad {
    std::vector<std::vector<std::string>> groups;
    std::string message;
  };
  const std::vector<Bad> bad = {
      {{{"conv", "relu"}}, "'relu' does not consume the output of 'conv'"},
      {{{"conv", "relu", "bn"}}, "[conv, relu, bn]"},
      {{{"bn", "relu"}}, "is not a Conv, Gemm or MatMul"},
      {{{"conv"}}, "at least one of"},
      {{{"conv", "missing"}}, "no node named 'missing'"},
      {{{"conv", "bn"}, {"conv", "bn", "relu"}}, "already in another group"},
      {{{"matmul"}}, "at least one of"},
      {{{"matmul", "matmul_bias"}}, "bias Add alone"},
  };
  for (const Bad& c : bad) {
    GraphBuilder b("g");
    std::vector<Tensor> in;
    ModulesGraph(b, in);
    absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
    ASSERT_TRUE(g.ok());
    const std::string before = ir::PrintGraph(**g);
    absl::StatusOr<FusionReport> r = FuseModules(**g, c.groups);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message), absl::string_view::npos) << r.status();
    EXPECT_EQ(ir::PrintGraph(**g), before);
  }
}

TEST(FuseModulesTest, ValueWithTwoUsersIsRejected) {
  GraphBuilder b("g");
  std::vector<Tensor> in;
  ir::Value* c = Conv(b, Input(b, in, "x", {1, 4, 6, 6}), 4, 4, 1, true, "conv");
  b.Output(b.Op("Relu", {c}, {}, "relu"));
  b.Output(b.Op("Sigmoid", {c}));
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  ASSERT_TRUE(g.ok());
  absl::StatusOr<FusionReport> r = FuseModules(**g, {{"conv", "relu"}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'conv' has 2 uses"), absl::string_view::npos) << r.status();
}

}  // namespace
}  // namespace openbpu::passes
