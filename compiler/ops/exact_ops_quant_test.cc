// Quantized kernels of the exact-op family (docs/NUMERICS.md, "Exact ops",
// "Resize", "Max/min/compare"): hand-made quantized nodes run through qprepare
// and qkernel, checked against hand-computed integers, and against the float
// kernel on dequantized inputs followed by fake quantization (exactly for
// kExact ops, within 1 LSB for the arithmetic ones).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/tensor.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/ir/op_registry.h"
#include "compiler/ops/op_test_util.h"
#include "compiler/ops/quant_exact_util.h"
#include "compiler/ops/quant_test_util.h"
#include "compiler/reference/float_interpreter.h"
#include "gtest/gtest.h"
#include "isa/numerics/movement.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

// An argument of the node under test: quantized (integer tensor + scale) or
// plain (int64 indices, bool masks, float constants), a graph input or a
// constant, or omitted.
struct QArg {
  enum Kind { kInput, kConstant, kOmitted } kind = kOmitted;
  Tensor tensor;
  float scale = 0;  // > 0: `tensor` holds integers of this scale
};
QArg QIn(Tensor q, float s) { return {QArg::kInput, std::move(q), s}; }
QArg QConst(Tensor q, float s) { return {QArg::kConstant, std::move(q), s}; }
QArg PIn(Tensor t) { return {QArg::kInput, std::move(t), 0}; }
QArg PConst(Tensor t) { return {QArg::kConstant, std::move(t), 0}; }
QArg None() { return {}; }

// Output i: quantized with storage and scale, or (storage kInvalid) left as
// shape inference typed it.
struct QOut {
  DType storage = DType::kInvalid;
  float scale = 0;
};

using quant_test::Dequantize;

Tensor FloatOf(const QArg& a) { return a.scale > 0 ? Dequantize(a.tensor, a.scale) : a.tensor; }

struct QResult {
  std::unique_ptr<ir::Graph> graph;
  std::vector<Tensor> outputs;
};

// Builds the float node, retypes its values as quantized, then runs qprepare
// (if any) and qkernel.
absl::StatusOr<QResult> RunQuant(const std::string& op, const std::vector<QArg>& args,
                                 ir::AttributeMap attrs, const std::vector<QOut>& outs,
                                 const std::string& march = "bayes") {
  frontend::GraphBuilder b;
  std::vector<ir::Value*> values;
  for (size_t i = 0; i < args.size(); ++i) {
    const QArg& a = args[i];
    if (a.kind == QArg::kOmitted) {
      values.push_back(nullptr);
    } else if (a.kind == QArg::kConstant) {
      values.push_back(b.Constant(FloatOf(a)));
    } else {
      const Tensor f = FloatOf(a);
      values.push_back(b.Input(absl::StrCat("in", i), f.dtype(), f.shape()));
    }
  }
  for (ir::Value* v : b.OpN(op, values, static_cast<int>(outs.size()), std::move(attrs), "n")) {
    b.Output(v);
  }
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  if (!g.ok()) return g.status();
  ir::Node* node = (*g)->FindNode("n");
  if (node == nullptr) return absl::InternalError("node folded away");
  for (size_t i = 0; i < args.size(); ++i) {
    const QArg& a = args[i];
    if (a.kind == QArg::kOmitted || a.scale <= 0) continue;
    ir::Value* v = node->input(static_cast<int>(i));
    if (a.kind == QArg::kConstant) v->set_constant(a.tensor);
    v->mutable_type().dtype = a.tensor.dtype();
    v->mutable_type().quant = ir::QuantInfo{a.tensor.dtype(), {a.scale}, -1};
  }
  for (size_t i = 0; i < outs.size(); ++i) {
    if (outs[i].storage == DType::kInvalid) continue;
    ir::TensorType& t = node->output(static_cast<int>(i))->mutable_type();
    t.dtype = outs[i].storage;
    t.quant = ir::QuantInfo{outs[i].storage, {outs[i].scale}, -1};
  }
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(op);
  if (schema == nullptr || !schema->qkernel) return absl::NotFoundError("no qkernel");
  if (schema->qprepare) {
    if (absl::Status st = schema->qprepare(*node, ir::QuantOpContext{march}); !st.ok()) return st;
  }
  std::vector<const Tensor*> inputs;
  for (const QArg& a : args) inputs.push_back(a.kind == QArg::kOmitted ? nullptr : &a.tensor);
  QResult r;
  if (absl::Status st = schema->qkernel(*node, inputs, r.outputs); !st.ok()) return st;
  for (size_t i = 0; i < r.outputs.size(); ++i) {
    const ir::TensorType& want = node->output(static_cast<int>(i))->type();
    if (r.outputs[i].dtype() != want.dtype || r.outputs[i].shape() != want.shape) {
      return absl::InternalError(absl::StrCat("output ", i, " is ", DTypeName(r.outputs[i].dtype()),
                                              ShapeToString(r.outputs[i].shape()), ", value is ",
                                              ir::TensorTypeToString(want)));
    }
  }
  r.graph = *std::move(g);
  return r;
}

