// Hand-computed cases of the bayes and bernoulli2 add formulas, sub, mul and
// div (docs/NUMERICS.md, "Add", "Mul", "Lookup tables"), plus edge cases: equal
// scales, huge and tiny scale ratios, saturation, division by zero.
#include "isa/numerics/elementwise.h"

#include <cmath>
#include <cstdint>
#include <random>

#include "gtest/gtest.h"
#include "isa/numerics/lut.h"

namespace openbpu::numerics {
namespace {

constexpr AddOperandBits k8 = AddOperandBits::kInt8;
constexpr AddOperandBits k16 = AddOperandBits::kInt16;

TEST(BayesAdd, PowerOfTwoScales) {
  // s_a = 0.5 > s_b = 0.25: x = a. 32767 * 2 = 65534, floor(log2) = 15 < 23:
  // shift = 15; qscale = floor(0.25 * 2^15 / 0.5 + 0.5) = 16384.
  // Output multiplier (0.5 / 2^15) / 0.5 = 2^-15 = record {2^30, 45}.
  auto p = MakeBayesAddParams(0.5f, k8, 0.25f, k8, 0.5f, false);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->x_input, 0);
  EXPECT_EQ(p->x_sign, 1);
  EXPECT_EQ(p->shift, 15);
  EXPECT_EQ(p->qscale, 16384);
  EXPECT_EQ(p->out, (RequantizeRecord{1 << 30, 45}));
  // a = 10, b = -3: acc = 10 * 32768 - 3 * 16384 = 278528; 278528 / 32768 =
  // 8.5 -> 9 (half up). Real: (5 - 0.75) / 0.5 = 8.5.
  EXPECT_EQ(BayesAddAccumulator(*p, 10, -3), 278528);
  EXPECT_EQ(ApplyBayesAdd(*p, 10, -3, -128, 127), 9);
  // a = -10, b = 3: -278528 / 32768 = -8.5 -> -8 (half up).
  EXPECT_EQ(ApplyBayesAdd(*p, -10, 3, -128, 127), -8);
}

TEST(BayesAdd, NonPowerOfTwoScalesXIsB) {
  // s_a = 0.1f < s_b = 0.3f: x = b. 32767 * 0.3f / 0.1f = 98301.0 -> floor(log2)
  // = 16; qscale = floor(0.1f * 65536 / 0.3f + 0.5) = floor(21845.33 + 0.5) = 21845.
  auto p = MakeBayesAddParams(0.1f, k8, 0.3f, k8, 0.2f, false);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->x_input, 1);
  EXPECT_EQ(p->shift, 16);
  EXPECT_EQ(p->qscale, 21845);
  // a = 7, b = 5: acc = 5 * 65536 + 7 * 21845 = 327680 + 152915 = 480595;
  // * (0.3f / 65536 / 0.2f) = 10.99994 -> 11. Real: (0.7 + 1.5) / 0.2 = 11.
  EXPECT_EQ(BayesAddAccumulator(*p, 7, 5), 480595);
  EXPECT_EQ(ApplyBayesAdd(*p, 7, 5, -128, 127), 11);
}

TEST(BayesAdd, Int16ShiftCap) {
  // x = a (s = 1, int16), y = b (s = 2^-10): floor(log2(32767 * 1024)) = 24,
  // capped at 15 for int16 x. qscale = 2^-10 * 2^15 = 32.
  auto p = MakeBayesAddParams(1.0f, k16, 0.0009765625f, k16, 0.00390625f, false);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->shift, 15);
  EXPECT_EQ(p->qscale, 32);
  // a = 3, b = 1000: acc = 3 * 32768 + 1000 * 32 = 130304; scale 2^-15, out
  // scale 2^-8: 130304 / 2^7 = 1018 exactly = (3 + 1000/1024) * 256.
  EXPECT_EQ(BayesAddAccumulator(*p, 3, 1000), 130304);
  EXPECT_EQ(ApplyBayesAdd(*p, 3, 1000, -32768, 32767), 1018);
}

