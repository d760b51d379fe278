// Convolution tiles against a direct 7-loop convolution: strides, dilation, padding, groups,
// int8 and int16 inputs, every kernel path.
#include "simulator/tae.h"

#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace openbpu::sim {
namespace {

template <typename In, typename Acc>
std::vector<Acc> Direct(const std::vector<In>& in, const std::vector<int8_t>& w,
                        const ConvTileParams& p) {
  std::vector<Acc> out(static_cast<size_t>(p.out_h) * p.out_row_stride, 0);
  const int icg = p.in_c / p.groups, ocg = p.out_c / p.groups;
  for (int oy = 0; oy < p.out_h; ++oy)
    for (int ox = 0; ox < p.out_w; ++ox)
      for (int oc = 0; oc < p.out_c; ++oc) {
        int64_t s = 0;
        const int g = oc / ocg;
        for (int ky = 0; ky < p.kernel_h; ++ky)
          for (int kx = 0; kx < p.kernel_w; ++kx)
            for (int c = 0; c < icg; ++c) {
              const int iy = oy * p.stride_h + ky * p.dilation_h - p.pad_top;
              const int ix = ox * p.stride_w + kx * p.dilation_w - p.pad_left;
              if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) continue;
              s += static_cast<int64_t>(
                       in[iy * p.in_row_stride + ix * p.in_pixel_stride + g * icg + c]) *
                   w[((oc * p.kernel_h + ky) * p.kernel_w + kx) * icg + c];
            }
        out[oy * p.out_row_stride + ox * p.out_pixel_stride + oc] = static_cast<Acc>(s);
      }
  return out;
}

struct Case {
  int in_h, in_w, in_c, out_c, k, stride, dil, pad, groups;
};

ConvTileParams Params(const Case& c) {
  ConvTileParams p;
  p.in_h = c.in_h;
  p.in_w = c.in_w;
  p.in_c = c.in_c;
  p.in_pixel_stride = c.in_c + 3;  // padded pixels: strides are honoured
  p.in_row_stride = p.in_pixel_stride * c.in_w;
  p.kernel_h = p.kernel_w = c.k;
  p.stride_h = p.stride_w = c.stride;
  p.dilation_h = p.dilation_w = c.dil;
  p.pad_top = p.pad_left = c.pad;
  p.groups = c.groups;
  p.out_c = c.out_c;
  p.out_h = (c.in_h + 2 * c.pad - c.dil * (c.k - 1) - 1) / c.stride + 1;
  p.out_w = (c.in_w + 2 * c.pad - c.dil * (c.k - 1) - 1) / c.stride + 1;
  p.out_pixel_stride = c.out_c + 1;
  p.out_row_stride = p.out_pixel_stride * p.out_w;
  return p;
}

const Case kCases[] = {
    {6, 7, 8, 16, 3, 1, 1, 1, 1},
    {9, 9, 16, 8, 3, 2, 1, 1, 1},
    {8, 8, 12, 12, 3, 1, 2, 2, 3},
    {5, 5, 8, 8, 3, 1, 1, 1, 8},
    {7, 6, 3, 5, 1, 1, 1, 0, 1},
    {10, 10, 64, 32, 3, 1, 1, 1, 1},
    {4, 4, 130, 6, 1, 1, 1, 0, 2},
    {9, 8, 32, 32, 3, 2, 2, 2, 32},  // depthwise, strided, dilated
    {6, 6, 20, 20, 5, 1, 1, 2, 20},
    // Packed kernels: several pixel chunks (> 96 pixels), column blocks of 64 with a tail.
    {20, 20, 16, 80, 3, 1, 1, 1, 1},
    {12, 30, 24, 200, 1, 1, 1, 0, 1},
    {14, 14, 10, 70, 3, 2, 1, 1, 2},
};

const KernelPath kPaths[] = {KernelPath::kScalar, KernelPath::kXsimd, KernelPath::kVnni,
                             KernelPath::kAvx2, KernelPath::kBest};

TEST(TaeConv, Int8MatchesDirectOnEveryPath) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> d(-128, 127);
  for (const Case& c : kCases) {
    const ConvTileParams p = Params(c);
    std::vector<int8_t> in(p.in_h * p.in_row_stride), w(p.out_c * c.k * c.k * (c.in_c / c.groups));
    for (auto& x : in) x = static_cast<int8_t>(d(rng));
    for (auto& x : w) x = static_cast<int8_t>(d(rng));
    const auto want = Direct<int8_t, int32_t>(in, w, p);
    for (KernelPath path : kPaths) {
      std::vector<int32_t> got(want.size(), 0);
      ConvTileS8(in.data(), w.data(), got.data(), p, path);
      EXPECT_EQ(got, want) << KernelPathName(path) << " case in_c=" << c.in_c;
      ConvTileParams acc = p;
      acc.accumulate = true;
      ConvTileS8(in.data(), w.data(), got.data(), acc, path);
      for (int oy = 0; oy < p.out_h; ++oy)
        for (int ox = 0; ox < p.out_w; ++ox)
          for (int oc = 0; oc < p.out_c; ++oc) {
            const int64_t i = oy * p.out_row_stride + ox * p.out_pixel_stride + oc;
            ASSERT_EQ(got[i], 2 * want[i]);
          }
    }
  }
}

// Output rows further apart than their pixels (an on-chip slice): chunks stay inside a row. The
// packed weights give the same sums with any number of threads.
TEST(TaeConv, PackedWithGappedRowsAndThreads) {
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> d(-128, 127);
  for (const Case& c : kCases) {
    ConvTileParams p = Params(c);
    p.out_row_stride = p.out_pixel_stride * (p.out_w + 3);
    std::vector<int8_t> in(p.in_h * p.in_row_stride), w(p.out_c * c.k * c.k * (c.in_c / c.groups));
    for (auto& x : in) x = static_cast<int8_t>(d(rng));
    for (auto& x : w) x = static_cast<int8_t>(d(rng));
    const auto want = Direct<int8_t, int32_t>(in, w, p);
    for (KernelPath path : kPaths) {
      for (int threads : {1, 2, 3}) {
        ThreadPool pool(threads);
        std::vector<int32_t> got(want.size(), 0);
        ConvTileS8(in.data(), w.data(), got.data(), p, path, &pool);
        ASSERT_EQ(got, want) << KernelPathName(path) << " threads=" << threads << " in_c=" << c.in_c
                             << " out_c=" << c.out_c;
      }
    }
  }
}

TEST(TaeConv, Int16InputWideAccumulation) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> d(-32768, 32767), dw(-128, 127);
  for (const Case& c : kCases) {
    const ConvTileParams p = Params(c);
    std::vector<int16_t> in(p.in_h * p.in_row_stride);
    std::vector<int8_t> w(p.out_c * c.k * c.k * (c.in_c / c.groups));
    for (auto& x : in) x = static_cast<int16_t>(d(rng));
    for (auto& x : w) x = static_cast<int8_t>(dw(rng));
    const auto want = Direct<int16_t, int64_t>(in, w, p);
    for (KernelPath path : {KernelPath::kScalar, KernelPath::kXsimd, KernelPath::kBest}) {
      std::vector<int64_t> got(want.size(), 0);
      ConvTileS16(in.data(), w.data(), got.data(), p, path);
      EXPECT_EQ(got, want) << KernelPathName(path);
    }
  }
}

}  // namespace
}  // namespace openbpu::sim
