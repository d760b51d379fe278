// The quantized layer normalization row loop (docs/NUMERICS.md, "LayerNorm"): hand-checked
// rows where the normalized rsqrt is exact or known, rounding half up of +-0.5, gamma's sign,
// beta, EPS, saturation, and the real parameters against the float layer norm. The
// op-level tests (//compiler/ops:ops_test, //compiler/quantization:agreement_test) run the
// same code through the LayerNormalization qkernel.
#include "isa/numerics/layer_norm.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "isa/numerics/lut.h"
#include "isa/numerics/requantize.h"

namespace openbpu::numerics {
namespace {

// n elements with the same gamma record `real`, sign and beta (in output units).
LayerNormParams Uniform(int64_t n, double real, int32_t sign, double beta) {
  LayerNormParams p;
  const RequantizeRecord r = *MakeRequantizeRecord(real);
  p.gamma_multiplier.assign(n, r.multiplier);
  p.gamma_shift.assign(n, r.shift);
  p.gamma_sign.assign(n, sign);
  p.beta.assign(n, std::llround(std::ldexp(beta, kLayerNormFractionBits)));
  p.rsqrt_table = MakeRsqrtTable();
  return p;
}

TEST(LayerNormTest, ExactRsqrtRoundsHalfUp) {
  // Row (1, -1): S = 0, c = (2, -2), V = 8; EPS = 1 << 3 = 8, U = 16, Rsqrt(16) = {2^23, 25}
  // exactly (1/4). Record 1: t = c / 4 * 2^16 = +-32768, y = round_half_up(+-0.5) = (1, 0).
  LayerNormParams p = Uniform(2, 1.0, 1, 0.0);
  p.eps_mantissa = 1;
  p.eps_exponent = 3;
  const std::vector<int64_t> x = {1, -1};
  std::vector<int64_t> y(2);
  LayerNorm(p, x.data(), 1, 2, -128, 127, y.data());
  EXPECT_EQ(y, (std::vector<int64_t>{1, 0}));
}

TEST(LayerNormTest, GammaSignBetaAndSaturation) {
  // Row (1, -1), EPS = 0: U = 8, 1 / sqrt(8) = S[64] * 2^-24 = 5931642 * 2^-24. The real
  // output is c sqrt(n) gamma / sqrt(U) + beta = +-gamma + beta; record sqrt(2) * 10 is
  // sqrt(n) |gamma| / s_y for gamma / s_y = 10.
  const std::vector<int64_t> x = {1, -1};
  std::vector<int64_t> y(2);
  LayerNormParams p = Uniform(2, std::sqrt(2.0) * 10, 1, 3.0);
  LayerNorm(p, x.data(), 1, 2, -128, 127, y.data());
  EXPECT_EQ(y, (std::vector<int64_t>{13, -7}));
  p = Uniform(2, std::sqrt(2.0) * 10, -1, 3.0);
  LayerNorm(p, x.data(), 1, 2, -128, 127, y.data());
  EXPECT_EQ(y, (std::vector<int64_t>{-7, 13}));
  LayerNorm(p, x.data(), 1, 2, -5, 5, y.data());
  EXPECT_EQ(y, (std::vector<int64_t>{-5, 5}));
  // Per-element parameters: element 1 has gamma 0 (the zero record) and beta -2.
  p = Uniform(2, std::sqrt(2.0) * 10, 1, 3.0);
  p.gamma_multiplier[1] = 0;
  p.gamma_shift[1] = 0;
  p.beta[1] = -2 * 65536;
  LayerNorm(p, x.data(), 1, 2, -128, 127, y.data());
  EXPECT_EQ(y, (std::vector<int64_t>{13, -2}));
}

TEST(LayerNormTest, ConstantRowGivesBetaAndRowsAreIndependent) {
  // EPS = 1. Row (5, 5): c = 0, so y = beta whatever the rsqrt. Row (1, -1): U = 9,
  // +-2 sqrt(2) 10 / 3 + 3 = 12.43, -6.43. Row (100, -100): U = 80001, +-10.0 + 3.
  LayerNormParams p = Uniform(2, std::sqrt(2.0) * 10, 1, 3.0);
  p.eps_mantissa = 1;
  const std::vector<int64_t> x = {5, 5, 1, -1, 100, -100};
  std::vector<int64_t> y(6);
  LayerNorm(p, x.data(), 3, 2, -128, 127, y.data());
  EXPECT_EQ(y, (std::vector<int64_t>{3, 3, 12, -6, 13, -7}));
}

TEST(LayerNormTest, RealParametersFollowTheFloatLayerNorm) {
  // s_x = 0.05, s_y = 0.04, gamma_i and beta_i as convert would fold them, EPS from 1e-5.
  const int64_t n = 24;
  const double s_x = 0.05, s_y = 0.04, eps = 1e-5;
  std::mt19937 rng(2);
  std::uniform_real_distribution<double> ug(-1.5, 1.5), ub(-1, 1);
  std::uniform_int_distribution<int64_t> ux(-128, 127);
  std::vector<double> gamma(n), beta(n);
  LayerNormParams p = Uniform(n, 1.0, 1, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    gamma[i] = ug(rng);
    beta[i] = ub(rng);
    const RequantizeRecord r = *MakeRequantizeRecord(std::sqrt(n) * std::fabs(gamma[i]) / s_y);
    p.gamma_multiplier[i] = r.multiplier;
    p.gamma_shift[i] = r.shift;
    p.gamma_sign[i] = gamma[i] < 0 ? -1 : 1;
    p.beta[i] = std::llround(std::ldexp(beta[i] / s_y, kLayerNormFractionBits));
  }
  p.eps_mantissa = static_cast<int32_t>(std::round(eps * n * n * n / (s_x * s_x)));
  std::vector<int64_t> x(4 * n), y(4 * n);
  for (int64_t& v : x) v = ux(rng);
  LayerNorm(p, x.data(), 4, n, -128, 127, y.data());
  for (int64_t r = 0; r < 4; ++r) {
    double mean = 0, var = 0;
    for (int64_t k = 0; k < n; ++k) mean += x[r * n + k] * s_x / n;
    for (int64_t k = 0; k < n; ++k) var += std::pow(x[r * n + k] * s_x - mean, 2) / n;
    for (int64_t k = 0; k < n; ++k) {
      const double want =
          ((x[r * n + k] * s_x - mean) / std::sqrt(var + eps) * gamma[k] + beta[k]) / s_y;
      const double clamped = std::fmin(std::fmax(want, -128), 127);
      EXPECT_LE(std::fabs(y[r * n + k] - clamped), 1.0) << r << " " << k;
    }
  }
}

}  // namespace
}  // namespace openbpu::numerics