TEST(BayesAdd, Int8ShiftCapAndHugeRatio) {
  // x = a (s = 1, int8), y = b (s = 2^-12): floor(log2(32767 * 4096)) = 26 ->
  // 23; qscale = 2^-12 * 2^23 = 2048.
  auto p = MakeBayesAddParams(1.0f, k8, 0.000244140625f, k8, 1.0f, false);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->shift, 23);
  EXPECT_EQ(p->qscale, 2048);
  // Ratio 2^40: qscale = floor(2^-40 * 2^23 + 0.5) = 0, y vanishes.
  auto q = MakeBayesAddParams(1.0f, k8, std::ldexp(1.0f, -40), k8, 1.0f, false);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->shift, 23);
  EXPECT_EQ(q->qscale, 0);
  EXPECT_EQ(ApplyBayesAdd(*q, 5, 127, -128, 127), 5);
}

TEST(BayesAdd, EqualScalesAndSaturation) {
  // Equal scales: floor(log2(32767)) = 14, qscale = 2^14; output at the same
  // scale is exactly a + b, clamped (never wraps).
  auto p = MakeBayesAddParams(0.1f, k8, 0.1f, k8, 0.1f, false);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->x_input, 0);
  EXPECT_EQ(p->shift, 14);
  EXPECT_EQ(p->qscale, 16384);
  EXPECT_EQ(ApplyBayesAdd(*p, 3, 4, -128, 127), 7);
  EXPECT_EQ(ApplyBayesAdd(*p, 127, 127, -128, 127), 127);
  EXPECT_EQ(ApplyBayesAdd(*p, -128, -128, -128, 127), -128);
  for (int a = -128; a < 128; a += 3) {
    for (int b = -128; b < 128; b += 5) {
      EXPECT_EQ(ApplyBayesAdd(*p, a, b, -128, 127), std::clamp(a + b, -128, 127));
    }
  }
}

TEST(BayesAdd, ExtremesFitInt32) {
  // Worst cases of the int32 claim: int8 x << 23 plus int16 y * 32767, and
  // int16 x << 15 plus int16 y * qscale.
  auto p = MakeBayesAddParams(1.0f, k8, 0.99f, k16, 1.0f, false);
  ASSERT_TRUE(p.ok());
  for (int64_t a : {-128, 127}) {
    for (int64_t b : {-32768, 32767}) {
      const int64_t acc = BayesAddAccumulator(*p, a, b);
      EXPECT_GE(acc, INT32_MIN);
      EXPECT_LE(acc, INT32_MAX);
    }
  }
  auto q = MakeBayesAddParams(1.0f, k16, 1.0f, k16, 1.0f, true);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->shift, 14);
  EXPECT_EQ(ApplyBayesAdd(*q, -32768, 32767, -32768, 32767), -32768);
  EXPECT_EQ(ApplyBayesAdd(*q, 32767, -32768, -32768, 32767), 32767);
}

TEST(BayesSub, NegatesTheSubtrahend) {
  // a - b with x = a: qscale = -16384 (scales as in PowerOfTwoScales).
  auto p = MakeBayesAddParams(0.5f, k8, 0.25f, k8, 0.5f, true);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->x_sign, 1);
  EXPECT_EQ(p->qscale, -16384);
  // 10 * 32768 + 3 * 16384 = 376832 -> / 32768 = 11.5 -> 12 (real (5 + 0.75) / 0.5).
  EXPECT_EQ(ApplyBayesAdd(*p, 10, -3, -128, 127), 12);
  // a - b with x = b: x_sign = -1, qscale = +16384.
  auto q = MakeBayesAddParams(0.25f, k8, 0.5f, k8, 0.5f, true);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->x_input, 1);
  EXPECT_EQ(q->x_sign, -1);
  EXPECT_EQ(q->qscale, 16384);
  // a = -3 (-0.75), b = 10 (5): -(10 << 15) + (-3) * 16384 = -376832 -> -11.5
  // -> -11 (half up).
  EXPECT_EQ(ApplyBayesAdd(*q, -3, 10, -128, 127), -11);
  // -(-128) never wraps.
  EXPECT_EQ(ApplyBayesAdd(*q, 127, -128, -128, 127), 127);
}

