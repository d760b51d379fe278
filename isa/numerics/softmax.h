// Quantized softmax (docs/NUMERICS.md, "Softmax"): the integer row loop of the quantized
// reference and its parameters, here so that the simulator can reach it once softmax is an
// instruction. The compiler builds the parameters (compiler/ops/softmax.cc).
#ifndef OPENBPU_ISA_NUMERICS_SOFTMAX_H_
#define OPENBPU_ISA_NUMERICS_SOFTMAX_H_

#include <cstdint>
#include <vector>

#include "isa/numerics/requantize.h"
#include "isa/numerics/segment_lut.h"

namespace openbpu::numerics {

// The longest softmax axis: S = sum of E <= 32767 * 65536 stays below 2^31.
inline constexpr int64_t kMaxSoftmaxLength = 65536;
// int8 input: the exp table has one entry per d = q - max(q) in [-255, 0], index d + 255.
inline constexpr int kSoftmaxExpTableSize = 256;

// E has scale 1 / 32767 (in [0, 32767]); it cancels in E_i / S.
struct SoftmaxParams {
  // int8 input: exp_table[d + 255] = QuantizeTableEntry(exp(d s_x) * 32767, 0, 32767),
  // kSoftmaxExpTableSize entries. Empty for int16 input, which uses exp_lut.
  std::vector<int32_t> exp_table;
  // int16 input: the exp SegmentLUT (fit evenly, s_out = 1 / 32767).
  SegmentLut exp_lut;
  // kReciprocalTableSize entries (MakeReciprocalTable).
  std::vector<int32_t> reciprocal_table;
  // record(1 / s_out).
  RequantizeRecord output;
};

// E(d) for d = q - max(q) <= 0 (int8 input: d >= -255; int16: d >= -65535), clamped at 0:
// exp_table[d + 255] when exp_table is set; else with L the SegmentLUT, L(d) for
// d >= -32768 and floor((L(d + 32768) * L(-32768) + 16383) / 32767) below.
int64_t SoftmaxExp(const SoftmaxParams& p, int64_t d);

// Softmax along n of the row-major [outer, n, inner] view of x (n <= kMaxSoftmaxLength),
// into y (same layout) saturated to [lo, hi]. Per slice: E_i = SoftmaxExp(q_i - max q),
// S = sum E_i, {rec, e} = Reciprocal(S),
// y_i = saturate(round_half_up(E_i * rec * m * 2^-(n + e))) with {m, n} = p.output,
// computed in 128 bits.
void Softmax(const SoftmaxParams& p, const int64_t* x, int64_t outer, int64_t n, int64_t inner,
             int64_t lo, int64_t hi, int64_t* y);

}  // namespace openbpu::numerics

#endif  // OPENBPU_ISA_NUMERICS_SOFTMAX_H_
