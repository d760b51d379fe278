// TAE kernel front end: the scalar reference, the xsimd dispatcher (operands widened to
// int32 once per call) and the packed VNNI / AVX2 micro-kernels selected at run time.
#include "simulator/tae_kernels.h"

#include <cstring>
#include <vector>

#include "simulator/tae_gemm_packed.h"
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

// The packed micro-kernels for a one-off product: B packed and A put in the operand form here.
void PackedS8(const int8_t* a, int64_t lda, const int8_t* b, int64_t ldb, int32_t* c, int64_t ldc,
              int m, int n, int k, PackedIsa isa) {
  const PackedGemmB packed = PackGemmB(b, ldb, n, k, isa);
  const int64_t row = packed.a_row();
  const size_t bytes = static_cast<size_t>(row) * m * (isa == PackedIsa::kVnni ? 1 : 2);
  thread_local std::vector<uint8_t> operand;
  operand.resize(bytes);
  const size_t row_bytes = bytes / static_cast<size_t>(m);
  for (int i = 0; i < m; ++i) {
    ToOperandRow(a + i * lda, k, packed, operand.data() + static_cast<size_t>(i) * row_bytes);
  }
  GemmPacked(operand.data(), row, packed, c, ldc, 0, m, /*accumulate=*/true);
}

KernelPath Resolve(KernelPath path) {
  if (path == KernelPath::kBest) {
    if (HostHasVnni()) return KernelPath::kVnni;
    return HostSupports(PackedIsa::kAvx2) ? KernelPath::kAvx2 : KernelPath::kXsimd;
  }
  if (path == KernelPath::kVnni && !HostHasVnni()) return KernelPath::kXsimd;
  if (path == KernelPath::kAvx2 && !HostSupports(PackedIsa::kAvx2)) return KernelPath::kXsimd;
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
    case KernelPath::kAvx2:
      return "avx2";
    case KernelPath::kBest:
      return "best";
  }
  return "?";
}

bool HostHasVnni() { return HostSupports(PackedIsa::kVnni); }

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
      PackedS8(a, lda, b, ldb, c, ldc, m, n, k, PackedIsa::kVnni);
      return;
    case KernelPath::kAvx2:
      PackedS8(a, lda, b, ldb, c, ldc, m, n, k, PackedIsa::kAvx2);
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
