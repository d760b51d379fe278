// Convolution tiles as im2col + GEMM (depthwise tiles directly, channel-vectorized).
#include "simulator/tae.h"

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
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
// are exact or wrap alike in any order). Output rows spread over `pool`.
template <typename In, typename Acc>
void DepthwiseTile(const In* in, const int8_t* weights, Acc* acc, const ConvTileParams& p,
                   ThreadPool* pool) {
  const int c = p.out_c, taps = p.kernel_h * p.kernel_w;
  thread_local std::vector<int32_t> transposed;
  std::vector<int32_t>& wt = transposed;
  wt.resize(static_cast<size_t>(taps) * c);
  for (int ch = 0; ch < c; ++ch) {
    for (int t = 0; t < taps; ++t) wt[static_cast<size_t>(t) * c + ch] = weights[ch * taps + t];
  }
  ParallelFor(pool, p.out_h, [&](int64_t oy) {
    thread_local std::vector<Acc> sums;
    sums.resize(static_cast<size_t>(c));
    for (int ox = 0; ox < p.out_w; ++ox) {
      Acc* out = acc + oy * p.out_row_stride + ox * p.out_pixel_stride;
      Acc* s = sums.data();
      if (p.accumulate) {
        std::copy(out, out + c, s);
      } else {
        std::fill(s, s + c, Acc{0});
      }
      for (int ky = 0; ky < p.kernel_h; ++ky) {
        const int64_t iy = oy * p.stride_h + ky * p.dilation_h - p.pad_top;
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
  });
}

#define OPENBPU_AVX512BW __attribute__((target("avx512f,avx512bw,avx512vl")))

bool HostHasAvx512Bw() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512vl");
  return has;
}

// DepthwiseTile for int8 input and int32 accumulators with AVX-512BW: 32 channels per step,
// int8 x int8 products exact in int16 (|product| <= 2^14), widened and added in int32 (wrapping,
// the same integers). The weights are widened to int16 [kh * kw][C] once per call.
OPENBPU_AVX512BW void DepthwiseS8Avx512(const int8_t* in, const int8_t* weights, int32_t* acc,
                                        const ConvTileParams& p, ThreadPool* pool) {
  const int c = p.out_c, taps = p.kernel_h * p.kernel_w;
  thread_local std::vector<int16_t> transposed;
  std::vector<int16_t>& wt = transposed;
  wt.assign(static_cast<size_t>(taps) * c + 32, 0);
  for (int ch = 0; ch < c; ++ch) {
    for (int t = 0; t < taps; ++t) wt[static_cast<size_t>(t) * c + ch] = weights[ch * taps + t];
  }
  ParallelFor(pool, p.out_h, [&](int64_t oy) OPENBPU_AVX512BW {
    for (int ox = 0; ox < p.out_w; ++ox) {
      int32_t* out = acc + oy * p.out_row_stride + ox * p.out_pixel_stride;
      for (int c0 = 0; c0 < c; c0 += 32) {
        const int lanes = c - c0 < 32 ? c - c0 : 32;
        const __mmask32 m = lanes == 32 ? ~__mmask32{0} : (__mmask32{1} << lanes) - 1;
        const __mmask16 m0 = static_cast<__mmask16>(m), m1 = static_cast<__mmask16>(m >> 16);
        __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512();
        if (p.accumulate) {
          a0 = _mm512_maskz_loadu_epi32(m0, out + c0);
          a1 = _mm512_maskz_loadu_epi32(m1, out + c0 + 16);
        }
        for (int ky = 0; ky < p.kernel_h; ++ky) {
          const int64_t iy = oy * p.stride_h + ky * p.dilation_h - p.pad_top;
          if (iy < 0 || iy >= p.in_h) continue;
          for (int kx = 0; kx < p.kernel_w; ++kx) {
            const int ix = ox * p.stride_w + kx * p.dilation_w - p.pad_left;
            if (ix < 0 || ix >= p.in_w) continue;
            const int8_t* x = in + iy * p.in_row_stride + ix * p.in_pixel_stride + c0;
            const int16_t* w = wt.data() + static_cast<size_t>(ky * p.kernel_w + kx) * c + c0;
            const __m512i x16 = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m, x));
            const __m512i prod = _mm512_mullo_epi16(x16, _mm512_maskz_loadu_epi16(m, w));
            a0 = _mm512_add_epi32(a0, _mm512_cvtepi16_epi32(_mm512_castsi512_si256(prod)));
            a1 = _mm512_add_epi32(a1, _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(prod, 1)));
          }
        }
        _mm512_mask_storeu_epi32(out + c0, m0, a0);
        _mm512_mask_storeu_epi32(out + c0 + 16, m1, a1);
      }
    }
  });
}

