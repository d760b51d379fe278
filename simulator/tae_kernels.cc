// TAE kernel front end: the scalar reference, the xsimd dispatcher (operands widened to
// int32 once per call) and the AVX-512 VNNI kernel selected at run time.
#include "simulator/tae_kernels.h"

#include <immintrin.h>

#include <cstring>
#include <vector>

#include "xsimd/xsimd.hpp"

namespace openbpu::sim {
namespace {

using XsimdArchs = xsimd::arch_list<xsimd::avx512bw, xsimd::avx2, xsimd::sse2>;

constexpr int kPadLanes = 16;  // widest xsimd int32 batch (AVX-512)

int64_t PadK(int k) { return (static_cast<int64_t>(k) + kPadLanes - 1) / kPadLanes * kPadLanes; }

template <typename T>
void WidenRows(const T* src, int64_t ld, int rows, int k, int64_t kp, std::vector<int32_t>& dst) {
  dst.assign(static_cast<size_t>(rows) * kp, 0);
  for (int r = 0; r < rows; ++r) {
    const T* s = src + r * ld;
    int32_t* d = dst.data() + r * kp;
    for (int i = 0; i < k; ++i) d[i] = s[i];
  }
}

void ScalarS8(const int8_t* a, int64_t lda, const int8_t* b, int64_t ldb, int32_t* c, int64_t ldc,
              int m, int n, int k) {
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      int64_t sum = 0;  // exact: |sum| <= K * 2^14
      for (int x = 0; x < k; ++x) sum += static_cast<int32_t>(a[i * lda + x]) * b[j * ldb + x];
      uint32_t* out = reinterpret_cast<uint32_t*>(c + i * ldc + j);
      *out += static_cast<uint32_t>(static_cast<uint64_t>(sum));  // int32 register: mod 2^32
    }
  }
}

void ScalarS16(const int16_t* a, int64_t lda, const int16_t* b, int64_t ldb, int64_t* c,
               int64_t ldc, int m, int n, int k) {
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      int64_t sum = 0;  // exact: |sum| <= K * 2^30
      for (int x = 0; x < k; ++x) {
        sum += static_cast<int64_t>(a[i * lda + x]) * b[j * ldb + x];
      }
      c[i * ldc + j] += sum;
    }
  }
}

// VNNI: vpdpbusd multiplies unsigned by signed bytes, so A is biased by +128 (a ^ 0x80) and
// 128 * sum_k B[n][k] is subtracted afterwards. Every 4-product group fits in int32
// (<= 4 * 255 * 128) and the accumulator wraps modulo 2^32, as does the correction, so the
// result equals the exact sum modulo 2^32. B is packed as [K/4][N (padded to 16)][4] so the
// 16 lanes of a register are 16 output channels and one broadcast 4-byte group of A feeds
// them all: no horizontal reductions. Padding bytes of B are 0, so A's padding (which reads
// as 0x80 = 128 after the bias) adds nothing.
#define OPENBPU_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni")))

struct VnniPacked {
  const int8_t* b;      // [k4][np][4]
  const int32_t* bias;  // [np], 128 * row sums (wrapping)
  int k4, np;
};

OPENBPU_VNNI inline int32_t VnniA4(const int8_t* row, int g, int k) {
  uint32_t v = 0;
  const int left = k - 4 * g;
  std::memcpy(&v, row + 4 * g, left >= 4 ? 4 : left);
  return static_cast<int32_t>(v ^ 0x80808080u);
}

template <int MR, int NV>
OPENBPU_VNNI inline void VnniBlock(const int8_t* a, int64_t lda, int k, const VnniPacked& pk,
                                   int jv, int n, int32_t* c, int64_t ldc) {
  __m512i acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int t = 0; t < NV; ++t) acc[r][t] = _mm512_setzero_si512();
  const int full = k / 4;  // groups read straight from A
  for (int g = 0; g < pk.k4; ++g) {
    __m512i w[NV];
    const int8_t* wp = pk.b + (static_cast<int64_t>(g) * pk.np + jv * 16) * 4;
    for (int t = 0; t < NV; ++t) w[t] = _mm512_loadu_si512(wp + t * 64);
    for (int r = 0; r < MR; ++r) {
      int32_t a4;
      if (g < full) {
        uint32_t v;
        std::memcpy(&v, a + r * lda + 4 * g, 4);
        a4 = static_cast<int32_t>(v ^ 0x80808080u);
      } else {
        a4 = VnniA4(a + r * lda, g, k);
      }
      const __m512i x = _mm512_set1_epi32(a4);
      for (int t = 0; t < NV; ++t) acc[r][t] = _mm512_dpbusd_epi32(acc[r][t], x, w[t]);
    }
  }
  for (int t = 0; t < NV; ++t) {
    const int col = (jv + t) * 16;
    const int lanes = n - col >= 16 ? 16 : n - col;
    const __mmask16 mask = static_cast<__mmask16>((1u << lanes) - 1);
    const __m512i bias = _mm512_loadu_si512(pk.bias + col);
    for (int r = 0; r < MR; ++r) {
      int32_t* out = c + r * ldc + col;
      const __m512i old = _mm512_maskz_loadu_epi32(mask, out);
      const __m512i sum = _mm512_add_epi32(old, _mm512_sub_epi32(acc[r][t], bias));
      _mm512_mask_storeu_epi32(out, mask, sum);
    }
  }
}

