// The quantized softmax row loop (docs/NUMERICS.md, "Softmax"): hand-checked cases with
// synthetic exp tables whose sums are powers of two (the normalized reciprocal is then
// exact), the int16 SegmentLUT branch below -32768, the [outer, n, inner] layout, and the
// real exp tables against the float softmax. The op-level tests (//compiler/ops:ops_test,
// //compiler/quantization:agreement_test) run the same code through the Softmax qkernel.
#include "isa/numerics/softmax.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "isa/numerics/lut.h"

namespace openbpu::numerics {
namespace {

// exp_table with E(0) = 16384, E(-1) = 8192, E(-2) = 4096, E(-3) = -5 (clamps to 0), else 0.
SoftmaxParams SyntheticInt8(double real_output) {
  SoftmaxParams p;
  p.exp_table.assign(kSoftmaxExpTableSize, 0);
  p.exp_table[255] = 16384;
  p.exp_table[254] = 8192;
  p.exp_table[253] = 4096;
  p.exp_table[252] = -5;
  p.reciprocal_table = MakeReciprocalTable();
  p.output = *MakeRequantizeRecord(real_output);
  return p;
}

TEST(SoftmaxTest, ExpTableLookupClampsAtZero) {
  const SoftmaxParams p = SyntheticInt8(1.0);
  EXPECT_EQ(SoftmaxExp(p, 0), 16384);
  EXPECT_EQ(SoftmaxExp(p, -1), 8192);
  EXPECT_EQ(SoftmaxExp(p, -2), 4096);
  EXPECT_EQ(SoftmaxExp(p, -3), 0);
  EXPECT_EQ(SoftmaxExp(p, -255), 0);
}

TEST(SoftmaxTest, HandCheckedRowWithExactReciprocal) {
  // d = (0, -1, -1, -3): E = (16384, 8192, 8192, 0), S = 2^15, Reciprocal(S) = {2^23, 38}
  // exactly. Output record 256 = {2^30, 22}: y = E * 2^-15 * 256 = (128, 64, 64, 0).
  const SoftmaxParams p = SyntheticInt8(256.0);
  const std::vector<int64_t> x = {3, 2, 2, 0};
  std::vector<int64_t> y(4);
  Softmax(p, x.data(), 1, 4, 1, -32768, 32767, y.data());
  EXPECT_EQ(y, (std::vector<int64_t>{128, 64, 64, 0}));
  // int8 output saturates 128 to 127.
  Softmax(p, x.data(), 1, 4, 1, -128, 127, y.data());
  EXPECT_EQ(y, (std::vector<int64_t>{127, 64, 64, 0}));
  // Output record 1: E / S = (0.5, 0.25, 0.25, 0) rounds half up to (1, 0, 0, 0).
  const SoftmaxParams one = SyntheticInt8(1.0);
  Softmax(one, x.data(), 1, 4, 1, -128, 127, y.data());
  EXPECT_EQ(y, (std::vector<int64_t>{1, 0, 0, 0}));
}

TEST(SoftmaxTest, OuterInnerLayout) {
  // [outer 2, n 4, inner 2]: each (o, i) slice is softmaxed along n independently, and
  // equals the contiguous result of that slice.
  const SoftmaxParams p = SyntheticInt8(256.0);
  const std::vector<int64_t> a = {3, 2, 2, 0}, b = {-7, -7, -8, -9};
  std::vector<int64_t> x(16);
  for (int64_t o = 0; o < 2; ++o) {
    for (int64_t k = 0; k < 4; ++k) {
      x[(o * 4 + k) * 2 + 0] = o == 0 ? a[k] : b[k];
      x[(o * 4 + k) * 2 + 1] = o == 0 ? b[k] : a[k];
    }
  }
  std::vector<int64_t> y(16);
  Softmax(p, x.data(), 2, 4, 2, -32768, 32767, y.data());
  // b: d = (0, 0, -1, -2): E = (16384, 16384, 8192, 4096), S = 45056 (not a power of two).
  std::vector<int64_t> ya(4), yb(4);
  Softmax(p, a.data(), 1, 4, 1, -32768, 32767, ya.data());
  Softmax(p, b.data(), 1, 4, 1, -32768, 32767, yb.data());
  EXPECT_EQ(ya, (std::vector<int64_t>{128, 64, 64, 0}));
  // 16384 / 45056 * 256 = 93.09, 8192 / 45056 * 256 = 46.55, 4096 / 45056 * 256 = 23.27.
  EXPECT_EQ(yb, (std::vector<int64_t>{93, 93, 47, 23}));
  for (int64_t o = 0; o < 2; ++o) {
    for (int64_t k = 0; k < 4; ++k) {
      EXPECT_EQ(y[(o * 4 + k) * 2 + 0], o == 0 ? ya[k] : yb[k]);
      EXPECT_EQ(y[(o * 4 + k) * 2 + 1], o == 0 ? yb[k] : ya[k]);
    }
  }
}

TEST(SoftmaxTest, Int16SegmentLutBranch) {
  // A one-line SegmentLUT: every x falls in segment 0 (all uppers 32767, origin 32767),
  // L(x) = ((x - 32767) + 16384 * 2^3) >> 2 = (x + 98305) >> 2.
  SoftmaxParams p;
  for (SegmentLutSegment& s : p.exp_lut.record.segments) s = {32767, 1, 16384, 3, 2};
  p.reciprocal_table = MakeReciprocalTable();
  p.output = *MakeRequantizeRecord(1.0);
  EXPECT_EQ(SoftmaxExp(p, 0), 24576);       // 98305 >> 2
  EXPECT_EQ(SoftmaxExp(p, -32768), 16384);  // 65537 >> 2
  // Below -32768: floor((L(d + 32768) * L(-32768) + 16383) / 32767).
  EXPECT_EQ(SoftmaxExp(p, -32769), 12288);  // (24576 * 16384 + 16383) / 32767
  EXPECT_EQ(SoftmaxExp(p, -65535), (16384 * 16384 + 16383) / 32767);  // L(-32767) = 16384
  // A negative L clamps to 0: here L(x) = x - 32767 + 1 * 2^3, so L(0) = -32759.
  SoftmaxParams neg = p;
  for (SegmentLutSegment& s : neg.exp_lut.record.segments) s = {32767, 1, 1, 3, 0};
  EXPECT_EQ(SoftmaxExp(neg, 0), 0);
}

TEST(SoftmaxTest, RealTablesFollowTheFloatSoftmax) {
  // int8 input at s_x = 0.05 with the table qprepare builds; output s_out = 1 / 127.5.
  const double s_x = 0.05, s_out = 1 / 127.5;
  SoftmaxParams p;
  p.exp_table = MakeTable([](double v) { return std::exp(v); }, s_x, 1.0 / 32767, -255,
                          kSoftmaxExpTableSize, 0, 32767);
  p.reciprocal_table = MakeReciprocalTable();
  p.output = *MakeRequantizeRecord(1 / s_out);
  std::mt19937 rng(1);
  std::uniform_int_distribution<int64_t> u(-128, 127);
  const int64_t n = 37;
  std::vector<int64_t> x(3 * n), y(3 * n);
  for (int64_t& v : x) v = u(rng);
  Softmax(p, x.data(), 3, n, 1, -128, 127, y.data());
  for (int64_t r = 0; r < 3; ++r) {
    double sum = 0;
    for (int64_t k = 0; k < n; ++k) sum += std::exp(x[r * n + k] * s_x);
    for (int64_t k = 0; k < n; ++k) {
      const double want = std::exp(x[r * n + k] * s_x) / sum / s_out;
      EXPECT_LE(std::fabs(y[r * n + k] - want), 1.0) << r << " " << k;
    }
  }
}

}  // namespace
}  // namespace openbpu::numerics
