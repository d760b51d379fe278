// Quantized kernels of the table-op family (docs/NUMERICS.md, "Lookup tables",
// "SegmentLUT", "Softmax", "LayerNorm"): hand-made quantized nodes run through qprepare and
// qkernel, checked against hand-computed integers, the table definition, and the float op
// on dequantized inputs fake-quantized with the output scale.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/tensor.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/ir/op_registry.h"
#include "compiler/ops/op_test_util.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_table_util.h"
#include "compiler/ops/quant_test_util.h"
#include "gtest/gtest.h"
#include "isa/numerics/lut.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

// A node argument: integers of `scale` (scale > 0) or a plain float tensor; an input or a
// constant.
struct TArg {
  Tensor tensor;
  float scale = 0;
  bool constant = false;
};

using quant_test::Dequantize;

Tensor FloatOf(const TArg& a) { return a.scale > 0 ? Dequantize(a.tensor, a.scale) : a.tensor; }

struct QRun {
  std::unique_ptr<ir::Graph> graph;
  Tensor output;
  const ir::Node* node = nullptr;
};

// Builds the float node, retypes its values as quantized, runs qprepare then qkernel.
absl::StatusOr<QRun> RunQuant(const std::string& op, const std::vector<TArg>& args,
                              ir::AttributeMap attrs, DType out_storage, float out_scale,
                              const std::string& march = "bayes") {
  frontend::GraphBuilder b;
  std::vector<ir::Value*> values;
  for (size_t i = 0; i < args.size(); ++i) {
    const Tensor f = FloatOf(args[i]);
    values.push_back(args[i].constant ? b.Constant(f)
                                      : b.Input(absl::StrCat("in", i), f.dtype(), f.shape()));
  }
  b.Output(b.OpN(op, values, 1, std::move(attrs), "n")[0]);
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  if (!g.ok()) return g.status();
  ir::Node* node = (*g)->FindNode("n");
  if (node == nullptr) return absl::InternalError("node folded away");
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].scale <= 0) continue;
    ir::Value* v = node->input(static_cast<int>(i));
    if (args[i].constant) v->set_constant(args[i].tensor);
    v->mutable_type().dtype = args[i].tensor.dtype();
    v->mutable_type().quant = ir::QuantInfo{args[i].tensor.dtype(), {args[i].scale}, -1};
  }
  ir::TensorType& t = node->output(0)->mutable_type();
  t.dtype = out_storage;
  t.quant = ir::QuantInfo{out_storage, {out_scale}, -1};
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(op);
  if (schema == nullptr || !schema->qkernel || schema->qkind != ir::QuantKind::kTable) {
    return absl::NotFoundError("no table qkernel");
  }
  if (absl::Status st = schema->qprepare(*node, ir::QuantOpContext{march}); !st.ok()) return st;
  std::vector<const Tensor*> inputs;
  for (const TArg& a : args) inputs.push_back(&a.tensor);
  std::vector<Tensor> outputs;
  if (absl::Status st = schema->qkernel(*node, inputs, outputs); !st.ok()) return st;
  if (outputs.size() != 1 || outputs[0].dtype() != out_storage ||
      outputs[0].shape() != node->output(0)->type().shape) {
    return absl::InternalError("qkernel output does not match the output value's type");
  }
  QRun r;
  r.output = std::move(outputs[0]);
  r.node = node;
  r.graph = *std::move(g);
  return r;
}

int64_t FakeQuant(float v, float s, int64_t lo, int64_t hi) {
  const float p = v * (1.0f / s);
  if (std::isnan(p)) return 0;
  const float q = std::nearbyint(p);
  return q < lo ? lo : (q > hi ? hi : static_cast<int64_t>(q));
}

