// TAE (tensor engine) compute kernels: exact int8 x int8 -> int32 and int16 x int16 -> int64
// matrix tiles, with a scalar reference, an xsimd path (runtime arch dispatch) and an
// AVX-512 VNNI and an AVX2 packed micro-kernel (tae_gemm_packed.h). Every path gives
// bit-identical results.
#ifndef OPENBPU_SIMULATOR_TAE_KERNELS_H_
#define OPENBPU_SIMULATOR_TAE_KERNELS_H_

#include <cstdint>

namespace openbpu::sim {

enum class KernelPath {
  kScalar,  // the reference
  kXsimd,   // xsimd, best architecture of the host (exact int32 widening)
  kVnni,    // AVX-512 VNNI packed micro-kernel (int8 only; falls back to kXsimd for int16)
  kBest,    // kVnni if the host has it, else kAvx2 if it has that, else kXsimd
  kAvx2,    // AVX2 packed micro-kernel (vpmaddwd; int8 only; else as kVnni)
};

const char* KernelPathName(KernelPath path);

// True when the host CPU has AVX-512 VNNI (and F/BW).
bool HostHasVnni();

// Name of the xsimd architecture the kXsimd path dispatches to on this host.
const char* XsimdArchName();

// C[m][n] = (accumulate ? C[m][n] : 0) + sum_k A[m][k] * B[n][k] for m < M, n < N, with
// A rows `lda` elements apart, B rows `ldb` apart, C rows `ldc` apart. The int32 sum
// wraps modulo 2^32 (the accumulator register's width); products and partial sums are
// exact on every path (no int16 intermediate that could saturate).
void GemmS8S32(const int8_t* a, int64_t lda, const int8_t* b, int64_t ldb, int32_t* c, int64_t ldc,
               int m, int n, int k, bool accumulate, KernelPath path);

// The int16-input form (bayes): products are exact in int32, sums in int64.
void GemmS16S64(const int16_t* a, int64_t lda, const int16_t* b, int64_t ldb, int64_t* c,
                int64_t ldc, int m, int n, int k, bool accumulate, KernelPath path);

namespace internal {

// Per-architecture xsimd kernels over operands already widened to int32 and padded with
// zeros to a multiple of `k_padded` (a multiple of the widest batch, 16 lanes).
struct XsimdGemmI32 {
  // c32[m][n] += sum_k a[m][k] * b[n][k] (wrapping int32).
  template <class Arch>
  void operator()(Arch, const int32_t* a, const int32_t* b, int32_t* c, int64_t ldc, int m, int n,
                  int k_padded) const;
};
struct XsimdGemmI16Wide {
  // c64[m][n] += sum_k a[m][k] * b[n][k] exactly (int16-range inputs stored as int32).
  template <class Arch>
  void operator()(Arch, const int32_t* a, const int32_t* b, int64_t* c, int64_t ldc, int m, int n,
                  int k_padded) const;
};

}  // namespace internal
}  // namespace openbpu::sim

#endif  // OPENBPU_SIMULATOR_TAE_KERNELS_H_