// Output pixels per chunk of ConvTileS8Packed: a multiple of every register block's rows
// (6, 8, 12 for VNNI; 4 for AVX2); a 3x3 x 64-channel chunk's operand (48 x 576 bytes) stays in
// L1 between its im2col and the micro-kernel (measured: 96 and 24 were slower on ResNet-18).
constexpr int64_t kChunkPixels = 48;

// The receptive fields of output pixels [p0, p1) of group g in the operand form (im2col): row r
// holds pixel p0 + r's K = kh * kw * icg elements (padding reads as 0), then zeros up to `row`
// elements. `copy(src, n, dst)` writes n elements of the operand form, `zero(n, dst)` n zeros.
// When a kernel row's taps are adjacent pixels of a dense input (dilation 1, one group, pixels
// icg apart) the valid taps of the row are one copy.
template <typename Op, typename Copy, typename Zero>
inline void Im2ColOperand(const int8_t* in, const ConvTileParams& p, int g, int icg, int64_t p0,
                          int64_t p1, int64_t row, Op* dst, Copy copy, Zero zero) {
  const int64_t k = static_cast<int64_t>(p.kernel_h) * p.kernel_w * icg;
  const bool runs = p.dilation_w == 1 && p.groups == 1 && p.in_pixel_stride == icg;
  for (int64_t px = p0; px < p1; ++px, dst += row) {
    const int64_t oy = px / p.out_w, ox = px % p.out_w;
    Op* d = dst;
    for (int ky = 0; ky < p.kernel_h; ++ky, d += static_cast<int64_t>(p.kernel_w) * icg) {
      const int64_t iy = oy * p.stride_h + ky * p.dilation_h - p.pad_top;
      if (iy < 0 || iy >= p.in_h) {
        zero(static_cast<int64_t>(p.kernel_w) * icg, d);
        continue;
      }
      const int8_t* src_row = in + iy * p.in_row_stride + g * icg;
      const int64_t ix0 = ox * p.stride_w - p.pad_left;
      if (runs) {
        // Taps kx in [lo, hi) read pixels ix0 + kx inside [0, in_w).
        const int64_t lo = std::clamp<int64_t>(-ix0, 0, p.kernel_w);
        const int64_t hi = std::clamp<int64_t>(p.in_w - ix0, lo, p.kernel_w);
        if (lo > 0) zero(lo * icg, d);
        copy(src_row + (ix0 + lo) * icg, (hi - lo) * icg, d + lo * icg);
        if (hi < p.kernel_w) zero((p.kernel_w - hi) * icg, d + hi * icg);
        continue;
      }
      for (int kx = 0; kx < p.kernel_w; ++kx) {
        const int64_t ix = ix0 + static_cast<int64_t>(kx) * p.dilation_w;
        if (ix < 0 || ix >= p.in_w) {
          zero(icg, d + static_cast<int64_t>(kx) * icg);
        } else {
          copy(src_row + ix * p.in_pixel_stride, icg, d + static_cast<int64_t>(kx) * icg);
        }
      }
    }
    for (Op* z = dst + k; z < dst + row; ++z) *z = Op(0);
  }
}