// max |quantized - fake_quant(float op on dequantized inputs)| in output LSBs; NaN float
// results (outside the function's domain) are skipped.
absl::StatusOr<int64_t> ErrorVsFloat(const std::string& op, const std::vector<TArg>& args,
                                     const ir::AttributeMap& attrs, DType out_storage,
                                     float out_scale, const std::string& march = "bayes") {
  absl::StatusOr<QRun> q = RunQuant(op, args, attrs, out_storage, out_scale, march);
  if (!q.ok()) return q.status();
  std::vector<Arg> float_args;
  for (const TArg& a : args) float_args.push_back(a.constant ? Const(FloatOf(a)) : In(FloatOf(a)));
  absl::StatusOr<std::vector<Tensor>> f = RunOp(op, float_args, attrs);
  if (!f.ok()) return f.status();
  const auto [lo, hi] = qtable::Range(out_storage);
  int64_t worst = 0;
  for (int64_t k = 0; k < (*f)[0].num_elements(); ++k) {
    const float v = (*f)[0].data<float>()[k];
    if (std::isnan(v)) continue;
    worst = std::max(worst, std::abs(q->output.GetAsInt64(k) - FakeQuant(v, out_scale, lo, hi)));
  }
  return worst;
}

Tensor AllInt8() {
  std::vector<int8_t> v;
  for (int x = -128; x <= 127; ++x) v.push_back(static_cast<int8_t>(x));
  return Tensor::FromVector<int8_t>({256}, v);
}

Tensor Int16Sweep(int step) {
  std::vector<int16_t> v;
  for (int x = -32768; x <= 32767; x += step) v.push_back(static_cast<int16_t>(x));
  v.push_back(32767);
  return Tensor::FromVector<int16_t>({static_cast<int64_t>(v.size())}, v);
}

struct UnaryCase {
  std::string op;
  std::function<double(double)> f;  // the table definition's function
  double amax_in, amax_out;
  ir::AttributeMap attrs;
};

std::vector<UnaryCase> UnaryCases() {
  auto sig = [](double x) { return 1 / (1 + std::exp(-x)); };
  return {
      {"Sigmoid", sig, 8, 1, {}},
      {"Tanh", [](double x) { return std::tanh(x); }, 4, 1, {}},
      {"Exp", [](double x) { return std::exp(x); }, 3, 20.1, {}},
      {"Log", [](double x) { return x > 0 ? std::log(x) : -HUGE_VAL; }, 8, 2.1, {}},
      {"Sqrt", [](double x) { return x > 0 ? std::sqrt(x) : 0.0; }, 9, 3, {}},
      {"Reciprocal", [](double x) { return x != 0 ? 1 / x : HUGE_VAL; }, 8, 4, {}},
      {"Sin", [](double x) { return std::sin(x); }, 3.2, 1, {}},
      {"Cos", [](double x) { return std::cos(x); }, 3.2, 1, {}},
      {"Atan", [](double x) { return std::atan(x); }, 5, 1.4, {}},
      {"Erf", [](double x) { return std::erf(x); }, 3, 1, {}},
      {"Softplus",
       [](double x) { return (x > 0 ? x : 0.0) + std::log1p(std::exp(-std::fabs(x))); },
       6,
       6,
       {}},
      {"Elu", [](double x) { return x > 0 ? x : 0.5 * std::expm1(x); }, 4, 4,
       Attrs({{"alpha", 0.5f}})},
      {"HardSigmoid",
       [](double x) { return std::max(0.0, std::min(1.0, static_cast<double>(0.25f) * x + 0.5)); },
       4, 1, Attrs({{"alpha", 0.25f}})},
      {"HardSwish",
       [](double x) { return x * std::max(0.0, std::min(1.0, x / 6 + 0.5)); },
       5,
       5,
       {}},
      {"Ceil", [](double x) { return std::ceil(x); }, 4, 4, {}},
      {"Floor", [](double x) { return std::floor(x); }, 4, 4, {}},
  };
}

TEST(TableOpsQuantTest, Int8TablesEqualTheDefinitionAndFloatWithinOneLsb) {
  for (const UnaryCase& c : UnaryCases()) {
    const float s_in = static_cast<float>(c.amax_in / 127.5);
    const float s_out = static_cast<float>(c.amax_out / 127.5);
    absl::StatusOr<QRun> q =
        RunQuant(c.op, {{AllInt8(), s_in}}, c.attrs, DType::kInt8, s_out, "bernoulli2");
    ASSERT_TRUE(q.ok()) << c.op << ": " << q.status();
    for (int x = -128; x <= 127; ++x) {
      const int64_t want = numerics::QuantizeTableEntry(
          c.f(x * static_cast<double>(s_in)) / static_cast<double>(s_out), -128, 127);
      ASSERT_EQ(q->output.data<int8_t>()[x + 128], want) << c.op << " x=" << x;
    }
    absl::StatusOr<int64_t> e =
        ErrorVsFloat(c.op, {{AllInt8(), s_in}}, c.attrs, DType::kInt8, s_out, "bernoulli2");
    ASSERT_TRUE(e.ok()) << e.status();
    std::printf("lut-error: %s int8 max_lsb=%lld\n", c.op.c_str(), static_cast<long long>(*e));
    EXPECT_LE(*e, qtable::TableErrorBound(c.op, DType::kInt8)) << c.op;
  }
}

