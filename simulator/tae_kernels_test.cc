// SIMD and VNNI TAE kernels against the scalar reference: random operands, every edge of the
// register blocking, and all-extreme operands at the largest K.
#include "simulator/tae_kernels.h"

#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "xsimd/xsimd.hpp"

namespace openbpu::sim {
namespace {

// Largest reduction length the tests exercise: a 3x3 kernel over 8192 input channels for
// int8 (beyond what any TAE instruction encodes), and past the xsimd int16 path's int32 flush
// chunk (16384 steps x 16 lanes) for int16.
constexpr int kMaxK8 = 9 * 8192;
constexpr int kMaxK16 = 16384 * 16 + 4099;

const KernelPath kFastPaths[] = {KernelPath::kXsimd, KernelPath::kVnni, KernelPath::kAvx2,
                                 KernelPath::kBest};

template <typename T>
std::vector<T> Random(size_t n, std::mt19937& rng) {
  std::uniform_int_distribution<int> d(std::numeric_limits<T>::min(),
                                       std::numeric_limits<T>::max());
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(d(rng));
  return v;
}

TEST(TaeKernels, Int8RandomShapesMatchScalar) {
  std::mt19937 rng(7);
  for (int m : {1, 2, 3, 5}) {
    for (int n : {1, 3, 4, 9}) {
      for (int k : {1, 15, 16, 17, 63, 64, 65, 200}) {
        const int lda = k + 3, ldb = k + 1, ldc = n + 2;
        auto a = Random<int8_t>(m * lda, rng);
        auto b = Random<int8_t>(n * ldb, rng);
        auto init = Random<int8_t>(m * ldc, rng);
        std::vector<int32_t> ref(init.begin(), init.end());
        GemmS8S32(a.data(), lda, b.data(), ldb, ref.data(), ldc, m, n, k, true,
                  KernelPath::kScalar);
        for (KernelPath p : kFastPaths) {
          std::vector<int32_t> got(init.begin(), init.end());
          GemmS8S32(a.data(), lda, b.data(), ldb, got.data(), ldc, m, n, k, true, p);
          ASSERT_EQ(got, ref) << KernelPathName(p) << " m=" << m << " n=" << n << " k=" << k;
          std::vector<int32_t> fresh(init.begin(), init.end());
          GemmS8S32(a.data(), lda, b.data(), ldb, fresh.data(), ldc, m, n, k, false, p);
          for (int i = 0; i < m; ++i)
            for (int j = 0; j < n; ++j)
              ASSERT_EQ(fresh[i * ldc + j], ref[i * ldc + j] - init[i * ldc + j]);
        }
      }
    }
  }
}

// The packed micro-kernels' register blocks (6 / 8 / 12 rows by 1..4 vectors of 16 for VNNI,
// 4 rows by 2 vectors of 8 for AVX2), their row tails and the 64-column blocks' tails.
TEST(TaeKernels, Int8RegisterBlocksAndTails) {
  std::mt19937 rng(17);
  for (int m : {6, 7, 8, 12, 13, 25}) {
    for (int n : {16, 17, 33, 48, 64, 65, 130}) {
      for (int k : {4, 5, 64, 577}) {
        const int lda = k + 1, ldb = k + 2, ldc = n + 5;
        auto a = Random<int8_t>(m * lda, rng);
        auto b = Random<int8_t>(n * ldb, rng);
        std::vector<int32_t> ref(m * ldc, 7);
        GemmS8S32(a.data(), lda, b.data(), ldb, ref.data(), ldc, m, n, k, true,
                  KernelPath::kScalar);
        for (KernelPath p : kFastPaths) {
          std::vector<int32_t> got(m * ldc, 7);
          GemmS8S32(a.data(), lda, b.data(), ldb, got.data(), ldc, m, n, k, true, p);
          ASSERT_EQ(got, ref) << KernelPathName(p) << " m=" << m << " n=" << n << " k=" << k;
        }
      }
    }
  }
}

TEST(TaeKernels, Int8ExtremesAtLargestK) {
  const int m = 3, n = 5, k = kMaxK8;
  for (int av : {-128, 127}) {
    for (int bv : {-128, 127}) {
      std::vector<int8_t> a(m * k, av), b(n * k, bv);
      // Mix signs in one row so blocks see both extremes.
      for (int x = 0; x < k; x += 3) a[k + x] = static_cast<int8_t>(av == 127 ? -128 : 127);
      std::vector<int32_t> ref(m * n);
      GemmS8S32(a.data(), k, b.data(), k, ref.data(), n, m, n, k, false, KernelPath::kScalar);
      EXPECT_EQ(ref[0], av * bv * k);  // |av * bv * k| < 2^31: exact
      for (KernelPath p : kFastPaths) {
        std::vector<int32_t> got(m * n);
        GemmS8S32(a.data(), k, b.data(), k, got.data(), n, m, n, k, false, p);
        EXPECT_EQ(got, ref) << KernelPathName(p) << " a=" << av << " b=" << bv;
      }
    }
  }
}

TEST(TaeKernels, Int8WrapsLikeAnInt32Register) {
  // 2^17 + 5 products of (-128)(-128) = 2^31 + 81920: past INT32_MAX, every path wraps.
  const int k = (1 << 17) + 5;
  std::vector<int8_t> a(k, -128), b(k, -128);
  const int32_t want = static_cast<int32_t>(static_cast<uint32_t>(16384ull * k));
  for (KernelPath p :
       {KernelPath::kScalar, KernelPath::kXsimd, KernelPath::kVnni, KernelPath::kAvx2}) {
    int32_t c = 0;
    GemmS8S32(a.data(), k, b.data(), k, &c, 1, 1, 1, k, false, p);
    EXPECT_EQ(c, want) << KernelPathName(p);
  }
}

TEST(TaeKernels, Int16RandomShapesMatchScalar) {
  std::mt19937 rng(11);
  for (int m : {1, 2, 3}) {
    for (int n : {1, 4, 7}) {
      for (int k : {1, 16, 33, 300}) {
        auto a = Random<int16_t>(m * k, rng);
        auto b = Random<int16_t>(n * k, rng);
        std::vector<int64_t> ref(m * n, 5);
        GemmS16S64(a.data(), k, b.data(), k, ref.data(), n, m, n, k, true, KernelPath::kScalar);
        for (KernelPath p : kFastPaths) {
          std::vector<int64_t> got(m * n, 5);
          GemmS16S64(a.data(), k, b.data(), k, got.data(), n, m, n, k, true, p);
          ASSERT_EQ(got, ref) << KernelPathName(p) << " m=" << m << " n=" << n << " k=" << k;
        }
      }
    }
  }
}

TEST(TaeKernels, Int16ExtremesAtLargestKAccumulateWide) {
  const int m = 2, n = 5, k = kMaxK16;
  for (int av : {-32768, 32767}) {
    for (int bv : {-32768, 32767}) {
      std::vector<int16_t> a(m * k, av), b(n * k, bv);
      std::vector<int64_t> ref(m * n);
      GemmS16S64(a.data(), k, b.data(), k, ref.data(), n, m, n, k, false, KernelPath::kScalar);
      EXPECT_EQ(ref[0], static_cast<int64_t>(av) * bv * k);  // far beyond int32
      for (KernelPath p : kFastPaths) {
        std::vector<int64_t> got(m * n);
        GemmS16S64(a.data(), k, b.data(), k, got.data(), n, m, n, k, false, p);
        EXPECT_EQ(got, ref) << KernelPathName(p) << " a=" << av << " b=" << bv;
      }
    }
  }
}

// Every compiled xsimd architecture, not just the one this host dispatches to.
template <class Arch>
void CheckArch() {
  if (!Arch::available()) {
    std::printf("tae-kernels: %s not available on this host, skipped\n", Arch::name());
    return;
  }
  std::mt19937 rng(13);
  const int m = 3, n = 6, k = 80;  // k padded to a multiple of 16
  auto a8 = Random<int8_t>(m * k, rng);
  auto b8 = Random<int8_t>(n * k, rng);
  std::vector<int32_t> ref(m * n), got(m * n);
  GemmS8S32(a8.data(), k, b8.data(), k, ref.data(), n, m, n, k, false, KernelPath::kScalar);
  std::vector<int32_t> a32(a8.begin(), a8.end()), b32(b8.begin(), b8.end());
  internal::XsimdGemmI32{}(Arch{}, a32.data(), b32.data(), got.data(), n, m, n, k);
  EXPECT_EQ(got, ref) << Arch::name();
  auto a16 = Random<int16_t>(m * k, rng);
  auto b16 = Random<int16_t>(n * k, rng);
  std::vector<int64_t> ref64(m * n), got64(m * n);
  GemmS16S64(a16.data(), k, b16.data(), k, ref64.data(), n, m, n, k, false, KernelPath::kScalar);
  std::vector<int32_t> a16w(a16.begin(), a16.end()), b16w(b16.begin(), b16.end());
  internal::XsimdGemmI16Wide{}(Arch{}, a16w.data(), b16w.data(), got64.data(), n, m, n, k);
  EXPECT_EQ(got64, ref64) << Arch::name();
}

TEST(TaeKernels, EveryCompiledXsimdArchMatchesScalar) {
  CheckArch<xsimd::avx512bw>();
  CheckArch<xsimd::avx2>();
  CheckArch<xsimd::sse2>();
}

TEST(TaeKernels, ReportsHostPaths) {
  std::printf("tae-kernels: xsimd arch=%s vnni=%s\n", XsimdArchName(),
              HostHasVnni() ? "yes" : "no");
  SUCCEED();
}

}  // namespace
}  // namespace openbpu::sim