// VNNI operand form (x ^ 0x80 as bytes), 64 bytes per masked load and store.
OPENBPU_AVX512BW void Im2ColVnni(const int8_t* in, const ConvTileParams& p, int g, int icg,
                                 int64_t p0, int64_t p1, int64_t row, uint8_t* dst) {
  const auto copy = [](const int8_t* src, int64_t n, uint8_t* d) OPENBPU_AVX512BW {
    const __m512i bias = _mm512_set1_epi8(static_cast<char>(0x80));
    for (int64_t i = 0; i < n; i += 64) {
      const int64_t left = n - i;
      const __mmask64 m = left >= 64 ? ~__mmask64{0} : (__mmask64{1} << left) - 1;
      _mm512_mask_storeu_epi8(d + i, m,
                              _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, src + i), bias));
    }
  };
  const auto zero = [](int64_t n, uint8_t* d) { std::memset(d, 0x80, static_cast<size_t>(n)); };
  Im2ColOperand(in, p, g, icg, p0, p1, row, dst, copy, zero);
}

// AVX2 operand form (int16).
void Im2ColAvx2(const int8_t* in, const ConvTileParams& p, int g, int icg, int64_t p0, int64_t p1,
                int64_t row, int16_t* dst) {
  const auto copy = [](const int8_t* src, int64_t n, int16_t* d) {
    for (int64_t i = 0; i < n; ++i) d[i] = src[i];
  };
  const auto zero = [](int64_t n, int16_t* d) { std::fill(d, d + n, int16_t{0}); };
  Im2ColOperand(in, p, g, icg, p0, p1, row, dst, copy, zero);
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

std::optional<PackedIsa> PackedIsaFor(KernelPath path) {
  switch (path) {
    case KernelPath::kVnni:
      if (HostSupports(PackedIsa::kVnni)) return PackedIsa::kVnni;
      return std::nullopt;
    case KernelPath::kAvx2:
      if (HostSupports(PackedIsa::kAvx2)) return PackedIsa::kAvx2;
      return std::nullopt;
    case KernelPath::kBest:
      if (HostSupports(PackedIsa::kVnni)) return PackedIsa::kVnni;
      if (HostSupports(PackedIsa::kAvx2)) return PackedIsa::kAvx2;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

size_t PackedConvWeights::bytes() const {
  size_t n = 0;
  for (const PackedGemmB& g : groups) n += g.bytes();
  return n;
}

PackedConvWeights PackConvWeights(const int8_t* weights, const ConvTileParams& p, PackedIsa isa) {
  const int icg = p.in_c / p.groups, ocg = p.out_c / p.groups;
  const int k = p.kernel_h * p.kernel_w * icg;
  PackedConvWeights packed;
  for (int g = 0; g < p.groups; ++g) {
    packed.groups.push_back(PackGemmB(weights + static_cast<int64_t>(g) * ocg * k, k, ocg, k, isa));
  }
  return packed;
}

void ConvTileS8Packed(const int8_t* in, const PackedConvWeights& weights, int32_t* acc,
                      const ConvTileParams& tile, ThreadPool* pool) {
  const int icg = tile.in_c / tile.groups, ocg = tile.out_c / tile.groups;
  // Few channels in wider pixels (a first layer's 3 channels in 16 bytes): the input compacted
  // to icg bytes per pixel once, so that im2col copies a kernel row at a time.
  ConvTileParams p = tile;
  thread_local std::vector<int8_t> compact;
  if (p.groups == 1 && p.dilation_w == 1 && p.kernel_w > 1 && p.in_pixel_stride > icg && icg < 32) {
    compact.resize(static_cast<size_t>(p.in_h) * p.in_w * icg);
    int8_t* d = compact.data();
    for (int y = 0; y < p.in_h; ++y) {
      for (int x = 0; x < p.in_w; ++x, d += icg) {
        std::memcpy(d, in + y * p.in_row_stride + x * p.in_pixel_stride, static_cast<size_t>(icg));
      }
    }
    in = compact.data();
    p.in_pixel_stride = icg;
    p.in_row_stride = static_cast<int64_t>(p.in_w) * icg;
  }
  // Dense output rows: chunks run across rows; else each chunk stays inside one output row.
  const bool dense = p.out_row_stride == p.out_w * p.out_pixel_stride;
  const int64_t pixels = static_cast<int64_t>(p.out_h) * p.out_w;
  const int64_t per_row = dense ? 0 : (p.out_w + kChunkPixels - 1) / kChunkPixels;
  const int64_t chunks = dense ? (pixels + kChunkPixels - 1) / kChunkPixels : p.out_h * per_row;
  // With threads and few chunks (a late layer's 7 x 7 pixels) the column blocks split too: each
  // part gathers its chunk's operand itself (cheap next to its share of the product).
  const int threads = pool != nullptr ? pool->threads() : 1;
  for (int g = 0; g < p.groups; ++g) {
    const PackedGemmB& b = weights.groups[static_cast<size_t>(g)];
    const int64_t splits = threads > 1 && chunks < 4 * threads
                               ? std::min<int64_t>(b.blocks(), (4 * threads + chunks - 1) / chunks)
                               : 1;
    ParallelFor(pool, chunks * splits, [&](int64_t item) {
      const int64_t chunk = item / splits, part = item % splits;
      const int block_begin = static_cast<int>(part * b.blocks() / splits);
      const int block_end = static_cast<int>((part + 1) * b.blocks() / splits);
      int64_t p0, p1;
      if (dense) {
        p0 = chunk * kChunkPixels;
        p1 = std::min(pixels, p0 + kChunkPixels);
      } else {
        const int64_t oy = chunk / per_row, x0 = chunk % per_row * kChunkPixels;
        p0 = oy * p.out_w + x0;
        p1 = oy * p.out_w + std::min<int64_t>(p.out_w, x0 + kChunkPixels);
      }
      const int64_t row = b.a_row();
      int32_t* c = acc + (p0 / p.out_w) * p.out_row_stride + (p0 % p.out_w) * p.out_pixel_stride +
                   static_cast<int64_t>(g) * ocg;
      const int rows = static_cast<int>(p1 - p0);
      if (b.isa == PackedIsa::kVnni) {
        thread_local std::vector<uint8_t> cols;
        cols.resize(static_cast<size_t>(rows * row));
        Im2ColVnni(in, p, g, icg, p0, p1, row, cols.data());
        GemmPacked(cols.data(), row, b, c, p.out_pixel_stride, 0, rows, p.accumulate, block_begin,
                   block_end);
      } else {
        thread_local std::vector<int16_t> cols;
        cols.resize(static_cast<size_t>(rows * row));
        Im2ColAvx2(in, p, g, icg, p0, p1, row, cols.data());
        GemmPacked(cols.data(), row, b, c, p.out_pixel_stride, 0, rows, p.accumulate, block_begin,
                   block_end);
      }
    });
  }
}

void ConvTileS8(const int8_t* in, const int8_t* weights, int32_t* acc, const ConvTileParams& p,
                KernelPath path, ThreadPool* pool) {
  if (IsDepthwise(p)) {
    if (path != KernelPath::kScalar && path != KernelPath::kXsimd && HostHasAvx512Bw()) {
      DepthwiseS8Avx512(in, weights, acc, p, pool);
    } else {
      DepthwiseTile(in, weights, acc, p, pool);
    }
    return;
  }
  if (std::optional<PackedIsa> isa = PackedIsaFor(path)) {
    ConvTileS8Packed(in, PackConvWeights(weights, p, *isa), acc, p, pool);
    return;
  }
  ConvTile(
      in, weights, acc, p,
      [&](const int8_t* a, int64_t lda, const int8_t* b, int64_t ldb, int32_t* c, int64_t ldc,
          int m, int n, int k) { GemmS8S32(a, lda, b, ldb, c, ldc, m, n, k, p.accumulate, path); });
}

void ConvTileS16(const int16_t* in, const int8_t* weights, int64_t* acc, const ConvTileParams& p,
                 KernelPath path, ThreadPool* pool) {
  if (IsDepthwise(p)) {
    DepthwiseTile(in, weights, acc, p, pool);
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
