// Agreement cases of the table-op family (docs/NUMERICS.md, "Lookup tables", "SegmentLUT",
// "Softmax", "LayerNorm"): every op with a table kernel on bayes int8, bayes int16 and
// bernoulli2 int8, with input ranges that keep outputs non-degenerate (max |q| >= 64,
// >= 90 % nonzero: e.g. Floor sees [1, 7], Softmax logits span at most e^3), and each case
// carrying the op's asserted table bound (qtable::TableErrorBound).
#include <functional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/quantization/agreement_case.h"
#include "compiler/quantization/agreement_case_util.h"

namespace openbpu::ops::qtable {
// Defined in compiler/ops/quant_table_util.cc (linked by every user of these cases through
// //compiler/ops); declared here because this library cannot depend on the op library.
int64_t TableErrorBound(absl::string_view op, DType dtype);
}  // namespace openbpu::ops::qtable

namespace openbpu::quantization {
namespace {

using frontend::Attrs;

// Values with |v| in [lo, hi] and a random sign.
Tensor SignedMagnitude(const Shape& shape, float lo, float hi, std::mt19937& rng) {
  Tensor t = UniformTensor(shape, lo, hi, rng);
  std::bernoulli_distribution sign(0.5);
  for (float& v : t.span<float>()) v = sign(rng) ? -v : v;
  return t;
}

// Every variant on every configuration, each case carrying the op's table bound.
std::vector<AgreementCase> TableCases(const std::string& op,
                                      const std::vector<CaseVariant>& variants, std::mt19937& rng) {
  std::vector<AgreementCase> cases = ConfigCases(op, variants, rng);
  for (AgreementCase& c : cases) {
    c.max_lsb = static_cast<int>(ops::qtable::TableErrorBound(op, c.activation_dtype));
  }
  return cases;
}

// A unary op on uniform inputs in [lo, hi], over two shapes.
AgreementCaseGenerator Unary(const std::string& op, float lo, float hi,
                             ir::AttributeMap attrs = {}) {
  return [op, lo, hi, attrs](std::mt19937& rng) {
    std::vector<CaseVariant> variants;
    for (const Shape& shape : {Shape{2, 3, 8, 8}, Shape{5, 77}}) {
      variants.push_back({absl::StrCat("[", lo, ", ", hi, "] ", ShapeToString(shape)),
                          [op, lo, hi, attrs, shape](CaseContext& c) {
                            c.b.Output(c.b.Op(op, {c.U(shape, lo, hi)}, attrs));
                          }});
    }
    return TableCases(op, variants, rng);
  };
}

OPENBPU_REGISTER_AGREEMENT_CASES(TableSigmoid, "Sigmoid", Unary("Sigmoid", -4.f, 6.f));
OPENBPU_REGISTER_AGREEMENT_CASES(TableTanh, "Tanh", Unary("Tanh", -3.f, 3.f));
OPENBPU_REGISTER_AGREEMENT_CASES(TableExp, "Exp", Unary("Exp", -2.f, 2.f));
OPENBPU_REGISTER_AGREEMENT_CASES(TableLog, "Log", Unary("Log", 0.5f, 8.f));
OPENBPU_REGISTER_AGREEMENT_CASES(TableSqrt, "Sqrt", Unary("Sqrt", 0.1f, 9.f));
OPENBPU_REGISTER_AGREEMENT_CASES(TableSin, "Sin", Unary("Sin", -3.f, 3.f));
OPENBPU_REGISTER_AGREEMENT_CASES(TableCos, "Cos", Unary("Cos", -3.f, 3.f));
OPENBPU_REGISTER_AGREEMENT_CASES(TableAtan, "Atan", Unary("Atan", -5.f, 5.f));
OPENBPU_REGISTER_AGREEMENT_CASES(TableErf, "Erf", Unary("Erf", -2.f, 2.f));
OPENBPU_REGISTER_AGREEMENT_CASES(TableSoftplus, "Softplus", Unary("Softplus", -3.f, 5.f));
std::vector<AgreementCase> TableEluCases(std::mt19937& rng) {
  std::vector<AgreementCase> a = Unary("Elu", -3.f, 3.f)(rng);
  std::vector<AgreementCase> b = Unary("Elu", -3.f, 3.f, Attrs({{"alpha", 0.5f}}))(rng);
  for (AgreementCase& c : b) a.push_back(std::move(c));
  return a;
}
OPENBPU_REGISTER_AGREEMENT_CASES(TableElu, "Elu", TableEluCases);
OPENBPU_REGISTER_AGREEMENT_CASES(TableHardSigmoid, "HardSigmoid", Unary("HardSigmoid", -2.f, 2.f));
OPENBPU_REGISTER_AGREEMENT_CASES(TableHardSwish, "HardSwish", Unary("HardSwish", -2.5f, 4.f));
OPENBPU_REGISTER_AGREEMENT_CASES(TableSiLU, "SiLU", Unary("SiLU", -3.f, 8.f));
OPENBPU_REGISTER_AGREEMENT_CASES(TableCeil, "Ceil", Unary("Ceil", 0.01f, 6.f));
OPENBPU_REGISTER_AGREEMENT_CASES(TableFloor, "Floor", Unary("Floor", 1.f, 7.f));

std::vector<AgreementCase> TableReciprocalCases(std::mt19937& rng) {
  std::vector<CaseVariant> variants = {
      {"+-[0.5, 4]", [](CaseContext& c) {
         c.b.Output(c.b.Op("Reciprocal", {c.In(SignedMagnitude({4, 64}, 0.5f, 4.f, *c.rng))}));
       }}};
  std::vector<AgreementCase> cases = TableCases("Reciprocal", variants, rng);
  for (AgreementCase& c : Unary("Reciprocal", 0.3f, 3.f)(rng)) cases.push_back(std::move(c));
  return cases;
}
OPENBPU_REGISTER_AGREEMENT_CASES(TableReciprocal, "Reciprocal", TableReciprocalCases);

std::vector<AgreementCase> TablePowCases(std::mt19937& rng) {
  std::vector<CaseVariant> variants;
  for (const auto& [e, lo, hi] :
       {std::tuple<float, float, float>{2.f, 0.5f, 3.f}, {0.5f, 0.2f, 4.f}, {3.f, 0.5f, 2.5f}}) {
    variants.push_back({absl::StrCat("x^", e, " x in [", lo, ", ", hi, "]"),
                        [e = e, lo = lo, hi = hi](CaseContext& c) {
                          ir::Value* ex = c.b.Constant(Tensor::Scalar<float>(e));
                          c.b.Output(c.b.Op("Pow", {c.U({3, 50}, lo, hi), ex}));
                        }});
  }
  return TableCases("Pow", variants, rng);
}
OPENBPU_REGISTER_AGREEMENT_CASES(TablePow, "Pow", TablePowCases);

std::vector<AgreementCase> TableDivCases(std::mt19937& rng) {
  std::vector<CaseVariant> variants = {
      {"same shape",
       [](CaseContext& c) {
         ir::Value* x = c.U({4, 48}, -3.f, 3.f);
         ir::Value* y = c.In(SignedMagnitude({4, 48}, 0.5f, 2.f, *c.rng));
         c.b.Output(c.b.Op("Div", {x, y}));
       }},
      {"broadcast divisor",
       [](CaseContext& c) {
         ir::Value* x = c.U({2, 6, 5, 5}, -3.f, 3.f);
         ir::Value* y = c.In(UniformTensor({1, 6, 1, 1}, 0.5f, 2.f, *c.rng));
         c.b.Output(c.b.Op("Div", {x, y}));
       }},
      {"constant divisor", [](CaseContext& c) {
         ir::Value* x = c.U({3, 40}, -3.f, 3.f);
         c.b.Output(c.b.Op("Div", {x, c.CU({40}, 0.7f, 1.9f)}));
       }}};
  return TableCases("Div", variants, rng);
}
OPENBPU_REGISTER_AGREEMENT_CASES(TableDiv, "Div", TableDivCases);

std::vector<AgreementCase> TableSoftmaxCases(std::mt19937& rng) {
  std::vector<CaseVariant> variants;
  for (const auto& [shape, axis] : {std::pair<Shape, int64_t>{{2, 5, 16}, -1},
                                    {{2, 16, 5}, 1},
                                    {{3, 64}, 1},
                                    {{1, 4, 3, 8}, 3}}) {
    variants.push_back(
        {absl::StrCat(ShapeToString(shape), " axis ", axis),
         [shape = shape, axis = axis](CaseContext& c) {
           c.b.Output(c.b.Op("Softmax", {c.U(shape, -1.5f, 1.5f)}, Attrs({{"axis", axis}})));
         }});
  }
  return TableCases("Softmax", variants, rng);
}
OPENBPU_REGISTER_AGREEMENT_CASES(TableSoftmax, "Softmax", TableSoftmaxCases);

std::vector<AgreementCase> TableLayerNormalizationCases(std::mt19937& rng) {
  std::vector<CaseVariant> variants = {
      {"last axis, scale and bias",
       [](CaseContext& c) {
         c.b.Output(
             c.b.Op("LayerNormalization",
                    {c.U({2, 4, 32}, -2.f, 2.f), c.CU({32}, 0.5f, 1.5f), c.CU({32}, -0.2f, 0.2f)}));
       }},
      {"last two axes, scale only",
       [](CaseContext& c) {
         c.b.Output(c.b.Op("LayerNormalization",
                           {c.U({3, 6, 10}, -1.f, 3.f), c.CU({6, 10}, 0.5f, 1.5f)},
                           Attrs({{"axis", int64_t{1}}})));
       }},
      {"negative scale", [](CaseContext& c) {
         c.b.Output(c.b.Op("LayerNormalization", {c.U({4, 24}, -2.f, 2.f), c.CU({24}, -1.5f, -0.5f),
                                                  c.CU({24}, -0.3f, 0.3f)}));
       }}};
  return TableCases("LayerNormalization", variants, rng);
}
OPENBPU_REGISTER_AGREEMENT_CASES(TableLayerNormalization, "LayerNormalization",
                                 TableLayerNormalizationCases);

}  // namespace
}  // namespace openbpu::quantization