// The quantized result vs the float op on dequantized inputs, fake-quantized
// with each quantized output's scale: every element within `max_lsb`, and
// unquantized outputs (indices, masks) equal.
void ExpectAgreement(const std::string& op, const std::vector<QArg>& args, ir::AttributeMap attrs,
                     const std::vector<QOut>& outs, int max_lsb) {
  absl::StatusOr<QResult> q = RunQuant(op, args, attrs, outs);
  ASSERT_TRUE(q.ok()) << q.status();
  std::vector<Arg> float_args;
  for (const QArg& a : args) {
    if (a.kind == QArg::kOmitted) {
      float_args.push_back(Omitted());
    } else if (a.kind == QArg::kConstant) {
      float_args.push_back(Const(FloatOf(a)));
    } else {
      float_args.push_back(In(FloatOf(a)));
    }
  }
  absl::StatusOr<std::vector<Tensor>> f =
      RunOp(op, float_args, std::move(attrs), static_cast<int>(outs.size()));
  ASSERT_TRUE(f.ok()) << f.status();
  for (size_t i = 0; i < outs.size(); ++i) {
    const Tensor& got = q->outputs[i];
    const Tensor& ref = (*f)[i];
    ASSERT_EQ(got.shape(), ref.shape()) << op << " output " << i;
    if (outs[i].storage == DType::kInvalid) {
      EXPECT_EQ(got, ref) << op << " output " << i;
      continue;
    }
    const int64_t lo = outs[i].storage == DType::kInt8 ? -128 : -32768;
    const int64_t hi = -lo - 1;
    int64_t worst = 0, off = 0;
    for (int64_t k = 0; k < ref.num_elements(); ++k) {
      const int64_t want =
          qexact::QuantizeLikeFakeQuant(ref.data<float>()[k], outs[i].scale, lo, hi);
      const int64_t d = std::abs(got.GetAsInt64(k) - want);
      worst = std::max(worst, d);
      off += d > 0 ? 1 : 0;
      if (d > max_lsb) {
        ADD_FAILURE() << op << " output " << i << " element " << k << ": got " << got.GetAsInt64(k)
                      << ", float says " << want << " (" << ref.data<float>()[k] << ")";
        return;
      }
    }
    // Never more than max_lsb off (checked above); report how many differ.
    if (off > 0) {
      std::printf("%s output %zu: %lld of %lld elements off by <= %lld LSB\n", op.c_str(), i,
                  static_cast<long long>(off), static_cast<long long>(ref.num_elements()),
                  static_cast<long long>(worst));
    }
  }
}

// Random integers in [lo, hi] of `dtype` (int8 / int16).
Tensor RandQ(DType dtype, Shape shape, int64_t lo, int64_t hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  std::vector<int64_t> v(NumElements(shape));
  for (int64_t& x : v) x = dist(rng);
  return qexact::IntTensor(dtype, shape, v);
}