TEST(TableOpsQuantTest, Int16WithinBoundOfTheDefinition) {
  const Tensor x = Int16Sweep(7);
  for (const UnaryCase& c : UnaryCases()) {
    const double s_in = static_cast<float>(c.amax_in / 32767.5);
    const double s_out = static_cast<float>(c.amax_out / 32767.5);
    absl::StatusOr<QRun> q = RunQuant(c.op, {{x, static_cast<float>(s_in)}}, c.attrs, DType::kInt16,
                                      static_cast<float>(s_out));
    ASSERT_TRUE(q.ok()) << c.op << ": " << q.status();
    int64_t worst = 0;
    for (int64_t k = 0; k < x.num_elements(); ++k) {
      const int64_t xi = x.data<int16_t>()[k];
      const int64_t want = numerics::QuantizeTableEntry(c.f(xi * s_in) / s_out, -32768, 32767);
      worst = std::max(worst, std::abs(q->output.data<int16_t>()[k] - want));
    }
    absl::StatusOr<int64_t> measured = qparams::MeasuredTableError(*q->node);
    ASSERT_TRUE(measured.ok()) << measured.status();
    std::printf("lut-error: %s int16 max_lsb=%lld (sweep %lld)\n", c.op.c_str(),
                static_cast<long long>(*measured), static_cast<long long>(worst));
    EXPECT_LE(worst, *measured) << c.op;
    EXPECT_LE(*measured, qtable::TableErrorBound(c.op, DType::kInt16)) << c.op;
  }
}

TEST(TableOpsQuantTest, SigmoidHandChecked) {
  absl::StatusOr<QRun> q =
      RunQuant("Sigmoid", {{Tensor::FromVector<int8_t>({3}, {0, 10, -128}), 8 / 127.5f}}, {},
               DType::kInt8, 1 / 127.5f);
  ASSERT_TRUE(q.ok()) << q.status();
  // 0.5 * 127.5 = 63.75 -> 64; sigmoid(0.62745) * 127.5 = 83.12 -> 83; sigmoid(-8.03) -> 0.
  ExpectTensor<int8_t>(q->output, {3}, {64, 83, 0});
}

TEST(TableOpsQuantTest, DomainHandling) {
  // Log of x <= 0 is the lowest output, Sqrt of x < 0 is 0, Reciprocal of 0 the highest.
  const Tensor x = Tensor::FromVector<int8_t>({3}, {-5, 0, 10});
  absl::StatusOr<QRun> log = RunQuant("Log", {{x, 0.1f}}, {}, DType::kInt8, 0.05f);
  ASSERT_TRUE(log.ok()) << log.status();
  ExpectTensor<int8_t>(log->output, {3}, {-128, -128, 0});
  absl::StatusOr<QRun> sq = RunQuant("Sqrt", {{x, 0.1f}}, {}, DType::kInt8, 0.05f);
  ASSERT_TRUE(sq.ok()) << sq.status();
  ExpectTensor<int8_t>(sq->output, {3}, {0, 0, 20});
  absl::StatusOr<QRun> rec = RunQuant("Reciprocal", {{x, 0.1f}}, {}, DType::kInt8, 0.05f);
  ASSERT_TRUE(rec.ok()) << rec.status();
  ExpectTensor<int8_t>(rec->output, {3}, {-40, 127, 20});
}

TEST(TableOpsQuantTest, Int16NeedsBayes) {
  absl::StatusOr<QRun> q = RunQuant("Tanh", {{Tensor::FromVector<int16_t>({1}, {5}), 1e-3f}}, {},
                                    DType::kInt16, 1e-4f, "bernoulli2");
  EXPECT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("'n'"), std::string::npos) << q.status();
}