TEST(Bernoulli2Add, SmallRatio) {
  // sumin = a (0.5), feature = b (0.25): inter = max(0.25 / 127, 0.5 / 2^25) =
  // 0.25 / 127; w = 127; sumin_w = round(0.5 / inter) = 254 = 0.9921875 * 2^8,
  // e = 8 <= 15: qm = 254, lshift = 0.
  auto p = MakeBernoulli2AddParams(0.5f, 0.25f, 0.5f, false);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->feature_input, 1);
  EXPECT_EQ(p->w, 127);
  EXPECT_EQ(p->qm, 254);
  EXPECT_EQ(p->lshift, 0);
  // a = 10, b = -2: acc = -2 * 127 + 10 * 254 = 2286; * (inter / 0.5 = 1/254)
  // = 9. Real (5 - 0.5) / 0.5 = 9.
  EXPECT_EQ(Bernoulli2AddAccumulator(*p, 10, -2), 2286);
  EXPECT_EQ(ApplyBernoulli2Add(*p, 10, -2, -128, 127), 9);
}

TEST(Bernoulli2Add, QmRoundedWhenExponentAbove15) {
  // sumin = a (1.0f), feature = b (0.003f): inter = 0.003f / 127; sumin_w =
  // round(127 / 0.003f) = round(42333.33) = 42333 = (42333 / 65536) * 2^16,
  // e = 16 > 15: lshift = 1, qm = round_half_up(42333 / 2 = 21166.5) = 21167.
  auto p = MakeBernoulli2AddParams(1.0f, 0.003f, 0.05f, false);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->w, 127);
  EXPECT_EQ(p->lshift, 1);
  EXPECT_EQ(p->qm, 21167);
  // a = 2, b = 100: acc = 100 * 127 + (2 << 1) * 21167 = 12700 + 84668 = 97368;
  // * inter / 0.05 = 97368 * 0.003 / 127 / 0.05 = 46.0006 -> 46. Real (2 + 0.3)
  // / 0.05 = 46.
  EXPECT_EQ(Bernoulli2AddAccumulator(*p, 2, 100), 97368);
  EXPECT_EQ(ApplyBernoulli2Add(*p, 2, 100, -128, 127), 46);
}

TEST(Bernoulli2Add, HugeRatioNeedsInt64) {
  // sumin = a (1.0), feature = b (2^-20): inter = max(2^-20 / 127, 2^-25) =
  // 2^-25; w = round(2^-20 / 2^-25) = 32; sumin_w = 2^25 = 0.5 * 2^26: lshift =
  // 11, qm = 2^14.
  auto p = MakeBernoulli2AddParams(1.0f, std::ldexp(1.0f, -20), 1.0f, false);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->w, 32);
  EXPECT_EQ(p->lshift, 11);
  EXPECT_EQ(p->qm, 16384);
  // a = 127, b = -100: acc = -3200 + 127 * 2^11 * 2^14 = 4261409664 (> 2^31).
  EXPECT_EQ(Bernoulli2AddAccumulator(*p, 127, -100), int64_t{127} * (1 << 25) - 3200);
  EXPECT_EQ(ApplyBernoulli2Add(*p, 127, -100, -128, 127), 127);
  EXPECT_EQ(ApplyBernoulli2Add(*p, -128, 0, -128, 127), -128);
}

