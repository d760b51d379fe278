// Quantized layer normalization (docs/NUMERICS.md, "LayerNorm"): the integer row loop of the
// quantized reference and its parameters, here so that the simulator can reach it once layer
// normalization is an instruction. The compiler builds the parameters
// (compiler/ops/layer_normalization.cc).
#ifndef OPENBPU_ISA_NUMERICS_LAYER_NORM_H_
#define OPENBPU_ISA_NUMERICS_LAYER_NORM_H_

#include <cstdint>
#include <vector>

namespace openbpu::numerics {

// t_i carries this many fraction bits below the output LSB before B_i is added.
inline constexpr int kLayerNormFractionBits = 16;
// The most normalized elements per row: |c_i| < 2^37, V < 2^95.
inline constexpr int64_t kMaxLayerNormSize = int64_t{1} << 20;

struct LayerNormParams {
  // Per normalized element i (n entries each): {gamma_multiplier, gamma_shift} =
  // record(sqrt(n) |gamma_i| / s_y), gamma_sign = sign(gamma_i) (+1 or -1),
  // beta = round(beta_i / s_y * 2^kLayerNormFractionBits).
  std::vector<int32_t> gamma_multiplier;
  std::vector<int32_t> gamma_shift;
  std::vector<int32_t> gamma_sign;
  std::vector<int64_t> beta;
  // EPS = eps_mantissa * 2^eps_exponent = round(epsilon n^3 / s_x^2), eps_exponent in
  // [0, 64].
  int32_t eps_mantissa = 0;
  int32_t eps_exponent = 0;
  // kRsqrtTableSize entries (MakeRsqrtTable).
  std::vector<int32_t> rsqrt_table;
};

// Normalizes each of `rows` rows of the row-major [rows, n] x (1 <= n <= kMaxLayerNormSize)
// into y (same layout) saturated to [lo, hi]. Per row q_1..q_n:
//   S = sum q_i (int64), c_i = n q_i - S (int64), V = sum c_i^2 (uint128),
//   {rs, e} = Rsqrt(V + EPS),
//   t_i = sign_i * saturate(round_half_up(c_i rs m_i 2^-(n_i + e - 16)), +-2^62),
//   y_i = saturate(round_half_up((t_i + beta_i) 2^-16), lo, hi).
void LayerNorm(const LayerNormParams& p, const int64_t* x, int64_t rows, int64_t n, int64_t lo,
               int64_t hi, int64_t* y);

}  // namespace openbpu::numerics

#endif  // OPENBPU_ISA_NUMERICS_LAYER_NORM_H_