TEST(TableOpsQuantTest, CeilFloorInt16Exact) {
  // s_in = 1/8: q = 13 is 1.625 -> ceil 2, floor 1; q = -13 -> -1 / -2. s_out = 1/4.
  const Tensor x = Tensor::FromVector<int16_t>({4}, {13, -13, 16, 32767});
  absl::StatusOr<QRun> c = RunQuant("Ceil", {{x, 0.125f}}, {}, DType::kInt16, 0.25f);
  ASSERT_TRUE(c.ok()) << c.status();
  ExpectTensor<int16_t>(c->output, {4}, {8, -4, 8, 16384});
  absl::StatusOr<QRun> f = RunQuant("Floor", {{x, 0.125f}}, {}, DType::kInt16, 0.25f);
  ASSERT_TRUE(f.ok()) << f.status();
  ExpectTensor<int16_t>(f->output, {4}, {4, -8, 8, 16380});
}

TEST(TableOpsQuantTest, PowConstantExponent) {
  // x^2 with the exponent a quantized constant 127 * (2 / 127) = 2.
  const Tensor x = Tensor::FromVector<int8_t>({3}, {10, -20, 127});
  absl::StatusOr<QRun> q =
      RunQuant("Pow", {{x, 0.1f}, {Tensor::FromVector<int8_t>({}, {127}), 2 / 127.f, true}}, {},
               DType::kInt8, 0.2f);
  ASSERT_TRUE(q.ok()) << q.status();
  // 1 / 0.2 = 5; 4 / 0.2 = 20; 161.29 / 0.2 saturates.
  ExpectTensor<int8_t>(q->output, {3}, {5, 20, 127});
  absl::StatusOr<QRun> bad = RunQuant("Pow", {{x, 0.1f}, {x, 0.1f}}, {}, DType::kInt8, 0.2f);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kUnimplemented);
}

TEST(TableOpsQuantTest, DivHandCheckedAndAgainstFloat) {
  // 10 / 2 = 5 -> 50; -3 / 0.5 = -6 -> -60; 1.2 / -1.5 = -0.8 -> -8; x / 0 saturates.
  const Tensor x = Tensor::FromVector<int8_t>({5}, {100, -30, 12, 5, 0});
  const Tensor y = Tensor::FromVector<int8_t>({5}, {4, 1, -3, 0, 0});
  absl::StatusOr<QRun> q = RunQuant("Div", {{x, 0.1f}, {y, 0.5f}}, {}, DType::kInt8, 0.1f);
  ASSERT_TRUE(q.ok()) << q.status();
  ExpectTensor<int8_t>(q->output, {5}, {50, -60, -8, 127, 0});
  std::mt19937 rng(7);
  for (DType dt : {DType::kInt8, DType::kInt16}) {
    const int64_t hi = dt == DType::kInt8 ? 127 : 32767;
    std::uniform_int_distribution<int64_t> ux(-hi, hi), uy(hi / 4, hi);
    std::vector<int64_t> a(64), b(64);
    for (int i = 0; i < 64; ++i) {
      a[i] = ux(rng);
      b[i] = (i % 2 ? -1 : 1) * uy(rng);
    }
    const float sx = 4.f / hi, sy = 2.f / hi, so = 8.f / hi;
    absl::StatusOr<int64_t> e = ErrorVsFloat(
        "Div", {{qtable::IntTensor(dt, {8, 8}, a), sx}, {qtable::IntTensor(dt, {8, 8}, b), sy}}, {},
        dt, so);
    ASSERT_TRUE(e.ok()) << e.status();
    std::printf("lut-error: Div %s max_lsb=%lld\n", std::string(DTypeName(dt)).c_str(),
                static_cast<long long>(*e));
    EXPECT_LE(*e, qtable::TableErrorBound("Div", dt));
  }
}