TEST(Bernoulli2Add, EqualScalesAndSub) {
  // Equal scales: the tie makes b the feature; w = qm = 127, acc = 127 (a + b),
  // requantized by 1/127 at the same output scale.
  auto p = MakeBernoulli2AddParams(0.1f, 0.1f, 0.1f, false);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->feature_input, 1);
  EXPECT_EQ(p->w, 127);
  EXPECT_EQ(p->qm, 127);
  for (int a = -128; a < 128; a += 3) {
    for (int b = -128; b < 128; b += 7) {
      EXPECT_EQ(ApplyBernoulli2Add(*p, a, b, -128, 127), std::clamp(a + b, -128, 127));
    }
  }
  // Sub with the feature b as subtrahend: w = -127.
  auto s = MakeBernoulli2AddParams(0.1f, 0.1f, 0.1f, true);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->w, -127);
  EXPECT_EQ(s->qm, 127);
  EXPECT_EQ(ApplyBernoulli2Add(*s, 5, 9, -128, 127), -4);
  EXPECT_EQ(ApplyBernoulli2Add(*s, 127, -128, -128, 127), 127);
  // Sub with the sumin b as subtrahend (s_b > s_a): qm negated.
  auto t = MakeBernoulli2AddParams(0.25f, 0.5f, 0.5f, true);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->feature_input, 0);
  EXPECT_EQ(t->w, 127);
  EXPECT_EQ(t->qm, -254);
  // a = -2 (-0.5), b = 10 (5): -0.5 - 5 = -5.5 / 0.5 = -11.
  EXPECT_EQ(ApplyBernoulli2Add(*t, -2, 10, -128, 127), -11);
}

TEST(Mul, HandComputed) {
  // M = 0.5 * 0.25 / 0.125 = 1: exactly the product, clamped.
  auto p = MakeMulParams(0.5f, 0.25f, 0.125f);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(ApplyMul(*p, 7, -9, -128, 127), -63);
  EXPECT_EQ(ApplyMul(*p, 127, 127, -128, 127), 127);
  EXPECT_EQ(ApplyMul(*p, -128, 127, -128, 127), -128);
  // M = 0.1f * 0.2f / 0.05f ~= 0.4: 100 * 50 * 0.4 = 2000 (int16 out), and
  // 3 * 5 * 0.4 = 6; 5 * 5 * 0.4 = 10; 3 * 3 * 0.4 = 3.6 -> 4.
  auto q = MakeMulParams(0.1f, 0.2f, 0.05f);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(ApplyMul(*q, 100, 50, -32768, 32767), 2000);
  EXPECT_EQ(ApplyMul(*q, 3, 3, -128, 127), 4);
  // int16 x int16 extremes stay exact (int64 product).
  auto r = MakeMulParams(1.0f, 1.0f, 1.0f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ApplyMul(*r, -32768, -32768, INT32_MIN, INT32_MAX), int64_t{1} << 30);
}

TEST(Elementwise, BadScalesAreErrors) {
  EXPECT_FALSE(MakeBayesAddParams(0.0f, k8, 1.0f, k8, 1.0f, false).ok());
  EXPECT_FALSE(MakeBernoulli2AddParams(1.0f, NAN, 1.0f, false).ok());
  EXPECT_FALSE(MakeMulParams(1.0f, 1.0f, -1.0f).ok());
}

// Both formulas stay within 1 LSB of the exact real sum (before saturation)
// over random scales and operands.
TEST(Elementwise, WithinOneLsbOfRealSum) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> log_scale(-8, 2);
  std::uniform_int_distribution<int> i8(-128, 127);
  for (int trial = 0; trial < 300; ++trial) {
    const float sa = static_cast<float>(std::exp(log_scale(rng)));
    const float sb = static_cast<float>(std::exp(log_scale(rng)));
    const float so = static_cast<float>((std::fabs(sa) * 128 + sb * 128) / 127);
    for (bool sub : {false, true}) {
      auto bayes = MakeBayesAddParams(sa, k8, sb, k8, so, sub);
      auto b2 = MakeBernoulli2AddParams(sa, sb, so, sub);
      ASSERT_TRUE(bayes.ok() && b2.ok());
      for (int k = 0; k < 50; ++k) {
        const int a = i8(rng), b = i8(rng);
        const double real = (a * double{sa} + (sub ? -1 : 1) * b * double{sb}) / so;
        EXPECT_NEAR(ApplyBayesAdd(*bayes, a, b, -128, 127), real, 1.0) << sa << " " << sb;
        EXPECT_NEAR(ApplyBernoulli2Add(*b2, a, b, -128, 127), real, 1.0) << sa << " " << sb;
      }
    }
  }
}

