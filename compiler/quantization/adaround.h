// AdaRound-style learned rounding of convolution weights (docs/QUANTIZATION.md "Learned
// rounding"): instead of rounding each weight to the nearest point of its int8 grid, choose for
// each weight the grid point below or above it so that the layer's output on calibration data moves
// least. The objective is AdaRound's layer-wise one (Nagel et al., "Up or Down? Adaptive Rounding
// for Post-Training Quantization", 2020, eq. 13 without the activation):
//   per output channel o:  min over q in {floor(w/s), ceil(w/s)}  sum_p ((q - w/s) . x_p)^2
// over receptive fields x_p of the layer's float input, sampled from the calibration data with a
// seeded generator. It is solved by greedy coordinate descent from round-to-nearest with the
// exact quadratic form H = sum_p x_p x_p^T (every accepted flip lowers the objective), which needs
// no learning rate or annealing schedule and is deterministic for a fixed seed.
#ifndef OPENBPU_COMPILER_QUANTIZATION_ADAROUND_H_
#define OPENBPU_COMPILER_QUANTIZATION_ADAROUND_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "common/tensor.h"
#include "compiler/ir/graph.h"

namespace openbpu::quantization {

// Convert rounds a convolution to nearest when the calibration sampled fewer positions than this
// (fewer than 4 calibration samples at the default 64 per sample).
inline constexpr int64_t kMinAdaRoundPatches = 256;

struct PatchSampling {
  int per_sample = 64;     // output positions drawn per calibration sample
  int max_patches = 2048;  // stop collecting at this many
  uint64_t seed = 0;       // with the node name and sample index, picks the positions
};

// Receptive fields of one convolution's input: `count` rows of `length` = C_in * kh * kw floats
// (channel-major, then kernel row, then column: the weight's layout), zero where the kernel
// window hangs over the padding.
struct PatchSet {
  int64_t length = 0;
  int64_t count = 0;
  std::vector<float> data;
};

// Whether `node` is a convolution CollectPatches and AdaRoundWeight handle: Conv or FusedConv with
// a constant float 4-D weight (2-D spatial).
bool AdaRoundable(const ir::Node& node);

// Draws sampling.per_sample output positions (n, oh, ow) of `node` for calibration sample
// `sample_index` (uniform, with replacement, from a generator seeded by seed, the node's name and
// the index) and appends their receptive fields in `x` (the node's input, NCHW) to `patches`,
// up to sampling.max_patches.
absl::Status CollectPatches(const ir::Node& node, const Tensor& x, int sample_index,
                            const PatchSampling& sampling, PatchSet& patches);

struct AdaRoundResult {
  Tensor weight;             // w's shape: q * s per output channel, q in [-128, 127]
  int64_t flipped = 0;       // weights rounded away from the nearest grid point
  double error_nearest = 0;  // the objective (in LSB^2, summed over channels) at nearest
  double error_learned = 0;  // and at the learned rounding; never above error_nearest
};

// Learned rounding of conv weight `w` [M, C/group, kh, kw] with per-output-channel `scales`
// (qint8, symmetric) against `patches` (CollectPatches of the conv's input). No patches: nearest.
absl::StatusOr<AdaRoundResult> AdaRoundWeight(const Tensor& w, const std::vector<float>& scales,
                                              int64_t group, const PatchSet& patches);

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_ADAROUND_H_
