// Quantized kernels of the exact-op family against the float kernel on dequantized inputs
// followed by fake quantization: exactly for kExact ops, within 1 LSB for the arithmetic ones
// (docs/NUMERICS.md, "Exact ops", "Resize", "Max/min/compare").
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/ops/quant_exact_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops::exact_test {
namespace {

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
}  // namespace openbpu::ops::exact_test
