// Definitions of the xsimd TAE kernels, included only by the per-architecture translation
// units (tae_kernels_<arch>.cc), each compiled with that architecture's flags.
#ifndef OPENBPU_SIMULATOR_TAE_KERNELS_SIMD_H_
#define OPENBPU_SIMULATOR_TAE_KERNELS_SIMD_H_

#include <cstdint>

#include "simulator/tae_kernels.h"
#include "xsimd/xsimd.hpp"

namespace openbpu::sim::internal {

// MR x NR register block of int32 dot products over k_padded (a multiple of the lane count).
// int8 operands widened to int32 multiply exactly (|p| <= 2^14); the lane sums wrap modulo
// 2^32 exactly like the scalar reference's final int32 truncation.
template <class Arch, int MR, int NR>
inline void BlockI32(const int32_t* a, int64_t kp, const int32_t* b, int32_t* c, int64_t ldc) {
  using B = xsimd::batch<int32_t, Arch>;
  constexpr int L = static_cast<int>(B::size);
  B acc[MR][NR];
  for (int r = 0; r < MR; ++r)
    for (int s = 0; s < NR; ++s) acc[r][s] = B(0);
  for (int64_t k = 0; k < kp; k += L) {
    B x[MR];
    for (int r = 0; r < MR; ++r) x[r] = B::load_unaligned(a + r * kp + k);
    for (int s = 0; s < NR; ++s) {
      const B w = B::load_unaligned(b + s * kp + k);
      for (int r = 0; r < MR; ++r) acc[r][s] += x[r] * w;
    }
  }
  // Lanes are summed as uint32 here: xsimd's hadd adds them as signed int, whose wraparound
  // would be undefined behaviour.
  alignas(64) int32_t lanes[L];
  for (int r = 0; r < MR; ++r) {
    for (int s = 0; s < NR; ++s) {
      acc[r][s].store_aligned(lanes);
      uint32_t sum = 0;
      for (int l = 0; l < L; ++l) sum += static_cast<uint32_t>(lanes[l]);
      uint32_t* out = reinterpret_cast<uint32_t*>(c + r * ldc + s);
      *out += sum;  // unsigned: wraps modulo 2^32 without undefined behaviour
    }
  }
}

template <class Arch>
void XsimdGemmI32::operator()(Arch, const int32_t* a, const int32_t* b, int32_t* c, int64_t ldc,
                              int m, int n, int k_padded) const {
  const int64_t kp = k_padded;
  int i = 0;
  for (; i + 2 <= m; i += 2) {
    int j = 0;
    for (; j + 4 <= n; j += 4)
      BlockI32<Arch, 2, 4>(a + i * kp, kp, b + j * kp, c + i * ldc + j, ldc);
    for (; j < n; ++j) BlockI32<Arch, 2, 1>(a + i * kp, kp, b + j * kp, c + i * ldc + j, ldc);
  }
  for (; i < m; ++i) {
    int j = 0;
    for (; j + 4 <= n; j += 4)
      BlockI32<Arch, 1, 4>(a + i * kp, kp, b + j * kp, c + i * ldc + j, ldc);
    for (; j < n; ++j) BlockI32<Arch, 1, 1>(a + i * kp, kp, b + j * kp, c + i * ldc + j, ldc);
  }
}

// int16 x int16: the product p is exact in int32 (|p| <= 2^30). It is split as
// p = hi * 2^16 + lo with lo = p & 0xFFFF in [0, 65535] and hi = p >> 16 in [-2^14, 2^14];
// lanes accumulate lo and hi separately in int32 for at most kChunk steps (lo sum
// < 2^30, |hi sum| <= 2^28) and are then flushed into int64 — exact for every K.
template <class Arch, int NR>
inline void BlockI16Wide(const int32_t* a, int64_t kp, const int32_t* b, int64_t* c) {
  using B = xsimd::batch<int32_t, Arch>;
  constexpr int L = static_cast<int>(B::size);
  constexpr int64_t kChunk = 16384;
  int64_t total[NR] = {};
  alignas(64) int32_t lanes[L];
  const B mask(0xFFFF);
  for (int64_t k0 = 0; k0 < kp; k0 += kChunk * L) {
    const int64_t k1 = k0 + kChunk * L < kp ? k0 + kChunk * L : kp;
    B lo[NR], hi[NR];
    for (int s = 0; s < NR; ++s) lo[s] = hi[s] = B(0);
    for (int64_t k = k0; k < k1; k += L) {
      const B x = B::load_unaligned(a + k);
      for (int s = 0; s < NR; ++s) {
        const B p = x * B::load_unaligned(b + s * kp + k);
        lo[s] += p & mask;
        hi[s] += p >> 16;
      }
    }
    for (int s = 0; s < NR; ++s) {
      lo[s].store_aligned(lanes);
      for (int l = 0; l < L; ++l) total[s] += lanes[l];
      hi[s].store_aligned(lanes);
      for (int l = 0; l < L; ++l) total[s] += static_cast<int64_t>(lanes[l]) * 65536;
    }
  }
  for (int s = 0; s < NR; ++s) c[s] += total[s];
}

template <class Arch>
void XsimdGemmI16Wide::operator()(Arch, const int32_t* a, const int32_t* b, int64_t* c, int64_t ldc,
                                  int m, int n, int k_padded) const {
  const int64_t kp = k_padded;
  for (int i = 0; i < m; ++i) {
    int j = 0;
    for (; j + 4 <= n; j += 4) BlockI16Wide<Arch, 4>(a + i * kp, kp, b + j * kp, c + i * ldc + j);
    for (; j < n; ++j) BlockI16Wide<Arch, 1>(a + i * kp, kp, b + j * kp, c + i * ldc + j);
  }
}

}  // namespace openbpu::sim::internal

// Instantiates both kernels for one architecture (used once per arch translation unit).
#define OPENBPU_INSTANTIATE_TAE_KERNELS(ARCH)                                        \
  template void openbpu::sim::internal::XsimdGemmI32::operator()<ARCH>(              \
      ARCH, const int32_t*, const int32_t*, int32_t*, int64_t, int, int, int) const; \
  template void openbpu::sim::internal::XsimdGemmI16Wide::operator()<ARCH>(          \
      ARCH, const int32_t*, const int32_t*, int64_t*, int64_t, int, int, int) const

#endif  // OPENBPU_SIMULATOR_TAE_KERNELS_SIMD_H_