// s_x = 0.1, s_y = 0.5, s_out = 0.1: record(s_x / (s_y s_out)) = record(2) = {2^30, 29}.
TEST(Div, HandChecked) {
  const DivParams p{MakeReciprocalTable(), *MakeRequantizeRecord(2.0)};
  ASSERT_EQ(p.out, (RequantizeRecord{1 << 30, 29}));
  // Reciprocal(4) = {2^23, 25} exactly: 100 * 2^-2 * 2 = 50 (10 / 2 = 5 at scale 0.1).
  EXPECT_EQ(ApplyDiv(p, 100, 4, -128, 127), 50);
  // Reciprocal(1) = {2^23, 23}: -30 * 2 = -60.
  EXPECT_EQ(ApplyDiv(p, -30, 1, -128, 127), -60);
  // Reciprocal(3) = {R[128] = 5592405, 24}; sign(b) moves to a:
  // -12 * 5592405 * 2^-24 * 2 = -7.9999995 -> -8.
  EXPECT_EQ(ApplyDiv(p, 12, -3, -128, 127), -8);
  EXPECT_EQ(ApplyDiv(p, -12, -3, -128, 127), 8);
  // Saturation: 127 / 1 * 2 = 254.
  EXPECT_EQ(ApplyDiv(p, 127, 1, -128, 127), 127);
  EXPECT_EQ(ApplyDiv(p, 127, -1, -128, 127), -128);
  EXPECT_EQ(ApplyDiv(p, 127, 1, -32768, 32767), 254);
  // Rounding half up: 1 / 4 * 2 = 0.5 -> 1, -1 / 4 * 2 = -0.5 -> 0.
  EXPECT_EQ(ApplyDiv(p, 1, 4, -128, 127), 1);
  EXPECT_EQ(ApplyDiv(p, -1, 4, -128, 127), 0);
}

TEST(Div, ByZeroSaturatesBySignOfTheDividend) {
  const DivParams p{MakeReciprocalTable(), *MakeRequantizeRecord(2.0)};
  EXPECT_EQ(ApplyDiv(p, 5, 0, -128, 127), 127);
  EXPECT_EQ(ApplyDiv(p, -5, 0, -128, 127), -128);
  EXPECT_EQ(ApplyDiv(p, 0, 0, -128, 127), 0);
  EXPECT_EQ(ApplyDiv(p, 1, 0, -32768, 32767), 32767);
}

// Within 1 LSB of the real quotient (before saturation) over int16 operands.
TEST(Div, WithinOneLsbOfRealQuotient) {
  const double sx = 4.0 / 32767, sy = 2.0 / 32767, so = 8.0 / 32767;
  const DivParams p{MakeReciprocalTable(), *MakeRequantizeRecord(sx / (sy * so))};
  std::mt19937 rng(11);
  std::uniform_int_distribution<int64_t> u(-32768, 32767);
  for (int k = 0; k < 20000; ++k) {
    const int64_t a = u(rng), b = u(rng);
    if (b == 0) continue;
    const double real = a * sx / (b * sy) / so;
    if (std::fabs(real) > 32767) continue;
    EXPECT_NEAR(ApplyDiv(p, a, b, -32768, 32767), real, 1.0) << a << " / " << b;
  }
}

}  // namespace
}  // namespace openbpu::numerics