template <int MR>
OPENBPU_VNNI inline void VnniRows(const int8_t* a, int64_t lda, int k, const VnniPacked& pk, int n,
                                  int32_t* c, int64_t ldc) {
  const int nv = pk.np / 16;
  int jv = 0;
  for (; jv + 4 <= nv; jv += 4) VnniBlock<MR, 4>(a, lda, k, pk, jv, n, c, ldc);
  switch (nv - jv) {
    case 3:
      VnniBlock<MR, 3>(a, lda, k, pk, jv, n, c, ldc);
      break;
    case 2:
      VnniBlock<MR, 2>(a, lda, k, pk, jv, n, c, ldc);
      break;
    case 1:
      VnniBlock<MR, 1>(a, lda, k, pk, jv, n, c, ldc);
      break;
    default:
      break;
  }
}

OPENBPU_VNNI void VnniS8(const int8_t* a, int64_t lda, const int8_t* b, int64_t ldb, int32_t* c,
                         int64_t ldc, int m, int n, int k) {
  thread_local std::vector<int8_t> packed;
  thread_local std::vector<int32_t> bias;
  VnniPacked pk;
  pk.k4 = (k + 3) / 4;
  pk.np = (n + 15) / 16 * 16;
  packed.assign(static_cast<size_t>(pk.k4) * pk.np * 4, 0);
  bias.assign(pk.np, 0);
  for (int j = 0; j < n; ++j) {
    const int8_t* row = b + j * ldb;
    int8_t* dst = packed.data() + static_cast<int64_t>(j) * 4;
    uint32_t sum = 0;
    for (int x = 0; x < k; ++x) sum += static_cast<uint32_t>(static_cast<int32_t>(row[x]));
    for (int g = 0; g < pk.k4; ++g, dst += static_cast<int64_t>(pk.np) * 4) {
      const int left = k - 4 * g;
      std::memcpy(dst, row + 4 * g, left >= 4 ? 4 : left);
    }
    bias[j] = static_cast<int32_t>(sum * 128u);
  }
  pk.b = packed.data();
  pk.bias = bias.data();
  int i = 0;
  for (; i + 4 <= m; i += 4) VnniRows<4>(a + i * lda, lda, k, pk, n, c + i * ldc, ldc);
  for (; i < m; ++i) VnniRows<1>(a + i * lda, lda, k, pk, n, c + i * ldc, ldc);
}

KernelPath Resolve(KernelPath path) {
  if (path == KernelPath::kBest) return HostHasVnni() ? KernelPath::kVnni : KernelPath::kXsimd;
  if (path == KernelPath::kVnni && !HostHasVnni()) return KernelPath::kXsimd;
  return path;
}

template <typename T>
void ZeroIfNeeded(T* c, int64_t ldc, int m, int n, bool accumulate) {
  if (accumulate) return;
  for (int i = 0; i < m; ++i) std::memset(c + i * ldc, 0, sizeof(T) * n);
}

}  // namespace

const char* KernelPathName(KernelPath path) {
  switch (path) {
    case KernelPath::kScalar:
      return "scalar";
    case KernelPath::kXsimd:
      return "xsimd";
    case KernelPath::kVnni:
      return "vnni";
    case KernelPath::kBest:
      return "best";
  }
  return "?";
}

bool HostHasVnni() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512vnni");
  return has;
}

const char* XsimdArchName() {
  return xsimd::dispatch<XsimdArchs>([](auto arch) { return decltype(arch)::name(); })();
}

void GemmS8S32(const int8_t* a, int64_t lda, const int8_t* b, int64_t ldb, int32_t* c, int64_t ldc,
               int m, int n, int k, bool accumulate, KernelPath path) {
  ZeroIfNeeded(c, ldc, m, n, accumulate);
  if (m <= 0 || n <= 0 || k <= 0) return;
  switch (Resolve(path)) {
    case KernelPath::kScalar:
      ScalarS8(a, lda, b, ldb, c, ldc, m, n, k);
      return;
    case KernelPath::kVnni:
      VnniS8(a, lda, b, ldb, c, ldc, m, n, k);
      return;
    default: {
      thread_local std::vector<int32_t> wa, wb;
      const int64_t kp = PadK(k);
      WidenRows(a, lda, m, k, kp, wa);
      WidenRows(b, ldb, n, k, kp, wb);
      xsimd::dispatch<XsimdArchs>(internal::XsimdGemmI32{})(wa.data(), wb.data(), c, ldc, m, n,
                                                            static_cast<int>(kp));
      return;
    }
  }
}

void GemmS16S64(const int16_t* a, int64_t lda, const int16_t* b, int64_t ldb, int64_t* c,
                int64_t ldc, int m, int n, int k, bool accumulate, KernelPath path) {
  ZeroIfNeeded(c, ldc, m, n, accumulate);
  if (m <= 0 || n <= 0 || k <= 0) return;
  if (Resolve(path) == KernelPath::kScalar) {
    ScalarS16(a, lda, b, ldb, c, ldc, m, n, k);
    return;
  }
  thread_local std::vector<int32_t> wa, wb;
  const int64_t kp = PadK(k);
  WidenRows(a, lda, m, k, kp, wa);
  WidenRows(b, ldb, n, k, kp, wb);
  xsimd::dispatch<XsimdArchs>(internal::XsimdGemmI16Wide{})(wa.data(), wb.data(), c, ldc, m, n,
                                                            static_cast<int>(kp));
}

}  // namespace openbpu::sim
