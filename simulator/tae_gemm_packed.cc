// Packed int8 GEMM micro-kernels (tae_gemm_packed.h), in the style of oneDNN's and XNNPACK's
// int8 GEMMs: the weights are packed once so that a vector register holds 16 (VNNI) or 8 (AVX2)
// output channels' consecutive K elements, one broadcast element group of A feeds every
// accumulator of a row (no horizontal reductions), and a block of rows x vectors stays in
// registers over the whole K loop.
//
// VNNI: vpdpbusd multiplies unsigned by signed bytes, so A is biased by +128 (a ^ 0x80) and
// 128 * sum_k B[j][k] is subtracted at the end. Each 4-product group fits in int32
// (<= 4 * 255 * 128) and the accumulator wraps modulo 2^32, as does the correction, so the
// result equals the exact sum modulo 2^32. Zero padding of B makes A's padding add nothing.
// AVX2: vpmaddwd multiplies int16 pairs into exact int32 sums (|2 * 128 * 128| < 2^31) that
// vpaddd adds wrapping, the same integers.
#include "simulator/tae_gemm_packed.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace openbpu::sim {
namespace {

#define OPENBPU_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni")))
#define OPENBPU_AVX2 __attribute__((target("avx2")))
// The register blocks' loops fully unrolled, so that the accumulator arrays live in registers.
#define OPENBPU_UNROLL _Pragma("GCC unroll 16")

int CeilDiv(int a, int b) { return (a + b - 1) / b; }

int VectorLanes(PackedIsa isa) { return isa == PackedIsa::kVnni ? 16 : 8; }

// ---- AVX-512 VNNI: a block of MR rows x NV 16-column vectors ----

// acc += dpbusd(x, w) in place. Written as the instruction itself: GCC's builtin makes it copy
// the accumulator through another register at every step (twice the instructions of the loop).
OPENBPU_VNNI inline void Dpbusd(__m512i& acc, __m512i x, __m512i w) {
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(x), "v"(w));
}

template <int MR, int NV>
OPENBPU_VNNI void VnniTile(const uint8_t* a, int64_t lda, const int8_t* w, int64_t w_step,
                           int groups, const int32_t* bias, int32_t* c, int64_t ldc, int cols,
                           bool accumulate) {
  __m512i acc[MR][NV];
  OPENBPU_UNROLL for (int r = 0; r < MR; ++r) OPENBPU_UNROLL for (int t = 0; t < NV; ++t)
      acc[r][t] = _mm512_setzero_si512();
  for (int g = 0; g < groups; ++g, w += w_step) {
    __m512i wv[NV];
    OPENBPU_UNROLL for (int t = 0; t < NV; ++t) wv[t] = _mm512_loadu_si512(w + 64 * t);
    OPENBPU_UNROLL for (int r = 0; r < MR; ++r) {
      int32_t a4;
      std::memcpy(&a4, a + r * lda + 4 * g, 4);
      const __m512i x = _mm512_set1_epi32(a4);
      OPENBPU_UNROLL for (int t = 0; t < NV; ++t) Dpbusd(acc[r][t], x, wv[t]);
    }
  }
  OPENBPU_UNROLL for (int t = 0; t < NV; ++t) {
    const int lanes = std::min(16, cols - 16 * t);
    const __mmask16 mask = static_cast<__mmask16>((1u << lanes) - 1);
    const __m512i b = _mm512_loadu_si512(bias + 16 * t);
    OPENBPU_UNROLL for (int r = 0; r < MR; ++r) {
      int32_t* out = c + r * ldc + 16 * t;
      __m512i sum = _mm512_sub_epi32(acc[r][t], b);
      if (accumulate) sum = _mm512_add_epi32(sum, _mm512_maskz_loadu_epi32(mask, out));
      _mm512_mask_storeu_epi32(out, mask, sum);
    }
  }
}

// Rows per register block: 24 accumulators at most (of 32 registers), the rest for B and A.
constexpr int VnniRows(int nv) { return nv == 4 ? 6 : nv == 3 ? 8 : 12; }

template <int NV, int MR = VnniRows(NV)>
OPENBPU_VNNI void VnniTail(int rows, const uint8_t* a, int64_t lda, const int8_t* w, int64_t w_step,
                           int groups, const int32_t* bias, int32_t* c, int64_t ldc, int cols,
                           bool accumulate) {
  if constexpr (MR > 0) {
    if (rows == MR) {
      VnniTile<MR, NV>(a, lda, w, w_step, groups, bias, c, ldc, cols, accumulate);
    } else {
      VnniTail<NV, MR - 1>(rows, a, lda, w, w_step, groups, bias, c, ldc, cols, accumulate);
    }
  }
}

template <int NV>
OPENBPU_VNNI void VnniStrip(const uint8_t* a, int64_t lda, const int8_t* w, int64_t w_step,
                            int groups, const int32_t* bias, int32_t* c, int64_t ldc, int cols,
                            int row_begin, int row_end, bool accumulate) {
  constexpr int kRows = VnniRows(NV);
  int i = row_begin;
  for (; i + kRows <= row_end; i += kRows) {
    VnniTile<kRows, NV>(a + i * lda, lda, w, w_step, groups, bias, c + i * ldc, ldc, cols,
                        accumulate);
  }
  if (i < row_end) {
    VnniTail<NV>(row_end - i, a + i * lda, lda, w, w_step, groups, bias, c + i * ldc, ldc, cols,
                 accumulate);
  }
}

