// Agreement cases of the exact-op family (docs/NUMERICS.md, "Exact ops",
// "Resize", "Max/min/compare"): data movement, max pooling and reductions,
// relu/clip/neg/abs, pad, resize, argmax/topk, max/min/where, (leaky) prelu and
// comparisons, each on bayes int8, bayes int16 and bernoulli2 int8. Input
// ranges keep outputs non-degenerate (max |q| >= 64, >= 90 % nonzero): e.g.
// Relu gets mostly positive inputs, comparisons mostly-true data, and index
// outputs come from axes longer than 64.
//
// Saturation (the arithmetic ops here: Clip, Resize, Max, Min, Where, LeakyRelu,
// PRelu): variants calibrated on inputs scaled by 0.5 (`Saturating`), or, where
// the calibrated output range always holds the inputs' (Max, Min, Where), with
// the output range pinned narrower. Clip and Resize keep their input's grid, so
// only the border clips their inputs (and Clip's bounds saturate).
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/quantization/agreement_case.h"
#include "compiler/quantization/agreement_case_util.h"

namespace openbpu::quantization {
namespace {

using frontend::Attrs;
using Ints = std::vector<int64_t>;

// A unary op on one [-2, 2] input of each shape.
std::vector<AgreementCase> Unary(const std::string& op, ir::AttributeMap attrs,
                                 std::vector<Shape> shapes, std::mt19937& rng, float lo = -2.f,
                                 float hi = 2.f) {
  std::vector<CaseVariant> variants;
  for (const Shape& s : shapes) {
    variants.push_back({ShapeToString(s), [op, attrs, s, lo, hi](CaseContext& c) {
                          c.Out(c.b.Op(op, {c.U(s, lo, hi)}, attrs));
                        }});
  }
  return ConfigCases(op, variants, rng);
}

// ------------------------------------------------------------- exact ops

OPENBPU_REGISTER_AGREEMENT_CASES(Relu, "Relu", [](std::mt19937& rng) {
  // Mostly positive: Relu zeroes the negative ~5 %.
  return Unary("Relu", {}, {{1, 8, 6, 6}, {37}, {2, 3, 5, 4, 3}}, rng, -0.1f, 2.f);
});

OPENBPU_REGISTER_AGREEMENT_CASES(Neg, "Neg", [](std::mt19937& rng) {
  return Unary("Neg", {}, {{1, 4, 5, 5}, {129}}, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(Abs, "Abs", [](std::mt19937& rng) {
  return Unary("Abs", {}, {{1, 4, 5, 5}, {3, 43}}, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(Identity, "Identity", [](std::mt19937& rng) {
  return Unary("Identity", {}, {{2, 3, 4}}, rng);
});

std::vector<AgreementCase> MaxPoolCases(std::mt19937& rng) {
  std::vector<CaseVariant> v;
  auto pool = [](Shape s, ir::AttributeMap a) {
    return [s, a](CaseContext& c) { c.Out(c.b.Op("MaxPool", {c.U(s)}, a)); };
  };
  v.push_back({"3x3 s2 p1", pool({1, 4, 9, 9}, Attrs({{"kernel_shape", Ints{3, 3}},
                                                      {"strides", Ints{2, 2}},
                                                      {"pads", Ints{1, 1, 1, 1}}}))});
  v.push_back({"2x2 s2",
               pool({2, 3, 8, 6}, Attrs({{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}}))});
  v.push_back({"3x2 dil 1x2 ceil", pool({1, 2, 7, 9}, Attrs({{"kernel_shape", Ints{3, 2}},
                                                             {"dilations", Ints{1, 2}},
                                                             {"strides", Ints{2, 2}},
                                                             {"ceil_mode", int64_t{1}}}))});
  v.push_back(
      {"1d k4 same_upper", pool({1, 3, 17}, Attrs({{"kernel_shape", Ints{4}},
                                                   {"strides", Ints{3}},
                                                   {"auto_pad", std::string("SAME_UPPER")}}))});
  return ConfigCases("MaxPool", v, rng);
}

OPENBPU_REGISTER_AGREEMENT_CASES(MaxPool, "MaxPool", MaxPoolCases);

OPENBPU_REGISTER_AGREEMENT_CASES(GlobalMaxPool, "GlobalMaxPool", [](std::mt19937& rng) {
  return Unary("GlobalMaxPool", {}, {{2, 16, 5, 5}, {1, 8, 12}}, rng);
});

// ReduceMax, ReduceMin.
std::vector<AgreementCase> ReduceExtreme(const std::string& op, std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"axes input [1,3] keepdims 0", [op](CaseContext& c) {
                 c.Out(c.b.Op(op, {c.U({2, 6, 3, 5}), c.C(I64({1, -1}))},
                              Attrs({{"keepdims", int64_t{0}}})));
               }});
  v.push_back({"axes attribute [2]", [op](CaseContext& c) {
                 c.Out(c.b.Op(op, {c.U({3, 4, 9})}, Attrs({{"axes", Ints{2}}})));
               }});
  v.push_back({"all axes", [op](CaseContext& c) { c.Out(c.b.Op(op, {c.U({4, 7, 3})})); }});
  return ConfigCases(op, v, rng);
}
OPENBPU_REGISTER_AGREEMENT_CASES(ReduceMax, "ReduceMax",
                                 [](std::mt19937& rng) { return ReduceExtreme("ReduceMax", rng); });
OPENBPU_REGISTER_AGREEMENT_CASES(ReduceMin, "ReduceMin",
                                 [](std::mt19937& rng) { return ReduceExtreme("ReduceMin", rng); });

OPENBPU_REGISTER_AGREEMENT_CASES(Reshape, "Reshape", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"[2,3,4] -> [4,-1]", [](CaseContext& c) {
                 c.Out(c.b.Op("Reshape", {c.U({2, 3, 4}), c.C(I64({4, -1}))}));
               }});
  v.push_back({"[1,8,3,3] -> [0,72]", [](CaseContext& c) {
                 c.Out(c.b.Op("Reshape", {c.U({1, 8, 3, 3}), c.C(I64({0, 72}))}));
               }});
  return ConfigCases("Reshape", v, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(Flatten, "Flatten", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  for (int64_t axis : {1, 0, -1}) {
    v.push_back({absl::StrCat("axis ", axis), [axis](CaseContext& c) {
                   c.Out(c.b.Op("Flatten", {c.U({2, 3, 2, 4})}, Attrs({{"axis", axis}})));
                 }});
  }
  return ConfigCases("Flatten", v, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(Squeeze, "Squeeze", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"axes [0,2]", [](CaseContext& c) {
                 c.Out(c.b.Op("Squeeze", {c.U({1, 5, 1, 7}), c.C(I64({0, 2}))}));
               }});
  v.push_back({"all", [](CaseContext& c) { c.Out(c.b.Op("Squeeze", {c.U({1, 16, 1, 1})})); }});
  return ConfigCases("Squeeze", v, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(Unsqueeze, "Unsqueeze", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"axes [0,-1]", [](CaseContext& c) {
                 c.Out(c.b.Op("Unsqueeze", {c.U({6, 7}), c.C(I64({0, -1}))}));
               }});
  return ConfigCases("Unsqueeze", v, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(Transpose, "Transpose", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back(
      {"perm [0,2,3,1]", [](CaseContext& c) {
         c.Out(c.b.Op("Transpose", {c.U({2, 3, 4, 5})}, Attrs({{"perm", Ints{0, 2, 3, 1}}})));
       }});
  v.push_back({"reverse", [](CaseContext& c) { c.Out(c.b.Op("Transpose", {c.U({3, 5, 7})})); }});
  return ConfigCases("Transpose", v, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(Slice, "Slice", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"steps 2 and -1", [](CaseContext& c) {
                 c.Out(c.b.Op("Slice", {c.U({2, 8, 10}), c.C(I64({1, -1})), c.C(I64({8, 0})),
                                        c.C(I64({1, 2})), c.C(I64({2, -1}))}));
               }});
  v.push_back({"clamped ends", [](CaseContext& c) {
                 c.Out(c.b.Op("Slice", {c.U({4, 9}), c.C(I64({-3})), c.C(I64({1000}))}));
               }});
  return ConfigCases("Slice", v, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(Split, "Split", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"sizes [2,5] axis 1", [](CaseContext& c) {
                 c.Out(c.b.OpN("Split", {c.U({3, 7, 4}), c.C(I64({2, 5}))}, 2,
                               Attrs({{"axis", int64_t{1}}})));
               }});
  v.push_back({"3 equal parts", [](CaseContext& c) { c.Out(c.b.OpN("Split", {c.U({9, 5})}, 3)); }});
  return ConfigCases("Split", v, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(Tile, "Tile", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"[2,1,3]", [](CaseContext& c) {
                 c.Out(c.b.Op("Tile", {c.U({2, 3, 4}), c.C(I64({2, 1, 3}))}));
               }});
  return ConfigCases("Tile", v, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(Expand, "Expand", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"[3,1] -> [2,3,6]", [](CaseContext& c) {
                 c.Out(c.b.Op("Expand", {c.U({3, 1}), c.C(I64({2, 3, 6}))}));
               }});
  v.push_back({"bidirectional", [](CaseContext& c) {
                 c.Out(c.b.Op("Expand", {c.U({1, 4, 5}), c.C(I64({3, 1, 1}))}));
               }});
  return ConfigCases("Expand", v, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(DepthToSpace, "DepthToSpace", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  for (const char* mode : {"DCR", "CRD"}) {
    v.push_back({mode, [mode](CaseContext& c) {
                   c.Out(c.b.Op("DepthToSpace", {c.U({2, 8, 3, 4})},
                                Attrs({{"blocksize", int64_t{2}}, {"mode", std::string(mode)}})));
                 }});
  }
  return ConfigCases("DepthToSpace", v, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(SpaceToDepth, "SpaceToDepth", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back(
      {"block 2", [](CaseContext& c) {
         c.Out(c.b.Op("SpaceToDepth", {c.U({1, 3, 6, 8})}, Attrs({{"blocksize", int64_t{2}}})));
       }});
  return ConfigCases("SpaceToDepth", v, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(Gather, "Gather", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"axis 1 constant indices", [](CaseContext& c) {
                 c.Out(c.b.Op("Gather", {c.U({3, 6, 4}), c.C(I64({5, 0, -1, 2, 2}))},
                              Attrs({{"axis", int64_t{1}}})));
               }});
  v.push_back({"axis 0 indices input [2,2]", [](CaseContext& c) {
                 ir::Value* data = c.U({7, 5});
                 ir::Value* idx = c.In(Tensor::FromVector<int64_t>({2, 2}, {6, 0, 3, -2}));
                 c.Out(c.b.Op("Gather", {data, idx}));
               }});
  return ConfigCases("Gather", v, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(Pad, "Pad", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"constant 1.25", [](CaseContext& c) {
                 c.Out(c.b.Op("Pad", {c.U({1, 3, 6, 6}), c.C(I64({0, 0, 1, 2, 0, 0, 2, 1})),
                                      c.C(Tensor::Scalar(1.25f))}));
               }});
  v.push_back({"zeros, small pads", [](CaseContext& c) {
                 c.Out(c.b.Op("Pad", {c.U({1, 2, 32, 32}), c.C(I64({0, 0, 1, 0, 0, 0, 0, 1}))}));
               }});
  v.push_back({"reflect", [](CaseContext& c) {
                 c.Out(c.b.Op("Pad", {c.U({2, 2, 5, 6}), c.C(I64({0, 0, 2, 3, 0, 0, 3, 1}))},
                              Attrs({{"mode", std::string("reflect")}})));
               }});
  v.push_back({"edge with axes", [](CaseContext& c) {
                 c.Out(c.b.Op("Pad",
                              {c.U({3, 5, 4}), c.C(I64({2, 1, 0, 3})), nullptr, c.C(I64({1, 2}))},
                              Attrs({{"mode", std::string("edge")}})));
               }});
  return ConfigCases("Pad", v, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(ArgMax, "ArgMax", [](std::mt19937& rng) {
  // Axes of 96+ elements keep the int64 indices mostly nonzero and above 64.
  std::vector<CaseVariant> v;
  v.push_back({"axis 1 keepdims", [](CaseContext& c) {
                 c.Out(c.b.Op("ArgMax", {c.U({2, 128, 3})}, Attrs({{"axis", int64_t{1}}})));
               }});
  v.push_back({"last axis, select_last, no keepdims", [](CaseContext& c) {
                 c.Out(c.b.Op("ArgMax", {c.U({5, 96})},
                              Attrs({{"axis", int64_t{-1}},
                                     {"keepdims", int64_t{0}},
                                     {"select_last_index", int64_t{1}}})));
               }});
  return ConfigCases("ArgMax", v, rng);
});

OPENBPU_REGISTER_AGREEMENT_CASES(TopK, "TopK", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"k 5 largest", [](CaseContext& c) {
                 c.Out(c.b.OpN("TopK", {c.U({3, 128}), c.C(I64({5}))}, 2));
               }});
  v.push_back({"k 4 smallest axis 0", [](CaseContext& c) {
                 c.Out(c.b.OpN("TopK", {c.U({100, 6}), c.C(I64({4}))}, 2,
                               Attrs({{"axis", int64_t{0}}, {"largest", int64_t{0}}})));
               }});
  return ConfigCases("TopK", v, rng);
});

// ------------------------------------------------- arithmetic on the grid

OPENBPU_REGISTER_AGREEMENT_CASES(Clip, "Clip", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"[-1.2, 1.5]", [](CaseContext& c) {
                 c.Out(c.b.Op("Clip", {c.U({2, 4, 5, 5}), c.C(Tensor::Scalar(-1.2f)),
                                       c.C(Tensor::Scalar(1.5f))}));
               }});
  v.push_back({"relu6", [](CaseContext& c) {
                 c.Out(c.b.Op("Clip", {c.U({1, 8, 7, 7}, -0.2f, 8.f), c.C(Tensor::Scalar(0.f)),
                                       c.C(Tensor::Scalar(6.f))}));
               }});
  v.push_back({"max only", [](CaseContext& c) {
                 c.Out(c.b.Op("Clip", {c.U({50}), nullptr, c.C(Tensor::Scalar(0.7f))}));
               }});
  std::vector<AgreementCase> cases = ConfigCases("Clip", v, rng);
  AppendCases(cases, ConfigCases("Clip", {Saturating(v, "[-1.2, 1.5]")}, rng));
  return cases;
});

std::vector<AgreementCase> ResizeCases(std::mt19937& rng) {
  std::vector<CaseVariant> v;
  auto resize = [](Shape s, Tensor scales, Tensor sizes, ir::AttributeMap a) {
    return [s, scales, sizes, a](CaseContext& c) {
      ir::Value* x = c.U(s);
      ir::Value* sc = scales.empty_dtype() ? nullptr : c.C(scales);
      ir::Value* sz = sizes.empty_dtype() ? nullptr : c.C(sizes);
      c.Out(c.b.Op("Resize", {x, nullptr, sc, sz}, a));
    };
  };
  const Tensor x2 = F32({4}, {1, 1, 2, 2});
  v.push_back({"nearest x2 asymmetric floor",
               resize({1, 3, 5, 6}, x2, Tensor(),
                      Attrs({{"mode", std::string("nearest")},
                             {"coordinate_transformation_mode", std::string("asymmetric")},
                             {"nearest_mode", std::string("floor")}}))});
  v.push_back({"nearest sizes half_pixel", resize({1, 2, 7, 5}, Tensor(), I64({1, 2, 10, 12}),
                                                  Attrs({{"mode", std::string("nearest")}}))});
  v.push_back({"nearest downscale align_corners",
               resize({2, 2, 9, 8}, F32({4}, {1, 1, 0.5f, 0.75f}), Tensor(),
                      Attrs({{"mode", std::string("nearest")},
                             {"coordinate_transformation_mode", std::string("align_corners")},
                             {"nearest_mode", std::string("round_prefer_ceil")}}))});
  v.push_back({"bilinear x2 half_pixel",
               resize({1, 3, 6, 5}, x2, Tensor(), Attrs({{"mode", std::string("linear")}}))});
  v.push_back({"bilinear sizes align_corners",
               resize({1, 2, 5, 7}, Tensor(), I64({1, 2, 9, 4}),
                      Attrs({{"mode", std::string("linear")},
                             {"coordinate_transformation_mode", std::string("align_corners")}}))});
  v.push_back(
      {"linear 1-D pytorch_half_pixel",
       resize({2, 3, 11}, F32({3}, {1, 1, 1.7f}), Tensor(),
              Attrs({{"mode", std::string("linear")},
                     {"coordinate_transformation_mode", std::string("pytorch_half_pixel")}}))});
  std::vector<AgreementCase> cases = ConfigCases("Resize", v, rng);
  AppendCases(cases, ConfigCases("Resize", {Saturating(v, "bilinear x2 half_pixel")}, rng));
  return cases;
}

OPENBPU_REGISTER_AGREEMENT_CASES(Resize, "Resize", ResizeCases);

OPENBPU_REGISTER_AGREEMENT_CASES(Max, "Max", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"two inputs, broadcast", [](CaseContext& c) {
                 c.Out(c.b.Op("Max", {c.U({2, 3, 4, 5}), c.U({4, 1}, -1.f, 3.f)}));
               }});
  v.push_back({"three inputs", [](CaseContext& c) {
                 c.Out(c.b.Op("Max", {c.U({6, 7}, -1.f, 1.f), c.U({7}, -3.f, 2.f),
                                      c.U({6, 1}, -0.5f, 0.5f)}));
               }});
  std::vector<AgreementCase> cases = ConfigCases("Max", v, rng);
  AppendCases(
      cases,
      ConfigCases(
          "Max",
          {{"saturating broadcast, output range fixed to 1",
            [](CaseContext& c) {
              ir::Value* y = c.b.Op("Max", {c.U({2, 3, 4, 5}, -3.f, 3.f), c.U({4, 1}, -1.f, 3.f)});
              c.FixRange(y, 1.f);
              c.Out(y);
            }}},
          rng));
  return cases;
});

OPENBPU_REGISTER_AGREEMENT_CASES(Min, "Min", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"two inputs, broadcast", [](CaseContext& c) {
                 c.Out(c.b.Op("Min", {c.U({3, 1, 5}), c.U({4, 5}, -3.f, 1.f)}));
               }});
  v.push_back({"three inputs", [](CaseContext& c) {
                 c.Out(c.b.Op("Min", {c.U({5, 6}), c.U({5, 6}, -1.f, 4.f), c.U({6}, -2.f, 0.5f)}));
               }});
  std::vector<AgreementCase> cases = ConfigCases("Min", v, rng);
  AppendCases(
      cases,
      ConfigCases(
          "Min",
          {{"saturating broadcast, output range fixed to 1",
            [](CaseContext& c) {
              ir::Value* y = c.b.Op("Min", {c.U({3, 1, 5}, -3.f, 3.f), c.U({4, 5}, -3.f, 1.f)});
              c.FixRange(y, 1.f);
              c.Out(y);
            }}},
          rng));
  return cases;
});

OPENBPU_REGISTER_AGREEMENT_CASES(Where, "Where", [](std::mt19937& rng) {
  // `fixed_range` > 0: a saturation variant, the output range pinned to it.
  auto where = [](float fixed_range) {
    return [fixed_range](CaseContext& c) {
      std::vector<bool> mask;
      std::bernoulli_distribution coin(0.5);
      for (int i = 0; i < 6; ++i) mask.push_back(coin(*c.rng));
      Tensor cond(DType::kBool, {6});
      for (int i = 0; i < 6; ++i) cond.data<bool>()[i] = mask[i];
      ir::Value* y = c.b.Op("Where", {c.C(cond), c.U({3, 4, 6}), c.U({4, 1}, -0.5f, 3.f)});
      if (fixed_range > 0) c.FixRange(y, fixed_range);
      c.Out(y);
    };
  };
  std::vector<AgreementCase> cases = ConfigCases("Where", {{"broadcast condition", where(0)}}, rng);
  AppendCases(cases,
              ConfigCases("Where", {{"saturating, output range fixed to 1", where(1.f)}}, rng));
  return cases;
});

OPENBPU_REGISTER_AGREEMENT_CASES(LeakyRelu, "LeakyRelu", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  for (float alpha : {0.01f, 0.2f}) {
    v.push_back(
        {absl::StrCat("alpha ", alpha), [alpha](CaseContext& c) {
           // Wider on the negative side so alpha * x keeps a few LSBs.
           c.Out(c.b.Op("LeakyRelu", {c.U({2, 4, 6, 5}, -8.f, 2.f)}, Attrs({{"alpha", alpha}})));
         }});
  }
  std::vector<AgreementCase> cases = ConfigCases("LeakyRelu", v, rng);
  AppendCases(cases, ConfigCases("LeakyRelu", {Saturating(v, "alpha 0.2")}, rng));
  return cases;
});

OPENBPU_REGISTER_AGREEMENT_CASES(PRelu, "PRelu", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"per-channel slopes", [](CaseContext& c) {
                 c.Out(c.b.Op("PRelu", {c.U({2, 4, 5, 5}, -4.f, 2.f),
                                        c.C(F32({4, 1, 1}, {0.25f, 0.1f, 0.5f, -0.3f}))}));
               }});
  v.push_back({"scalar slope", [](CaseContext& c) {
                 c.Out(c.b.Op("PRelu", {c.U({3, 17}, -3.f, 2.f), c.C(F32({1}, {0.4f}))}));
               }});
  std::vector<AgreementCase> cases = ConfigCases("PRelu", v, rng);
  AppendCases(cases, ConfigCases("PRelu", {Saturating(v, "per-channel slopes")}, rng));
  return cases;
});

