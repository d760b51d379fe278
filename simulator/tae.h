// TAE functional tiles: int8 (and bayes int16-input) convolution with stride, dilation,
// padding and groups, and matmul, accumulated exactly into int32 / int64 accumulators via
// the SIMD GEMM kernels (im2col per output row).
#ifndef OPENBPU_SIMULATOR_TAE_H_
#define OPENBPU_SIMULATOR_TAE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "simulator/tae_gemm_packed.h"
#include "simulator/tae_kernels.h"
#include "simulator/thread_pool.h"

namespace openbpu::sim {

// Feature maps are channel-minor: element (y, x, c) of a tile sits at
// y * row_stride + x * pixel_stride + c (in elements). Weights are dense
// [out_c][kh][kw][in_c / groups]. Input pixels outside [0, in_h) x [0, in_w) read as 0
// (padding is implicit: the tile's origin is at (-pad_top, -pad_left)).
struct ConvTileParams {
  int in_h = 1, in_w = 1, in_c = 1;
  int64_t in_row_stride = 0, in_pixel_stride = 0;
  int out_h = 1, out_w = 1, out_c = 1;
  int64_t out_row_stride = 0, out_pixel_stride = 0;
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int pad_top = 0, pad_left = 0;
  int groups = 1;
  bool accumulate = false;  // add to the accumulators instead of overwriting them

  int64_t Macs() const {
    return static_cast<int64_t>(out_h) * out_w * out_c * kernel_h * kernel_w * (in_c / groups);
  }
};

// One input and one output channel per group: computed directly (DepthwiseTile), not as a GEMM.
inline bool IsDepthwise(const ConvTileParams& p) {
  return p.groups > 1 && p.groups == p.in_c && p.groups == p.out_c;
}

// The packed micro-kernel `path` runs on this host (kVnni / kAvx2, kBest: the best the host
// has), or nullopt for the scalar and xsimd paths.
std::optional<PackedIsa> PackedIsaFor(KernelPath path);

// An int8 conv tile's weights packed for GemmPacked, one PackedGemmB per group.
struct PackedConvWeights {
  std::vector<PackedGemmB> groups;
  size_t bytes() const;
};
PackedConvWeights PackConvWeights(const int8_t* weights, const ConvTileParams& p, PackedIsa isa);

// ConvTileS8 with weights packed beforehand (not depthwise): chunks of output pixels gathered
// into the operand form (im2col) and multiplied, spread over `pool`'s threads (null: this one).
void ConvTileS8Packed(const int8_t* in, const PackedConvWeights& weights, int32_t* acc,
                      const ConvTileParams& p, ThreadPool* pool);

// in/out channel counts divisible by groups, all sizes positive (the caller validates).
// kVnni / kAvx2 / kBest pack the weights and run ConvTileS8Packed (or the depthwise tile).
void ConvTileS8(const int8_t* in, const int8_t* weights, int32_t* acc, const ConvTileParams& p,
                KernelPath path = KernelPath::kBest, ThreadPool* pool = nullptr);
// int16 input x int8 weights, int64 accumulators (bayes).
void ConvTileS16(const int16_t* in, const int8_t* weights, int64_t* acc, const ConvTileParams& p,
                 KernelPath path = KernelPath::kBest, ThreadPool* pool = nullptr);

}  // namespace openbpu::sim

#endif  // OPENBPU_SIMULATOR_TAE_H_