OPENBPU_VNNI void GemmVnni(const uint8_t* a, int64_t lda, const PackedGemmB& b, int32_t* c,
                           int64_t ldc, int row_begin, int row_end, bool accumulate,
                           int block_begin, int block_end) {
  for (int blk = block_begin; blk < block_end; ++blk) {
    const int col0 = static_cast<int>(blk) * PackedGemmB::kBlockCols;
    const int cols = std::min(PackedGemmB::kBlockCols, b.n - col0);
    const int nv = CeilDiv(cols, 16);
    const int8_t* w = b.data8.data() + b.block_at[blk];
    const int64_t w_step = int64_t{nv} * 64;
    const int32_t* bias = b.bias.data() + col0;
    int32_t* cb = c + col0;
    switch (nv) {
      case 4:
        VnniStrip<4>(a, lda, w, w_step, b.groups, bias, cb, ldc, cols, row_begin, row_end,
                     accumulate);
        break;
      case 3:
        VnniStrip<3>(a, lda, w, w_step, b.groups, bias, cb, ldc, cols, row_begin, row_end,
                     accumulate);
        break;
      case 2:
        VnniStrip<2>(a, lda, w, w_step, b.groups, bias, cb, ldc, cols, row_begin, row_end,
                     accumulate);
        break;
      default:
        VnniStrip<1>(a, lda, w, w_step, b.groups, bias, cb, ldc, cols, row_begin, row_end,
                     accumulate);
        break;
    }
  }
}

// ---- AVX2: a block of MR rows x NV 8-column vectors (16 registers: 8 accumulators) ----

template <int MR, int NV>
OPENBPU_AVX2 void Avx2Tile(const int16_t* a, int64_t lda, const int16_t* w, int64_t w_step,
                           int groups, int32_t* c, int64_t ldc, int cols, bool accumulate) {
  __m256i acc[MR][NV];
  OPENBPU_UNROLL for (int r = 0; r < MR; ++r) OPENBPU_UNROLL for (int t = 0; t < NV; ++t)
      acc[r][t] = _mm256_setzero_si256();
  for (int g = 0; g < groups; ++g, w += w_step) {
    __m256i wv[NV];
    OPENBPU_UNROLL for (int t = 0; t < NV; ++t) {
      wv[t] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 16 * t));
    }
    OPENBPU_UNROLL for (int r = 0; r < MR; ++r) {
      int32_t a2;
      std::memcpy(&a2, a + r * lda + 2 * g, 4);
      const __m256i x = _mm256_set1_epi32(a2);
      OPENBPU_UNROLL for (int t = 0; t < NV; ++t) {
        acc[r][t] = _mm256_add_epi32(acc[r][t], _mm256_madd_epi16(x, wv[t]));
      }
    }
  }
  for (int t = 0; t < NV; ++t) {
    const int lanes = std::min(8, cols - 8 * t);
    if (lanes <= 0) break;
    for (int r = 0; r < MR; ++r) {
      int32_t* out = c + r * ldc + 8 * t;
      alignas(32) int32_t v[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(v), acc[r][t]);
      for (int l = 0; l < lanes; ++l) {
        const uint32_t old = accumulate ? static_cast<uint32_t>(out[l]) : 0u;
        out[l] = static_cast<int32_t>(old + static_cast<uint32_t>(v[l]));
      }
    }
  }
}

OPENBPU_AVX2 void GemmAvx2(const int16_t* a, int64_t lda, const PackedGemmB& b, int32_t* c,
                           int64_t ldc, int row_begin, int row_end, bool accumulate,
                           int block_begin, int block_end) {
  constexpr int kRows = 4, kVectors = 2;  // 16 columns per strip
  for (int blk = block_begin; blk < block_end; ++blk) {
    const int col0 = static_cast<int>(blk) * PackedGemmB::kBlockCols;
    const int cols = std::min(PackedGemmB::kBlockCols, b.n - col0);
    const int nv = CeilDiv(cols, 8);
    const int64_t w_step = int64_t{nv} * 16;  // int16 elements per K pair of the block
    for (int v0 = 0; v0 < nv; v0 += kVectors) {
      const int16_t* w = b.data16.data() + b.block_at[blk] + v0 * 16;
      const int strip_cols = std::min(cols - v0 * 8, kVectors * 8);
      int32_t* cb = c + col0 + v0 * 8;
      const bool one = nv - v0 == 1;
      int i = row_begin;
      for (; i + kRows <= row_end; i += kRows) {
        if (one) {
          Avx2Tile<kRows, 1>(a + i * lda, lda, w, w_step, b.groups, cb + i * ldc, ldc, strip_cols,
                             accumulate);
        } else {
          Avx2Tile<kRows, kVectors>(a + i * lda, lda, w, w_step, b.groups, cb + i * ldc, ldc,
                                    strip_cols, accumulate);
        }
      }
      for (; i < row_end; ++i) {
        if (one) {
          Avx2Tile<1, 1>(a + i * lda, lda, w, w_step, b.groups, cb + i * ldc, ldc, strip_cols,
                         accumulate);
        } else {
          Avx2Tile<1, kVectors>(a + i * lda, lda, w, w_step, b.groups, cb + i * ldc, ldc,
                                strip_cols, accumulate);
        }
      }
    }
  }
}

}  // namespace

