// Quantized kernels of the exact-op family (docs/NUMERICS.md, "Exact ops",
// "Resize", "Max/min/compare"): hand-made quantized nodes run through qprepare
// and qkernel, checked against hand-computed integers, and against the float
// kernel on dequantized inputs followed by fake quantization (exactly for
// kExact ops, within 1 LSB for the arithmetic ones).
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_exact_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops::exact_test {
namespace {

// ---------------------------------------------------------------- hand-made

TEST(ExactOpsQuantTest, ReluNegAbsSaturate) {
  const Tensor x = Q8({4}, {-128, -3, 0, 127});
  absl::StatusOr<QResult> r = RunQuant("Relu", {QIn(x, 0.5f)}, {}, {{kI8, 0.5f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {4}, {0, 0, 0, 127});
  r = RunQuant("Neg", {QIn(x, 0.5f)}, {}, {{kI8, 0.5f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {4}, {127, 3, 0, -127});
  r = RunQuant("Abs", {QIn(x, 0.5f)}, {}, {{kI8, 0.5f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {4}, {127, 3, 0, 127});
  r = RunQuant("Neg", {QIn(Q16({2}, {-32768, 5}), 0.5f)}, {}, {{kI16, 0.5f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int16_t>(r->outputs[0], {2}, {32767, -5});
  const ir::OpSchema* relu = ir::OpRegistry::Global().Find("Relu");
  EXPECT_EQ(relu->qkind, ir::QuantKind::kExact);
  EXPECT_EQ(relu->qinherit_input, 0);
}

TEST(ExactOpsQuantTest, ClipBoundsRoundLikeFakeQuant) {
  // s = 0.1: 0.25 / 0.1 = 2.5 -> 2 (half to even), 0.61 -> 6.
  const Tensor x = Q8({5}, {-128, 1, 2, 3, 127});
  absl::StatusOr<QResult> r =
      RunQuant("Clip", {QIn(x, 0.1f), PConst(Tensor::Scalar(0.25f)), PConst(Tensor::Scalar(0.61f))},
               {}, {{kI8, 0.1f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {5}, {2, 2, 2, 3, 6});
  absl::StatusOr<qparams::Clip> clip = qparams::Load<qparams::Clip>(*r->graph->FindNode("n"));
  ASSERT_TRUE(clip.ok()) << clip.status();
  EXPECT_EQ(clip->min, 2);
  EXPECT_EQ(clip->max, 6);
  // Only a max; bound beyond the range saturates.
  r = RunQuant("Clip",
               {QIn(Q16({3}, {-32768, 0, 32767}), 1e-3f), None(), PConst(Tensor::Scalar(1e6f))}, {},
               {{kI16, 1e-3f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int16_t>(r->outputs[0], {3}, {-32768, 0, 32767});
  // Relu6 on the grid of 6 / 127.5: 6 / s = 127.5 -> 128 -> saturates to 127.
  const float s = 6.f / 127.5f;
  r = RunQuant(
      "Clip",
      {QIn(Q8({3}, {-7, 50, 127}), s), PConst(Tensor::Scalar(0.f)), PConst(Tensor::Scalar(6.f))},
      {}, {{kI8, s}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {3}, {0, 50, 127});
  // A bound quantized by convert (its own scale) is used as q_b * s_b.
  r = RunQuant("Clip", {QIn(Q8({2}, {-100, 100}), 0.1f), QConst(Q8({}, {-40}), 0.05f)}, {},
               {{kI8, 0.1f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {2}, {-20, 100});
}

TEST(ExactOpsQuantTest, MaxPoolInt8AndInt16) {
  // [1, 1, 3, 3], kernel 2, stride 1, pads 1 at the end.
  const Tensor x8 = Q8({1, 1, 3, 3}, {-9, 4, -2, 7, -128, 3, 1, 0, -5});
  ir::AttributeMap a = Attrs(
      {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"pads", std::vector<int64_t>{0, 0, 1, 1}}});
  absl::StatusOr<QResult> r = RunQuant("MaxPool", {QIn(x8, 0.02f)}, a, {{kI8, 0.02f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {1, 1, 3, 3}, {7, 4, 3, 7, 3, 3, 1, 0, -5});
  const Tensor x16 = Q16({1, 1, 2, 2}, {-30000, -20000, -32768, -1});
  r = RunQuant("MaxPool", {QIn(x16, 1e-4f)}, Attrs({{"kernel_shape", std::vector<int64_t>{2, 2}}}),
               {{kI16, 1e-4f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int16_t>(r->outputs[0], {1, 1, 1, 1}, {-1});
}

TEST(ExactOpsQuantTest, GlobalMaxPoolAndReduceMax) {
  const Tensor x = Q16({1, 2, 2, 2}, {1, -5, 300, 2, -32768, -7, -9, -8});
  absl::StatusOr<QResult> r = RunQuant("GlobalMaxPool", {QIn(x, 0.5f)}, {}, {{kI16, 0.5f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int16_t>(r->outputs[0], {1, 2, 1, 1}, {300, -7});
  r = RunQuant("ReduceMax", {QIn(x, 0.5f), PConst(I64({1, 3}))}, Attrs({{"keepdims", int64_t{0}}}),
               {{kI16, 0.5f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int16_t>(r->outputs[0], {1, 2}, {1, 300});
  r = RunQuant("ReduceMax", {QIn(Q8({2, 2}, {3, -4, 5, 6}), 0.5f)},
               Attrs({{"axes", std::vector<int64_t>{0}}}), {{kI8, 0.5f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {1, 2}, {5, 6});
}

TEST(ExactOpsQuantTest, ArgMaxAndTopK) {
  const Tensor x = Q8({2, 3}, {4, 9, 9, -1, -1, -2});
  absl::StatusOr<QResult> r =
      RunQuant("ArgMax", {QIn(x, 0.3f)}, Attrs({{"axis", int64_t{1}}}), {{}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>(r->outputs[0], {2, 1}, {1, 0});
  r = RunQuant("TopK", {QIn(x, 0.3f), PConst(I64({2}))}, {}, {{kI8, 0.3f}, {}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {2, 2}, {9, 9, -1, -1});
  ExpectTensor<int64_t>(r->outputs[1], {2, 2}, {1, 2, 0, 1});
}

TEST(ExactOpsQuantTest, PadConstantValueOnTheGrid) {
  const Tensor x = Q8({1, 2}, {5, -6});
  // 0.3 / 0.2 = 1.5 -> 2 (half to even), in float32: 0.3f * 5.0f = 1.5000001 -> 2 either way.
  absl::StatusOr<QResult> r =
      RunQuant("Pad", {QIn(x, 0.2f), PConst(I64({0, 1, 0, 2})), PConst(Tensor::Scalar(0.3f))}, {},
               {{kI8, 0.2f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {1, 5}, {2, 5, -6, 2, 2});
  r = RunQuant("Pad", {QIn(x, 0.2f), PConst(I64({0, 1, 0, 1}))},
               Attrs({{"mode", std::string("edge")}}), {{kI8, 0.2f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {1, 4}, {5, 5, -6, -6});
  r = RunQuant("Pad", {QIn(Q16({2}, {7, 8}), 0.2f), PConst(I64({1, 0}))}, {}, {{kI16, 0.2f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int16_t>(r->outputs[0], {3}, {0, 7, 8});
}

TEST(ExactOpsQuantTest, ResizeNearestAndBilinear) {
  const Tensor x = Q8({1, 1, 2, 2}, {0, 40, 80, 120});
  const Tensor scales = F({4}, {1, 1, 2, 2});
  absl::StatusOr<QResult> r =
      RunQuant("Resize", {QIn(x, 0.1f), None(), PConst(scales)},
               Attrs({{"mode", std::string("nearest")},
                      {"coordinate_transformation_mode", std::string("asymmetric")},
                      {"nearest_mode", std::string("floor")}}),
               {{kI8, 0.1f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {1, 1, 4, 4},
                       {0, 0, 40, 40, 0, 0, 40, 40, 80, 80, 120, 120, 80, 80, 120, 120});
  r = RunQuant("Resize", {QIn(x, 0.1f), None(), PConst(scales)},
               Attrs({{"mode", std::string("linear")}}), {{kI8, 0.1f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {1, 1, 4, 4},
                       {0, 10, 30, 40, 20, 30, 50, 60, 60, 70, 90, 100, 80, 90, 110, 120});
  const ir::Node& n = *r->graph->FindNode("n");
  absl::StatusOr<qparams::Resize> resize = qparams::Load<qparams::Resize>(n);
  ASSERT_TRUE(resize.ok()) << resize.status();
  EXPECT_EQ(resize->weight_frac_bits, 32);
  // int16 in, int8 out at a 4x coarser scale: 30 / 4 = 7.5 -> 8 (half up).
  r = RunQuant("Resize", {QIn(x.CastTo(kI16), 0.1f), None(), PConst(scales)},
               Attrs({{"mode", std::string("linear")}}), {{kI8, 0.4f}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outputs[0].data<int8_t>()[2], 8);
  // Three interpolated dimensions are rejected at prepare.
  r = RunQuant("Resize",
               {QIn(RandQ(kI8, {2, 2, 2}, -5, 5, 1), 0.1f), None(), PConst(F({3}, {2, 2, 2}))},
               Attrs({{"mode", std::string("linear")}}), {{kI8, 0.1f}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnimplemented);
}

TEST(ExactOpsQuantTest, MaxMinRequantizeToTheOutputScale) {
  // a at 0.5, b at 0.25, out at 0.5: b = 7 -> 3.5 -> 4 (half up), -7 -> -3.5 -> -3.
  const Tensor a = Q8({2}, {3, -4});
  const Tensor b = Q8({2, 1}, {7, -7});
  absl::StatusOr<QResult> r = RunQuant("Max", {QIn(a, 0.5f), QIn(b, 0.25f)}, {}, {{kI8, 0.5f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {2, 2}, {4, 4, 3, -3});
  r = RunQuant("Min", {QIn(a, 0.5f), QIn(b, 0.25f)}, {}, {{kI8, 0.5f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {2, 2}, {3, -4, -3, -4});
  // int16 output, three inputs.
  r = RunQuant("Max", {QIn(a, 0.5f), QIn(b, 0.25f), QIn(Q16({1}, {1000}), 0.001f)}, {},
               {{kI16, 0.001f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int16_t>(r->outputs[0], {2, 2}, {1750, 1750, 1500, 1000});
}

TEST(ExactOpsQuantTest, WhereRequantizesBothBranches) {
  const Tensor c = Tensor::FromVector<bool>({3}, {true, false, true});
  absl::StatusOr<QResult> r =
      RunQuant("Where", {PIn(c), QIn(Q8({3}, {10, 20, -30}), 0.1f), QIn(Q16({1}, {-1000}), 0.01f)},
               {}, {{kI8, 0.2f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {3}, {5, -50, -15});
}

TEST(ExactOpsQuantTest, LeakyReluAndPRelu) {
  // s_in 0.1, s_out 0.05, alpha 0.25: 10 -> 20, -10 -> -5, -3 -> -1.5 -> -1 (half up).
  absl::StatusOr<QResult> r = RunQuant("LeakyRelu", {QIn(Q8({3}, {10, -10, -3}), 0.1f)},
                                       Attrs({{"alpha", 0.25f}}), {{kI8, 0.05f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {3}, {20, -5, -1});
  // Per-channel slopes [0.5, -2] over [1, 2, 2]; int16 output.
  r = RunQuant("PRelu", {QIn(Q8({1, 2, 2}, {4, -4, 6, -6}), 0.1f), PConst(F({2, 1}, {0.5f, -2.f}))},
               {}, {{kI16, 0.1f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int16_t>(r->outputs[0], {1, 2, 2}, {4, -2, 6, 12});
  // A negative alpha on LeakyRelu flips the sign.
  r = RunQuant("LeakyRelu", {QIn(Q8({2}, {-8, 8}), 0.1f)}, Attrs({{"alpha", -0.5f}}),
               {{kI8, 0.1f}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int8_t>(r->outputs[0], {2}, {4, 8});
}

TEST(ExactOpsQuantTest, ComparisonsAreExactAcrossScales) {
  // 3 * 0.5 = 1.5 = 6 * 0.25; 4 * 0.5 = 2 > 7 * 0.25 = 1.75.
  const Tensor a = Q8({3}, {3, 4, -1});
  const Tensor b = Q16({3}, {6, 7, -3});
  absl::StatusOr<QResult> r = RunQuant("Equal", {QIn(a, 0.5f), QIn(b, 0.25f)}, {}, {{}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<bool>(r->outputs[0], {3}, {true, false, false});
  r = RunQuant("Greater", {QIn(a, 0.5f), QIn(b, 0.25f)}, {}, {{}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<bool>(r->outputs[0], {3}, {false, true, true});
  r = RunQuant("Less", {QIn(a, 0.5f), QIn(b, 0.25f)}, {}, {{}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<bool>(r->outputs[0], {3}, {false, false, false});
  // Unquantized int64 inputs run the plain comparison.
  r = RunQuant("Less", {PIn(I64({1, 5})), PIn(I64({2, 2}))}, {}, {{}});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<bool>(r->outputs[0], {2}, {true, false});
}

TEST(ExactOpsQuantTest, DataMovementKeepsIntegers) {
  const Tensor x = RandQ(kI16, {2, 3, 4}, -32768, 32767, 3);
  absl::StatusOr<QResult> r =
      RunQuant("Transpose", {QIn(x, 0.01f)}, Attrs({{"perm", std::vector<int64_t>{2, 0, 1}}}),
               {{kI16, 0.01f}});
  ASSERT_TRUE(r.ok()) << r.status();
  // The simulator's view gives the same bytes.
  Tensor want(kI16, {4, 2, 3});
  numerics::StridedCopy(x.data<int16_t>(), numerics::TransposeView(x.shape(), {2, 0, 1}),
                        want.data<int16_t>());
  EXPECT_EQ(r->outputs[0], want);
  r = RunQuant("Gather", {QIn(x, 0.01f), PIn(I64({2, 0, -1}))}, Attrs({{"axis", int64_t{1}}}),
               {{kI16, 0.01f}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outputs[0].shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(r->outputs[0].data<int16_t>()[0], x.data<int16_t>()[8]);
  r = RunQuant("Split", {QIn(x, 0.01f), PConst(I64({1, 2}))}, Attrs({{"axis", int64_t{1}}}),
               {{kI16, 0.01f}, {kI16, 0.01f}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outputs[1].data<int16_t>()[0], x.data<int16_t>()[4]);
  for (const char* op :
       {"Reshape", "Flatten",       "Squeeze",      "Unsqueeze", "Identity", "Slice", "Tile",
        "Expand",  "DepthToSpace",  "SpaceToDepth", "Transpose", "Gather",   "Split", "Pad",
        "MaxPool", "GlobalMaxPool", "ReduceMax",    "TopK",      "Neg",      "Abs",   "Relu"}) {
    const ir::OpSchema* s = ir::OpRegistry::Global().Find(op);
    ASSERT_NE(s, nullptr) << op;
    EXPECT_EQ(s->qkind, ir::QuantKind::kExact) << op;
    EXPECT_EQ(s->qinherit_input, 0) << op;
  }
  for (const char* op : {"Clip", "Resize"}) {
    const ir::OpSchema* s = ir::OpRegistry::Global().Find(op);
    EXPECT_EQ(s->qkind, ir::QuantKind::kArithmetic) << op;
    EXPECT_EQ(s->qinherit_input, 0) << op;
  }
}

// The simulator's strided views move the same integers as the op kernels.
TEST(ExactOpsQuantTest, StridedViewsMatchTheOpKernels) {
  auto expect_view = [](const std::string& op, std::vector<QArg> args, ir::AttributeMap attrs,
                        const numerics::StridedView& view) {
    const Tensor& x = args[0].tensor;
    absl::StatusOr<QResult> r = RunQuant(op, args, std::move(attrs), {{kI16, 0.01f}});
    ASSERT_TRUE(r.ok()) << op << ": " << r.status();
    Tensor want(kI16, r->outputs[0].shape());
    ASSERT_EQ(NumElements(view.shape), want.num_elements()) << op;
    numerics::StridedCopy(x.data<int16_t>(), view, want.data<int16_t>());
    EXPECT_EQ(r->outputs[0], want) << op;
  };
  const Tensor x = RandQ(kI16, {2, 8, 4, 6}, -32768, 32767, 41);
  expect_view("Tile", {QIn(x, 0.01f), PConst(I64({2, 1, 3, 1}))}, {},
              numerics::TileView(x.shape(), {2, 1, 3, 1}));
  const Tensor e = RandQ(kI16, {3, 1, 5}, -32768, 32767, 42);
  expect_view("Expand", {QIn(e, 0.01f), PConst(I64({2, 3, 4, 5}))}, {},
              numerics::BroadcastView(e.shape(), {2, 3, 4, 5}));
  for (const char* mode : {"DCR", "CRD"}) {
    expect_view("DepthToSpace", {QIn(x, 0.01f)},
                Attrs({{"blocksize", int64_t{2}}, {"mode", std::string(mode)}}),
                numerics::DepthToSpaceView(x.shape(), 2, std::string(mode) == "CRD"));
  }
  expect_view("SpaceToDepth", {QIn(x, 0.01f)}, Attrs({{"blocksize", int64_t{2}}}),
              numerics::SpaceToDepthView(x.shape(), 2));
  // Slice: axis 1 from 7 down by -3 (7, 4, 1), axis 3 from 1 by 2 (1, 3, 5).
  expect_view("Slice",
              {QIn(x, 0.01f), PConst(I64({7, 1})), PConst(I64({0, 6})), PConst(I64({1, 3})),
               PConst(I64({-3, 2}))},
              {}, numerics::SliceView(x.shape(), {0, 7, 0, 1}, {1, -3, 1, 2}, {2, 3, 4, 3}));
}

TEST(ExactOpsQuantTest, MissingQParamsAreErrors) {
  frontend::GraphBuilder b;
  b.Output(b.Op("Max", {b.Input("a", DType::kFloat32, {2}), b.Input("b", DType::kFloat32, {2})}, {},
                "n"));
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  ASSERT_TRUE(g.ok());
  const Tensor a = Q8({2}, {1, 2});
  std::vector<Tensor> out;
  const absl::Status st =
      ir::OpRegistry::Global().Find("Max")->qkernel(*(*g)->FindNode("n"), {&a, &a}, out);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("node 'n'"), std::string::npos) << st;
  EXPECT_NE(st.message().find("run convert's qprepare first"), std::string::npos) << st;
}

}  // namespace
}  // namespace openbpu::ops::exact_test