Tensor Q8(Shape shape, const std::vector<int8_t>& v) { return Tensor::FromVector(shape, v); }
Tensor Q16(Shape shape, const std::vector<int16_t>& v) { return Tensor::FromVector(shape, v); }

constexpr DType kI8 = DType::kInt8;
constexpr DType kI16 = DType::kInt16;

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
  EXPECT_EQ(*qexact::GetInt(*r->graph->FindNode("n"), "min"), 2);
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
  EXPECT_EQ(*qexact::GetInt(n, "weight_frac_bits"), 32);
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
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("node 'n'"), std::string::npos) << st;
}

// ------------------------------------------- agreement with the float kernel

TEST(ExactOpsQuantAgreementTest, ExactOpsEqualFloatThenFakeQuant) {
  for (DType dt : {kI8, kI16}) {
    const int64_t hi = dt == kI8 ? 127 : 32767;
    const float s = dt == kI8 ? 0.037f : 1.3e-4f;
    const QOut o{dt, s};
    const Tensor x = RandQ(dt, {2, 3, 7, 6}, -hi - 1, hi, 11);
    ExpectAgreement("MaxPool", {QIn(x, s)},
                    Attrs({{"kernel_shape", std::vector<int64_t>{3, 2}},
                           {"strides", std::vector<int64_t>{2, 1}},
                           {"pads", std::vector<int64_t>{1, 0, 1, 1}},
                           {"dilations", std::vector<int64_t>{1, 2}},
                           {"ceil_mode", int64_t{1}}}),
                    {o}, 0);
    ExpectAgreement("GlobalMaxPool", {QIn(x, s)}, {}, {o}, 0);
    ExpectAgreement("ReduceMax", {QIn(x, s), PConst(I64({0, 2}))}, {}, {o}, 0);
    ExpectAgreement("Relu", {QIn(x, s)}, {}, {o}, 0);
    ExpectAgreement("Neg", {QIn(x, s)}, {}, {o}, 0);
    ExpectAgreement("Abs", {QIn(x, s)}, {}, {o}, 0);
    ExpectAgreement(
        "Clip", {QIn(x, s), PConst(Tensor::Scalar(-50.3f * s)), PConst(Tensor::Scalar(81.5f * s))},
        {}, {o}, 0);
    ExpectAgreement(
        "Pad",
        {QIn(x, s), PConst(I64({0, 1, 2, 0, 1, 0, 0, 3})), PConst(Tensor::Scalar(-7.5f * s))}, {},
        {o}, 0);
    ExpectAgreement("Pad", {QIn(x, s), PConst(I64({0, 0, 2, 3, 0, 0, 3, 1}))},
                    Attrs({{"mode", std::string("reflect")}}), {o}, 0);
    ExpectAgreement("ArgMax", {QIn(x, s)},
                    Attrs({{"axis", int64_t{2}}, {"select_last_index", int64_t{1}}}), {{}}, 0);
    ExpectAgreement("TopK", {QIn(x, s), PConst(I64({4}))}, Attrs({{"largest", int64_t{0}}}),
                    {o, {}}, 0);
    ExpectAgreement("Slice",
                    {QIn(x, s), PConst(I64({-1, 1})), PConst(I64({-100, 6})), PConst(I64({3, 1})),
                     PConst(I64({-2, 2}))},
                    {}, {o}, 0);
    ExpectAgreement("Tile", {QIn(x, s), PConst(I64({1, 2, 1, 2}))}, {}, {o}, 0);
    ExpectAgreement("Expand", {QIn(RandQ(dt, {3, 1, 6}, -hi, hi, 5), s), PConst(I64({2, 3, 4, 6}))},
                    {}, {o}, 0);
    ExpectAgreement("DepthToSpace", {QIn(RandQ(dt, {1, 8, 2, 3}, -hi, hi, 6), s)},
                    Attrs({{"blocksize", int64_t{2}}, {"mode", std::string("CRD")}}), {o}, 0);
    ExpectAgreement("SpaceToDepth", {QIn(RandQ(dt, {1, 2, 4, 6}, -hi, hi, 7), s)},
                    Attrs({{"blocksize", int64_t{2}}}), {o}, 0);
    // Comparisons at different scales, with many exact ties.
    const Tensor a = RandQ(dt, {4, 5}, -8, 8, 8);
    const Tensor b = RandQ(dt, {5}, -16, 16, 9);
    for (const char* op : {"Equal", "Greater", "Less"}) {
      ExpectAgreement(op, {QIn(a, 0.5f), QIn(b, 0.25f)}, {}, {{}}, 0);
      ExpectAgreement(op, {QIn(a, s), QIn(b, 0.37f * s)}, {}, {{}}, 0);
    }
  }
}

