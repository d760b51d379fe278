// Agreement cases of the arithmetic family (docs/NUMERICS.md, "Add", "Mul",
// "Conv and linear", "Concat", "Average pooling and mean"): conv / linear /
// matmul over shapes, strides, groups, dilations, pads, sumin and relu/relu6,
// conv-transpose with output_padding and groups,
// broadcast add/sub/mul with unequal scales, concat of differently scaled
// inputs, pooling and reductions; each on bayes int8, bayes int16 and
// bernoulli2 int8. Relu outputs get a positive bias so that >= 90 % stay
// nonzero; MinMax output scales make max |q| the full range.
//
// Saturation: every op also runs some variants calibrated on its inputs
// scaled by 0.5 (`Saturating`), so the border clips the inputs and the op's
// requantize clips outputs at the int limits. Concat's, Max's, Min's and
// Where's calibrated output range always holds their inputs' ranges, so their
// saturation variants instead pin a narrower output range (a fixed scale, as
// from a QAT model's fake quant).
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/quantization/agreement_case.h"
#include "compiler/quantization/agreement_case_util.h"

namespace openbpu::quantization {
namespace {

using frontend::Attrs;
using Ints = std::vector<int64_t>;

// ------------------------------------------------------------ conv / linear

struct ConvSpec {
  std::string name;
  int64_t n, c, m, h, w, k, stride, dilation, pad, group;
  std::string activation = "none";
  bool sumin = false;
};

std::vector<AgreementCase> ConvCases(const std::string& op, std::mt19937& rng) {
  std::vector<ConvSpec> specs = {
      {"3x3 pad 1", 1, 8, 16, 10, 10, 3, 1, 1, 1, 1},
      {"3x3 stride 2 groups 4", 2, 8, 12, 11, 9, 3, 2, 1, 1, 4},
      {"depthwise 3x3 dilation 2", 1, 6, 6, 12, 12, 3, 1, 2, 2, 6},
      {"1x1", 1, 16, 8, 7, 7, 1, 1, 1, 0, 1},
      {"5x5 stride 3", 1, 3, 8, 17, 17, 5, 3, 1, 2, 1},
  };
  if (op == "FusedConv") {
    specs.push_back({"3x3 relu", 1, 8, 8, 9, 9, 3, 1, 1, 1, 1, "relu"});
    specs.push_back({"3x3 sumin relu", 1, 8, 8, 9, 9, 3, 1, 1, 1, 1, "relu", true});
    specs.push_back({"1x1 sumin", 1, 8, 16, 6, 6, 1, 1, 1, 0, 1, "none", true});
    specs.push_back({"3x3 stride 2 relu6", 1, 4, 8, 12, 12, 3, 2, 1, 1, 2, "relu6"});
  }
  std::vector<CaseVariant> variants;
  for (const ConvSpec& s : specs) {
    variants.push_back(
        {s.name, [op, s](CaseContext& c) {
           ir::Value* x = c.U({s.n, s.c, s.h, s.w}, -2.f, 2.f);
           // relu / relu6: small weights and a bias of 3..4 keep nearly every output
           // inside (0, 6) (non-degenerate, and relu6 still clips a few).
           const bool positive = s.activation != "none";
           const float wr = positive ? 0.2f : 0.5f;
           ir::Value* w = c.CU({s.m, s.c / s.group, s.k, s.k}, -wr, wr);
           ir::Value* bias = c.CU({s.m}, positive ? 3.f : -0.5f, positive ? 4.f : 0.5f);
           ir::AttributeMap attrs = Attrs({{"strides", Ints{s.stride, s.stride}},
                                           {"dilations", Ints{s.dilation, s.dilation}},
                                           {"pads", Ints{s.pad, s.pad, s.pad, s.pad}},
                                           {"group", s.group}});
           std::vector<ir::Value*> in = {x, w, bias};
           if (op == "FusedConv") {
             attrs.Set("activation", s.activation);
             if (s.sumin) {
               const int64_t oh = (s.h + 2 * s.pad - s.dilation * (s.k - 1) - 1) / s.stride + 1;
               const int64_t ow = (s.w + 2 * s.pad - s.dilation * (s.k - 1) - 1) / s.stride + 1;
               in.push_back(c.U({s.n, s.m, oh, ow}, -1.f, 3.f));
             }
           }
           c.Out(c.b.Op(op, in, attrs));
         }});
  }
  if (op == "Conv") {
    variants.push_back({"no bias", [](CaseContext& c) {
                          c.Out(c.b.Op("Conv", {c.U({1, 4, 8, 8}), c.CU({8, 4, 3, 3}, -0.5f, 0.5f)},
                                       Attrs({{"pads", Ints{1, 1, 1, 1}}})));
                        }});
  }
  std::vector<AgreementCase> cases = ConfigCases(op, variants, rng);
  std::vector<CaseVariant> saturating = {Saturating(variants, "3x3 pad 1")};
  if (op == "FusedConv") saturating.push_back(Saturating(variants, "1x1 sumin"));
  AppendCases(cases, ConfigCases(op, saturating, rng));
  return cases;
}

OPENBPU_REGISTER_AGREEMENT_CASES(FusedConv, "FusedConv",
                                 [](std::mt19937& rng) { return ConvCases("FusedConv", rng); });
OPENBPU_REGISTER_AGREEMENT_CASES(Conv, "Conv",
                                 [](std::mt19937& rng) { return ConvCases("Conv", rng); });

// ConvTranspose: convert gives the weight C_out / group scales along axis 1,
// shared by the groups, and (UNIMPLEMENTED) no per-output-channel bias scales
// when group > 1, so the grouped cases have no bias.
std::vector<AgreementCase> ConvTransposeCases(std::mt19937& rng) {
  struct Spec {
    std::string name;
    int64_t n, c, m, h, w, k, stride, pad, out_pad, dilation, group;
    bool bias;
  };
  const std::vector<Spec> specs = {
      {"3x3 stride 1 pad 1", 1, 8, 8, 6, 6, 3, 1, 1, 0, 1, 1, true},
      {"4x4 stride 2 pad 1", 1, 8, 6, 5, 5, 4, 2, 1, 0, 1, 1, true},
      {"3x3 stride 2 pad 1 output_padding 1", 2, 6, 8, 5, 4, 3, 2, 1, 1, 1, 1, true},
      {"3x3 dilation 2 pad 2", 1, 4, 6, 5, 5, 3, 1, 2, 0, 2, 1, true},
      {"2x2 stride 2 groups 2", 1, 8, 8, 5, 5, 2, 2, 0, 0, 1, 2, false},
      {"3x3 stride 2 pad 1 output_padding 1 groups 2", 1, 4, 6, 5, 6, 3, 2, 1, 1, 1, 2, false},
  };
  std::vector<CaseVariant> variants;
  for (const Spec& s : specs) {
    variants.push_back({s.name, [s](CaseContext& c) {
                          std::vector<ir::Value*> in = {
                              c.U({s.n, s.c, s.h, s.w}, -2.f, 2.f),
                              c.CU({s.c, s.m / s.group, s.k, s.k}, -0.5f, 0.5f)};
                          if (s.bias) in.push_back(c.CU({s.m}, -0.5f, 0.5f));
                          c.Out(c.b.Op("ConvTranspose", in,
                                       Attrs({{"strides", Ints{s.stride, s.stride}},
                                              {"dilations", Ints{s.dilation, s.dilation}},
                                              {"pads", Ints{s.pad, s.pad, s.pad, s.pad}},
                                              {"output_padding", Ints{s.out_pad, s.out_pad}},
                                              {"group", s.group}})));
                        }});
  }
  std::vector<AgreementCase> cases = ConfigCases("ConvTranspose", variants, rng);
  AppendCases(cases,
              ConfigCases("ConvTranspose", {Saturating(variants, "4x4 stride 2 pad 1")}, rng));
  return cases;
}
OPENBPU_REGISTER_AGREEMENT_CASES(ConvTranspose, "ConvTranspose", ConvTransposeCases);

std::vector<AgreementCase> FusedLinearCases(std::mt19937& rng) {
  std::vector<CaseVariant> v;
  for (const auto& [shape, act, sumin] :
       std::vector<std::tuple<Shape, std::string, bool>>{{{4, 32}, "none", false},
                                                         {{2, 3, 48}, "relu", false},
                                                         {{6, 24}, "none", true},
                                                         {{5, 16}, "relu6", true}}) {
    v.push_back({absl::StrCat(ShapeToString(shape), " ", act, sumin ? " sumin" : ""),
                 [shape, act, sumin](CaseContext& c) {
                   const int64_t k = shape.back(), n = 20;
                   const bool positive = act != "none";
                   std::vector<ir::Value*> in = {
                       c.U(shape), c.CU({n, k}, positive ? -0.15f : -0.4f, positive ? 0.15f : 0.4f),
                       c.CU({n}, positive ? 2.f : -0.5f, positive ? 3.f : 0.5f)};
                   if (sumin) {
                     Shape out = shape;
                     out.back() = n;
                     in.push_back(c.U(out, -1.f, 2.f));
                   }
                   c.Out(c.b.Op("FusedLinear", in, Attrs({{"activation", act}})));
                 }});
  }
  std::vector<AgreementCase> cases = ConfigCases("FusedLinear", v, rng);
  AppendCases(cases, ConfigCases("FusedLinear", {Saturating(v, "[6,24] none sumin")}, rng));
  return cases;
}
OPENBPU_REGISTER_AGREEMENT_CASES(FusedLinear, "FusedLinear", FusedLinearCases);

std::vector<AgreementCase> MatMulCases(std::mt19937& rng) {
  std::vector<CaseVariant> v = {
      {"[8,16] x [16,12]",
       [](CaseContext& c) {
         c.Out(c.b.Op("MatMul", {c.U({8, 16}), c.U({16, 12})}));
       }},
      {"batch broadcast [2,1,5,16] x [3,16,7]",
       [](CaseContext& c) {
         c.Out(c.b.Op("MatMul", {c.U({2, 1, 5, 16}), c.U({3, 16, 7}, -1.f, 1.f)}));
       }},
      {"constant weight [6,32] x [32,10]",
       [](CaseContext& c) {
         c.Out(c.b.Op("MatMul", {c.U({6, 32}), c.CU({32, 10}, -0.3f, 0.3f)}));
       }},
      {"vector [16] x [4,16,9]",
       [](CaseContext& c) {
         c.Out(c.b.Op("MatMul", {c.U({16}), c.U({4, 16, 9})}));
       }},
  };
  std::vector<AgreementCase> cases = ConfigCases("MatMul", v, rng);
  AppendCases(cases, ConfigCases("MatMul", {Saturating(v, "[8,16] x [16,12]")}, rng));
  return cases;
}
OPENBPU_REGISTER_AGREEMENT_CASES(MatMul, "MatMul", MatMulCases);

std::vector<AgreementCase> GemmCases(std::mt19937& rng) {
  std::vector<CaseVariant> v = {
      {"transB bias",
       [](CaseContext& c) {
         c.Out(c.b.Op("Gemm", {c.U({4, 32}), c.CU({10, 32}, -0.3f, 0.3f), c.CU({10}, -1.f, 1.f)},
                      Attrs({{"transB", int64_t{1}}})));
       }},
      {"no bias",
       [](CaseContext& c) {
         c.Out(c.b.Op("Gemm", {c.U({3, 24}), c.CU({24, 12}, -0.3f, 0.3f)}));
       }},
      {"transA bias row",
       [](CaseContext& c) {
         c.Out(c.b.Op("Gemm", {c.U({16, 5}), c.CU({16, 8}, -0.3f, 0.3f), c.CU({1, 8}, -1.f, 1.f)},
                      Attrs({{"transA", int64_t{1}}})));
       }},
  };
  std::vector<AgreementCase> cases = ConfigCases("Gemm", v, rng);
  AppendCases(cases, ConfigCases("Gemm", {Saturating(v, "transB bias")}, rng));
  return cases;
}
OPENBPU_REGISTER_AGREEMENT_CASES(Gemm, "Gemm", GemmCases);

// ------------------------------------------------------------ elementwise

std::vector<AgreementCase> BinaryCases(const std::string& op, std::mt19937& rng) {
  struct Spec {
    std::string name;
    Shape a, b;
    float ra, rb;  // input ranges [-r, r]
    bool const_b = false;
  };
  const std::vector<Spec> specs = {
      {"same shape equal ranges", {2, 3, 8, 8}, {2, 3, 8, 8}, 2.f, 2.f},
      {"broadcast channel ratio 4", {1, 4, 6, 6}, {1, 4, 1, 1}, 2.f, 0.5f},
      {"broadcast rows ratio 1/8", {3, 1, 20}, {5, 1}, 0.25f, 2.f},
      {"ratio 300", {2, 64}, {2, 64}, 3.f, 0.01f},
      {"constant operand", {2, 4, 5}, {4, 5}, 1.f, 1.5f, true},
  };
  std::vector<CaseVariant> v;
  for (const Spec& s : specs) {
    v.push_back({s.name, [op, s](CaseContext& c) {
                   ir::Value* a = c.U(s.a, -s.ra, s.ra);
                   ir::Value* b = s.const_b ? c.CU(s.b, -s.rb, s.rb) : c.U(s.b, -s.rb, s.rb);
                   c.Out(c.b.Op(op, {a, b}));
                 }});
  }
  std::vector<AgreementCase> cases = ConfigCases(op, v, rng);
  // Unequal scales: with equal ones, inputs clipped to the same limit make a - b (a + b) exactly 0
  // in 1/8 of the elements, and the case would fail the >= 90 % nonzero check.
  AppendCases(
      cases,
      ConfigCases(op, {Saturating(v, "broadcast channel ratio 4"), Saturating(v, "ratio 300")},
                  rng));
  return cases;
}

OPENBPU_REGISTER_AGREEMENT_CASES(Add, "Add",
                                 [](std::mt19937& rng) { return BinaryCases("Add", rng); });
OPENBPU_REGISTER_AGREEMENT_CASES(Sub, "Sub",
                                 [](std::mt19937& rng) { return BinaryCases("Sub", rng); });
std::vector<AgreementCase> MulCases(std::mt19937& rng) {
  std::vector<CaseVariant> v = {
      {"same shape",
       [](CaseContext& c) {
         c.Out(c.b.Op("Mul", {c.U({2, 3, 6, 6}, 0.5f, 2.f), c.U({2, 3, 6, 6}, -2.f, -0.3f)}));
       }},
      {"broadcast",
       [](CaseContext& c) {
         c.Out(c.b.Op("Mul", {c.U({1, 4, 5, 5}, 0.2f, 2.f), c.U({1, 4, 1, 1}, 0.5f, 0.9f)}));
       }},
      {"constant scale",
       [](CaseContext& c) {
         c.Out(c.b.Op("Mul", {c.U({3, 40}, 0.2f, 3.f), c.CU({40}, 0.5f, 4.f)}));
       }},
  };
  std::vector<AgreementCase> cases = ConfigCases("Mul", v, rng);
  AppendCases(cases, ConfigCases("Mul", {Saturating(v, "same shape")}, rng));
  return cases;
}
OPENBPU_REGISTER_AGREEMENT_CASES(Mul, "Mul", MulCases);

std::vector<AgreementCase> ConcatCases(std::mt19937& rng) {
  std::vector<CaseVariant> v = {
      {"axis 1 three scales",
       [](CaseContext& c) {
         c.Out(c.b.Op("Concat",
                      {c.U({1, 3, 4, 4}, -2.f, 2.f), c.U({1, 5, 4, 4}, -0.7f, 0.7f),
                       c.U({1, 2, 4, 4}, -3.f, 3.f)},
                      Attrs({{"axis", int64_t{1}}})));
       }},
      {"axis -1",
       [](CaseContext& c) {
         c.Out(c.b.Op("Concat", {c.U({2, 3, 7}, -1.f, 1.f), c.U({2, 3, 9}, -1.5f, 1.5f)},
                      Attrs({{"axis", int64_t{-1}}})));
       }},
  };
  std::vector<AgreementCase> cases = ConfigCases("Concat", v, rng);
  // Inputs of ranges 2, 0.7 and 3 into an output pinned to range 1: the first and last requantize
  // with multipliers 2 and 3 and clip.
  AppendCases(cases, ConfigCases("Concat",
                                 {{"saturating axis 1, output range fixed to 1",
                                   [](CaseContext& c) {
                                     ir::Value* y = c.b.Op("Concat",
                                                           {c.U({1, 3, 4, 4}, -2.f, 2.f),
                                                            c.U({1, 5, 4, 4}, -0.7f, 0.7f),
                                                            c.U({1, 2, 4, 4}, -3.f, 3.f)},
                                                           Attrs({{"axis", int64_t{1}}}));
                                     c.FixRange(y, 1.f);
                                     c.Out(y);
                                   }}},
                                 rng));
  return cases;
}
OPENBPU_REGISTER_AGREEMENT_CASES(Concat, "Concat", ConcatCases);

// ------------------------------------------------------- pooling / means

std::vector<AgreementCase> AveragePoolCases(std::mt19937& rng) {
  std::vector<CaseVariant> v;
  struct P {
    std::string name;
    Ints kernel, strides, pads;
    int64_t include_pad;
  };
  for (const P& p :
       std::vector<P>{{"2x2 stride 2", {2, 2}, {2, 2}, {0, 0, 0, 0}, 0},
                      {"3x3 stride 1 pad 1 include pad", {3, 3}, {1, 1}, {1, 1, 1, 1}, 1},
                      {"3x3 stride 2 pad 1 exclude pad", {3, 3}, {2, 2}, {1, 1, 1, 1}, 0},
                      {"7x7 global-like", {7, 7}, {1, 1}, {0, 0, 0, 0}, 0}}) {
    v.push_back({p.name, [p](CaseContext& c) {
                   c.Out(c.b.Op("AveragePool", {c.U({2, 4, 13, 13}, -1.f, 2.f)},
                                Attrs({{"kernel_shape", p.kernel},
                                       {"strides", p.strides},
                                       {"pads", p.pads},
                                       {"count_include_pad", p.include_pad}})));
                 }});
  }
  std::vector<AgreementCase> cases = ConfigCases("AveragePool", v, rng);
  AppendCases(cases, ConfigCases("AveragePool", {Saturating(v, "7x7 global-like")}, rng));
  return cases;
}
OPENBPU_REGISTER_AGREEMENT_CASES(AveragePool, "AveragePool", AveragePoolCases);

std::vector<AgreementCase> GlobalAveragePoolCases(std::mt19937& rng) {
  std::vector<CaseVariant> v = {
      {"[2,16,7,7]",
       [](CaseContext& c) {
         c.Out(c.b.Op("GlobalAveragePool", {c.U({2, 16, 7, 7}, -0.5f, 2.f)}));
       }},
      {"[1,32,5,3]",
       [](CaseContext& c) {
         c.Out(c.b.Op("GlobalAveragePool", {c.U({1, 32, 5, 3}, 0.f, 3.f)}));
       }},
  };
  std::vector<AgreementCase> cases = ConfigCases("GlobalAveragePool", v, rng);
  AppendCases(cases, ConfigCases("GlobalAveragePool", {Saturating(v, "[2,16,7,7]")}, rng));
  return cases;
}
OPENBPU_REGISTER_AGREEMENT_CASES(GlobalAveragePool, "GlobalAveragePool", GlobalAveragePoolCases);

std::vector<AgreementCase> ReduceCases(const std::string& op, std::mt19937& rng) {
  std::vector<CaseVariant> v = {
      {"axes [2,3] keepdims",
       [op](CaseContext& c) {
         c.Out(c.b.Op(op, {c.U({2, 8, 5, 5}, -0.5f, 2.f), c.C(I64({2, 3}))}));
       }},
      {"axis 1 no keepdims",
       [op](CaseContext& c) {
         c.Out(c.b.Op(op, {c.U({4, 6, 10}, -0.5f, 2.f), c.C(I64({1}))},
                      Attrs({{"keepdims", int64_t{0}}})));
       }},
      {"axis -1",
       [op](CaseContext& c) {
         c.Out(c.b.Op(op, {c.U({3, 40}, -2.f, 3.f), c.C(I64({-1}))}));
       }},
  };
  std::vector<AgreementCase> cases = ConfigCases(op, v, rng);
  // Unequal scales: with equal ones, inputs clipped to the same limit make a - b (a + b) exactly 0
  // in 1/8 of the elements, and the case would fail the >= 90 % nonzero check.
  AppendCases(cases, ConfigCases(op, {Saturating(v, "axes [2,3] keepdims")}, rng));
  return cases;
}

OPENBPU_REGISTER_AGREEMENT_CASES(ReduceMean, "ReduceMean",
                                 [](std::mt19937& rng) { return ReduceCases("ReduceMean", rng); });
OPENBPU_REGISTER_AGREEMENT_CASES(ReduceSum, "ReduceSum",
                                 [](std::mt19937& rng) { return ReduceCases("ReduceSum", rng); });

}  // namespace
}  // namespace openbpu::quantization