TEST(TableOpsQuantTest, SoftmaxHandCheckedAndAgainstFloat) {
  absl::StatusOr<QRun> q =
      RunQuant("Softmax", {{Tensor::FromVector<int8_t>({2, 2}, {5, 5, 0, 127}), 0.1f}},
               Attrs({{"axis", int64_t{1}}}), DType::kInt8, 1 / 127.5f);
  ASSERT_TRUE(q.ok()) << q.status();
  // Equal logits: 0.5 * 127.5 = 63.75 -> 64; e^-12.7 ~ 0 and the other is 1 -> 127.
  ExpectTensor<int8_t>(q->output, {2, 2}, {64, 64, 0, 127});
  std::mt19937 rng(3);
  for (DType dt : {DType::kInt8, DType::kInt16}) {
    const int64_t hi = dt == DType::kInt8 ? 127 : 32767;
    std::uniform_int_distribution<int64_t> u(-hi, hi);
    std::vector<int64_t> a(4 * 10 * 3);
    for (int64_t& v : a) v = u(rng);
    for (int64_t axis : {1, 2}) {
      absl::StatusOr<int64_t> e =
          ErrorVsFloat("Softmax", {{qtable::IntTensor(dt, {4, 10, 3}, a), 4.f / hi}},
                       Attrs({{"axis", axis}}), dt, 1.f / (hi + 0.5f));
      ASSERT_TRUE(e.ok()) << e.status();
      std::printf("lut-error: Softmax %s max_lsb=%lld\n", std::string(DTypeName(dt)).c_str(),
                  static_cast<long long>(*e));
      EXPECT_LE(*e, qtable::TableErrorBound("Softmax", dt));
    }
  }
}

TEST(TableOpsQuantTest, LayerNormAgainstFloat) {
  std::mt19937 rng(5);
  for (DType dt : {DType::kInt8, DType::kInt16}) {
    const int64_t hi = dt == DType::kInt8 ? 127 : 32767;
    std::uniform_int_distribution<int64_t> u(-hi, hi);
    std::vector<int64_t> a(6 * 16);
    for (int64_t& v : a) v = u(rng);
    std::vector<int64_t> g(16), b(16);
    for (int i = 0; i < 16; ++i) {
      g[i] = (i % 3 == 0 ? -1 : 1) * (hi / 2 + i * hi / 40);
      b[i] = (i - 8) * hi / 10;
    }
    const float sg = 1.5f / hi, sb = 0.5f / hi;
    absl::StatusOr<int64_t> e = ErrorVsFloat("LayerNormalization",
                                             {{qtable::IntTensor(dt, {6, 16}, a), 3.f / hi},
                                              {qtable::IntTensor(dt, {16}, g), sg, true},
                                              {qtable::IntTensor(dt, {16}, b), sb, true}},
                                             {}, dt, 4.f / hi);
    ASSERT_TRUE(e.ok()) << e.status();
    std::printf("lut-error: LayerNormalization %s max_lsb=%lld\n",
                std::string(DTypeName(dt)).c_str(), static_cast<long long>(*e));
    EXPECT_LE(*e, qtable::TableErrorBound("LayerNormalization", dt));
  }
  // Only output Y can be quantized.
  frontend::GraphBuilder bld;
  ir::Value* x = bld.Input("x", DType::kFloat32, {2, 4});
  for (ir::Value* v : bld.OpN("LayerNormalization", {x}, 2, {}, "n")) bld.Output(v);
  absl::StatusOr<std::unique_ptr<ir::Graph>> graph = bld.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  ir::Node* node = (*graph)->FindNode("n");
  for (ir::Value* v : {node->input(0), node->output(0), node->output(1)}) {
    v->mutable_type().dtype = DType::kInt8;
    v->mutable_type().quant = ir::QuantInfo{DType::kInt8, {0.1f}, -1};
  }
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find("LayerNormalization");
  EXPECT_EQ(schema->qprepare(*node, {"bayes"}).code(), absl::StatusCode::kUnimplemented);
}

TEST(TableOpsQuantTest, BoundsAreDiscoverable) {
  EXPECT_EQ(qtable::TableErrorBound("Sigmoid", DType::kInt8), 1);
  EXPECT_EQ(qtable::TableErrorBound("Sigmoid", DType::kInt16), 4);
  EXPECT_EQ(qtable::TableErrorBound("Relu", DType::kInt8), -1);
}

}  // namespace
}  // namespace openbpu::ops