// Inputs of equal range (so equal scales) sharing ~95 % of their elements, so
// Equal is mostly true and its ties are exact.
void MostlyEqualPair(CaseContext& c, const Shape& shape, ir::Value*& a, ir::Value*& b) {
  Tensor x = UniformTensor(shape, -2.f, 2.f, *c.rng);
  x.data<float>()[0] = 2.f;
  x.data<float>()[1] = -2.f;
  Tensor y = x;
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (int64_t i = 2; i < y.num_elements(); ++i) {
    if (u(*c.rng) < 0.05f) y.data<float>()[i] = u(*c.rng) * 3.f - 1.5f;
  }
  a = c.In(x);
  b = c.In(y);
}

OPENBPU_REGISTER_AGREEMENT_CASES(Equal, "Equal", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back({"mostly equal", [](CaseContext& c) {
                 ir::Value *a, *b;
                 MostlyEqualPair(c, {4, 6, 5}, a, b);
                 c.Out(c.b.Op("Equal", {a, b}));
               }});
  return ConfigCases("Equal", v, rng);
});

// a > b (Greater, GreaterOrEqual; a < b for the others) for most elements, with ~5 % exact ties
// at equal scales.
std::vector<AgreementCase> Ordered(const std::string& op, std::mt19937& rng) {
  const bool greater = absl::StartsWith(op, "Greater");
  std::vector<CaseVariant> v;
  v.push_back({"mostly ordered, ties", [op, greater](CaseContext& c) {
                 const Shape shape = {3, 8, 7};
                 Tensor hi = UniformTensor(shape, 0.2f, 2.f, *c.rng);
                 Tensor lo = UniformTensor(shape, -2.f, 0.1f, *c.rng);
                 hi.data<float>()[0] = 2.f;  // both ranges [-2, 2]: equal scales
                 lo.data<float>()[0] = -2.f;
                 std::uniform_real_distribution<float> u(0.f, 1.f);
                 for (int64_t i = 1; i < lo.num_elements(); ++i) {
                   if (u(*c.rng) < 0.05f) lo.data<float>()[i] = hi.data<float>()[i];
                 }
                 ir::Value* a = c.In(greater ? hi : lo);
                 ir::Value* b = c.In(greater ? lo : hi);
                 c.Out(c.b.Op(op, {a, b}));
               }});
  v.push_back({"different scales, broadcast", [op, greater](CaseContext& c) {
                 ir::Value* big = c.U({5, 6}, 0.5f, 3.f);
                 ir::Value* small = c.U({6}, -1.f, 0.4f);
                 c.Out(c.b.Op(op, greater ? std::vector<ir::Value*>{big, small}
                                          : std::vector<ir::Value*>{small, big}));
               }});
  return ConfigCases(op, v, rng);
}

OPENBPU_REGISTER_AGREEMENT_CASES(Greater, "Greater",
                                 [](std::mt19937& rng) { return Ordered("Greater", rng); });
OPENBPU_REGISTER_AGREEMENT_CASES(Less, "Less",
                                 [](std::mt19937& rng) { return Ordered("Less", rng); });
OPENBPU_REGISTER_AGREEMENT_CASES(GreaterOrEqual, "GreaterOrEqual",
                                 [](std::mt19937& rng) { return Ordered("GreaterOrEqual", rng); });
OPENBPU_REGISTER_AGREEMENT_CASES(LessOrEqual, "LessOrEqual",
                                 [](std::mt19937& rng) { return Ordered("LessOrEqual", rng); });

}  // namespace
}  // namespace openbpu::quantization