TEST(ExactOpsQuantAgreementTest, NearestResizeEveryModeIsExact) {
  const Tensor x = RandQ(kI8, {1, 2, 5, 7}, -128, 127, 21);
  for (const char* ctm : {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
                          "align_corners", "asymmetric", "tf_half_pixel_for_nearest"}) {
    for (const char* nm : {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}) {
      const ir::AttributeMap a = Attrs({{"mode", std::string("nearest")},
                                        {"coordinate_transformation_mode", std::string(ctm)},
                                        {"nearest_mode", std::string(nm)}});
      ExpectAgreement("Resize", {QIn(x, 0.02f), None(), PConst(F({4}, {1, 1, 2.5f, 0.6f}))}, a,
                      {{kI8, 0.02f}}, 0);
      ExpectAgreement("Resize", {QIn(x, 0.02f), None(), None(), PConst(I64({1, 2, 3, 11}))}, a,
                      {{kI8, 0.02f}}, 0);
    }
  }
}

TEST(ExactOpsQuantAgreementTest, ArithmeticOpsWithinOneLsb) {
  for (DType dt : {kI8, kI16}) {
    const int64_t hi = dt == kI8 ? 127 : 32767;
    const float s = dt == kI8 ? 0.05f : 2e-4f;
    const Tensor x = RandQ(dt, {2, 3, 6, 5}, -hi - 1, hi, 31);
    for (const char* ctm : {"half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel"}) {
      ExpectAgreement("Resize", {QIn(x, s), None(), PConst(F({4}, {1, 1, 2, 1.5f}))},
                      Attrs({{"mode", std::string("linear")},
                             {"coordinate_transformation_mode", std::string(ctm)}}),
                      {{dt, s}}, 1);
      ExpectAgreement("Resize", {QIn(x, s), None(), None(), PConst(I64({2, 3, 4, 9}))},
                      Attrs({{"mode", std::string("linear")},
                             {"coordinate_transformation_mode", std::string(ctm)}}),
                      {{dt, 0.8f * s}}, 1);
    }
    const Tensor y = RandQ(dt, {6, 1}, -hi - 1, hi, 32);
    ExpectAgreement("Max", {QIn(x, s), QIn(y, 0.7f * s)}, {}, {{dt, 0.9f * s}}, 1);
    ExpectAgreement("Min", {QIn(x, s), QIn(y, 1.7f * s)}, {}, {{dt, 1.3f * s}}, 1);
    const Tensor c = Tensor::FromVector<bool>({5}, {true, false, false, true, true});
    ExpectAgreement("Where", {PIn(c), QIn(x, s), QIn(y, 1.9f * s)}, {}, {{dt, 1.5f * s}}, 1);
    ExpectAgreement("LeakyRelu", {QIn(x, s)}, Attrs({{"alpha", 0.1f}}), {{dt, 0.6f * s}}, 1);
    ExpectAgreement("PRelu", {QIn(x, s), PConst(F({3, 1, 1}, {0.25f, -0.5f, 0.1f}))}, {},
                    {{dt, 0.7f * s}}, 1);
  }
}

}  // namespace
}  // namespace openbpu::ops
