// Convolution tiles as im2col + GEMM (depthwise tiles directly, channel-vectorized).
#include "simulator/tae.h"

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <vector>

namespace openbpu::sim {
namespace {

// Gathers the receptive fields of output rows [oy0, oy0 + rows) into cols[rows * out_w][K],
// straight into place (no per-row buffer).
template <typename T>
void Im2ColRows(const T* in, const ConvTileParams& p, int oy0, int rows, int g, int icg,
                std::vector<T>& cols) {
  const int64_t k = static_cast<int64_t>(p.kernel_h) * p.kernel_w * icg;
  cols.assign(static_cast<size_t>(rows) * p.out_w * k, 0);
  for (int r = 0; r < rows; ++r) {
    const int oy = oy0 + r;
    for (int ox = 0; ox < p.out_w; ++ox) {
      T* dst = cols.data() + (static_cast<int64_t>(r) * p.out_w + ox) * k;
      for (int ky = 0; ky < p.kernel_h; ++ky) {
        const int iy = oy * p.stride_h + ky * p.dilation_h - p.pad_top;
        for (int kx = 0; kx < p.kernel_w; ++kx, dst += icg) {
          const int ix = ox * p.stride_w + kx * p.dilation_w - p.pad_left;
          if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) continue;
          const T* src = in + iy * p.in_row_stride + ix * p.in_pixel_stride + g * icg;
          std::copy(src, src + icg, dst);
        }
      }
    }
  }
}

// A depthwise tile (one input and one output channel per group): each output pixel's channels
// at once, the weights transposed to [kh][kw][C] so that input, weights and accumulators are
// all channel-contiguous. The sums are the same integers the GEMM path adds (int32 / int64 adds
// are exact or wrap alike in any order).
template <typename In, typename Acc>
void DepthwiseTile(const In* in, const int8_t* weights, Acc* acc, const ConvTileParams& p) {
  const int c = p.out_c, taps = p.kernel_h * p.kernel_w;
  thread_local std::vector<int32_t> wt;
  wt.resize(static_cast<size_t>(taps) * c);
  for (int ch = 0; ch < c; ++ch) {
    for (int t = 0; t < taps; ++t) wt[static_cast<size_t>(t) * c + ch] = weights[ch * taps + t];
  }
  thread_local std::vector<Acc> sum;
  sum.resize(static_cast<size_t>(c));
  for (int oy = 0; oy < p.out_h; ++oy) {
    for (int ox = 0; ox < p.out_w; ++ox) {
      Acc* out = acc + oy * p.out_row_stride + ox * p.out_pixel_stride;
      Acc* s = sum.data();
      if (p.accumulate) {
        std::copy(out, out + c, s);
      } else {
        std::fill(s, s + c, Acc{0});
      }
      for (int ky = 0; ky < p.kernel_h; ++ky) {
        const int iy = oy * p.stride_h + ky * p.dilation_h - p.pad_top;
        if (iy < 0 || iy >= p.in_h) continue;
        for (int kx = 0; kx < p.kernel_w; ++kx) {
          const int ix = ox * p.stride_w + kx * p.dilation_w - p.pad_left;
          if (ix < 0 || ix >= p.in_w) continue;
          const In* x = in + iy * p.in_row_stride + ix * p.in_pixel_stride;
          const int32_t* w = wt.data() + static_cast<size_t>(ky * p.kernel_w + kx) * c;
          for (int ch = 0; ch < c; ++ch) {
            // int32 sums wrap modulo 2^32 like the hardware register (ISA.md), here as unsigned.
            s[ch] = static_cast<Acc>(static_cast<std::make_unsigned_t<Acc>>(s[ch]) +
                                     static_cast<std::make_unsigned_t<Acc>>(
                                         static_cast<Acc>(x[ch]) * static_cast<Acc>(w[ch])));
          }
        }
      }
      std::copy(s, s + c, out);
    }
  }
}

template <typename In, typename Acc, typename Gemm>
void ConvTile(const In* in, const In* weights, Acc* acc, const ConvTileParams& p, Gemm gemm) {
  const int icg = p.in_c / p.groups, ocg = p.out_c / p.groups;
  const int k = p.kernel_h * p.kernel_w * icg;
  // Dense output rows: one GEMM over the whole tile (weights packed once per group).
  const bool dense = p.out_row_stride == p.out_w * p.out_pixel_stride;
  const int rows_per_gemm = dense ? p.out_h : 1;
  thread_local std::vector<In> cols;
  for (int oy = 0; oy < p.out_h; oy += rows_per_gemm) {
    for (int g = 0; g < p.groups; ++g) {
      Im2ColRows(in, p, oy, rows_per_gemm, g, icg, cols);
      gemm(cols.data(), k, weights + static_cast<int64_t>(g) * ocg * k, k,
           acc + oy * p.out_row_stride + g * ocg, p.out_pixel_stride, rows_per_gemm * p.out_w, ocg,
           k);
    }
  }
}

}  // namespace

void ConvTileS8(const int8_t* in, const int8_t* weights, int32_t* acc, const ConvTileParams& p,
                KernelPath path) {
  if (p.groups > 1 && p.groups == p.in_c && p.groups == p.out_c) {
    DepthwiseTile(in, weights, acc, p);
    return;
  }
  ConvTile(
      in, weights, acc, p,
      [&](const int8_t* a, int64_t lda, const int8_t* b, int64_t ldb, int32_t* c, int64_t ldc,
          int m, int n, int k) { GemmS8S32(a, lda, b, ldb, c, ldc, m, n, k, p.accumulate, path); });
}

void ConvTileS16(const int16_t* in, const int8_t* weights, int64_t* acc, const ConvTileParams& p,
                 KernelPath path) {
  if (p.groups > 1 && p.groups == p.in_c && p.groups == p.out_c) {
    DepthwiseTile(in, weights, acc, p);
    return;
  }
  const int64_t wn = static_cast<int64_t>(p.out_c) * p.kernel_h * p.kernel_w * (p.in_c / p.groups);
  const std::vector<int16_t> w16(weights, weights + wn);
  ConvTile(in, w16.data(), acc, p,
           [&](const int16_t* a, int64_t lda, const int16_t* b, int64_t ldb, int64_t* c,
               int64_t ldc, int m, int n,
               int k) { GemmS16S64(a, lda, b, ldb, c, ldc, m, n, k, p.accumulate, path); });
}

}  // namespace openbpu::sim