bool HostSupports(PackedIsa isa) {
  if (isa == PackedIsa::kVnni) {
    static const bool vnni = __builtin_cpu_supports("avx512f") &&
                             __builtin_cpu_supports("avx512bw") &&
                             __builtin_cpu_supports("avx512vnni");
    return vnni;
  }
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
}

template <typename T>
void PackBlocks(const int8_t* b, int64_t ldb, PackedGemmB& p, std::vector<T>& data) {
  const int group = p.group(), lanes = VectorLanes(p.isa);
  T* d = data.data();
  for (size_t blk = 0; blk < p.block_at.size(); ++blk) {
    const int col0 = static_cast<int>(blk) * PackedGemmB::kBlockCols;
    const int cols = std::min(PackedGemmB::kBlockCols, p.n - col0);
    const int padded = CeilDiv(cols, lanes) * lanes;
    d = data.data() + p.block_at[blk];
    for (int g = 0; g < p.groups; ++g) {
      const int x0 = g * group, xs = std::min(group, p.k - x0);
      for (int col = 0; col < padded; ++col, d += group) {
        if (col >= cols) continue;  // zero padding (data starts zeroed)
        const int8_t* src = b + (col0 + col) * ldb + x0;
        for (int e = 0; e < xs; ++e) d[e] = src[e];
      }
    }
  }
}

PackedGemmB PackGemmB(const int8_t* b, int64_t ldb, int n, int k, PackedIsa isa) {
  PackedGemmB p;
  p.isa = isa;
  p.n = n;
  p.k = k;
  const int group = p.group(), lanes = VectorLanes(isa);
  p.groups = CeilDiv(k, group);
  const int blocks = CeilDiv(n, PackedGemmB::kBlockCols);
  int64_t total = 0;
  for (int blk = 0; blk < blocks; ++blk) {
    p.block_at.push_back(total);
    const int cols = std::min(PackedGemmB::kBlockCols, n - blk * PackedGemmB::kBlockCols);
    total += int64_t{CeilDiv(cols, lanes) * lanes} * p.groups * group;
  }
  if (isa == PackedIsa::kVnni) {
    p.data8.assign(static_cast<size_t>(total), 0);
    PackBlocks(b, ldb, p, p.data8);
    p.bias.assign(static_cast<size_t>(blocks) * PackedGemmB::kBlockCols, 0);
    for (int j = 0; j < n; ++j) {
      uint32_t sum = 0;
      const int8_t* row = b + j * ldb;
      for (int x = 0; x < k; ++x) sum += static_cast<uint32_t>(static_cast<int32_t>(row[x]));
      p.bias[static_cast<size_t>(j)] = static_cast<int32_t>(sum * 128u);
    }
  } else {
    p.data16.assign(static_cast<size_t>(total), 0);
    PackBlocks(b, ldb, p, p.data16);
  }
  return p;
}

void ToOperandRow(const int8_t* a, int k, const PackedGemmB& b, void* dst) {
  const int64_t row = b.a_row();
  if (b.isa == PackedIsa::kVnni) {
    auto* d = static_cast<uint8_t*>(dst);
    for (int i = 0; i < k; ++i) d[i] = static_cast<uint8_t>(a[i]) ^ 0x80u;
    std::memset(d + k, 0, static_cast<size_t>(row - k));
  } else {
    auto* d = static_cast<int16_t*>(dst);
    for (int i = 0; i < k; ++i) d[i] = a[i];
    std::fill(d + k, d + row, int16_t{0});
  }
}

void GemmPacked(const void* a, int64_t lda, const PackedGemmB& b, int32_t* c, int64_t ldc,
                int row_begin, int row_end, bool accumulate, int block_begin, int block_end) {
  if (block_end < 0 || block_end > b.blocks()) block_end = b.blocks();
  if (row_end <= row_begin || b.n <= 0 || block_begin >= block_end) return;
  if (b.k <= 0) {
    if (!accumulate) {
      const int col0 = block_begin * PackedGemmB::kBlockCols;
      const int col1 = std::min(b.n, block_end * PackedGemmB::kBlockCols);
      for (int i = row_begin; i < row_end; ++i)
        std::fill(c + i * ldc + col0, c + i * ldc + col1, 0);
    }
    return;
  }
  if (b.isa == PackedIsa::kVnni) {
    GemmVnni(static_cast<const uint8_t*>(a), lda, b, c, ldc, row_begin, row_end, accumulate,
             block_begin, block_end);
  } else {
    GemmAvx2(static_cast<const int16_t*>(a), lda, b, c, ldc, row_begin, row_end, accumulate,
             block_begin, block_end);
  }
}

}  // namespace openbpu::sim
