// AAE instructions (ISA.md §4, "AAE"), part one: the configuration registers, max / average
// pooling, nearest / linear resize and the strided move (aae.reduce and aae.topk are in
// unit_aae_reduce.cc). Each costs issue + ceil(window taps / aae_lanes).
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <limits>
#include <numeric>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "isa/numerics/movement.h"
#include "isa/numerics/pool.h"
#include "isa/numerics/requantize.h"
#include "isa/numerics/resize.h"
#include "isa/records.h"
#include "simulator/units.h"

namespace openbpu::sim::units {
namespace {

numerics::PoolWindows PoolGeometry(const isa::AaeWin& w, const isa::AaeTile& t) {
  numerics::PoolWindows g;
  g.input = {t.in_h, t.in_w};
  g.output = {t.out_h, t.out_w};
  g.kernel = {w.kernel_h, w.kernel_w};
  g.strides = {w.stride_h, w.stride_w};
  g.dilations = {w.dilation_h, w.dilation_w};
  g.pads_begin = {w.pad_top, w.pad_left};
  g.pads_end = {w.pad_bottom, w.pad_right};
  return g;
}

#define OPENBPU_AVX512BW __attribute__((target("avx512f,avx512bw")))

bool HostHasAvx512Bw() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
  return has;
}

// m[c] = max(m[c], x[c]) for c < n: 64 bytes per step where the host has AVX-512BW.
OPENBPU_AVX512BW void MaxRowAvx512(int8_t* m, const int8_t* x, int64_t n) {
  for (int64_t i = 0; i < n; i += 64) {
    const __mmask64 k = n - i >= 64 ? ~__mmask64{0} : (__mmask64{1} << (n - i)) - 1;
    _mm512_mask_storeu_epi8(
        m + i, k,
        _mm512_max_epi8(_mm512_maskz_loadu_epi8(k, m + i), _mm512_maskz_loadu_epi8(k, x + i)));
  }
}
OPENBPU_AVX512BW void MaxRowAvx512(int16_t* m, const int16_t* x, int64_t n) {
  for (int64_t i = 0; i < n; i += 32) {
    const __mmask32 k = n - i >= 32 ? ~__mmask32{0} : (__mmask32{1} << (n - i)) - 1;
    _mm512_mask_storeu_epi16(
        m + i, k,
        _mm512_max_epi16(_mm512_maskz_loadu_epi16(k, m + i), _mm512_maskz_loadu_epi16(k, x + i)));
  }
}
template <typename T>
void MaxRow(T* m, const T* x, int64_t n) {
  if constexpr (std::is_same_v<T, int8_t> || std::is_same_v<T, int16_t>) {
    if (HostHasAvx512Bw()) return MaxRowAvx512(m, x, n);
  }
  for (int64_t i = 0; i < n; ++i) m[i] = x[i] > m[i] ? x[i] : m[i];
}

// numerics::MaxPool straight over the channel-minor SRAM tensors (no layout round trip): per
// output pixel the running maximum of its window's in-input taps, a channel run at a time. The
// taps are numerics' own plan; padding never wins and an empty window gives the lowest value.
using AxisWindows = std::vector<std::vector<numerics::AxisWindow>>;

template <typename T>
void MaxPoolHwc(ExecContext& ex, const numerics::PoolWindows& g, const AxisWindows& axes,
                const SramTensor& src, const SramTensor& dst) {
  for (int64_t oy = 0; oy < g.output[0]; ++oy) {
    const numerics::AxisWindow& wy = axes[0][static_cast<size_t>(oy)];
    for (int64_t ox = 0; ox < g.output[1]; ++ox) {
      const numerics::AxisWindow& wx = axes[1][static_cast<size_t>(ox)];
      T* m = reinterpret_cast<T*>(ex.at(dst.space, dst.At(oy, ox, 0)));
      std::fill(m, m + dst.c, std::numeric_limits<T>::lowest());
      for (int64_t ty = 0; ty < wy.count; ++ty) {
        const int64_t iy = wy.first + ty * g.dilations[0];
        for (int64_t tx = 0; tx < wx.count; ++tx) {
          const int64_t ix = wx.first + tx * g.dilations[1];
          MaxRow(m, reinterpret_cast<const T*>(ex.at(src.space, src.At(iy, ix, 0))), dst.c);
        }
      }
    }
  }
}

// True when two tensors' footprints share a byte (then an op reads all of its source first).
bool Overlap(const SramTensor& a, const SramTensor& b) {
  if (a.space != b.space) return false;
  const ByteBox fa = a.Footprint(), fb = b.Footprint();
  return fa.base < fb.base + fb.Extent() && fb.base < fa.base + fa.Extent();
}

// [h][w][c] <-> [c][h][w] for the pooling primitives.
template <typename T>
std::vector<T> HwcToChw(const std::vector<T>& hwc, int64_t hw, int64_t c) {
  std::vector<T> out(hw * c);
  for (int64_t p = 0; p < hw; ++p)
    for (int64_t k = 0; k < c; ++k) out[k * hw + p] = hwc[p * c + k];
  return out;
}
template <typename T>
std::vector<T> ChwToHwc(const std::vector<T>& chw, int64_t hw, int64_t c) {
  std::vector<T> out(hw * c);
  for (int64_t p = 0; p < hw; ++p)
    for (int64_t k = 0; k < c; ++k) out[p * c + k] = chw[k * hw + p];
  return out;
}

Lowered PoolOp(const Lowering& ctx) {
  const isa::AaeTile& t = ctx.regs.aae_tile;
  const isa::AaeWin& w = ctx.regs.aae_win;
  return AaeOp(ctx, int64_t{t.out_h} * t.out_w * t.channels * w.kernel_h * w.kernel_w);
}

// The lowest and highest element offsets (relative to the base) an aae.move stride set reaches.
std::array<int64_t, 2> MoveExtent(const isa::AaeMoveShape& sh, const isa::MoveStrides& s) {
  const int64_t d[4] = {sh.d0, sh.d1, sh.d2, sh.d3};
  const int64_t strides[4] = {s.s0, s.s1, s.s2, s.s3};
  std::array<int64_t, 2> lo_hi = {0, 0};
  for (int k = 0; k < 4; ++k) {
    const int64_t span = strides[k] * (d[k] - 1);
    lo_hi[span < 0 ? 0 : 1] += span;
  }
  return lo_hi;
}

}  // namespace

absl::StatusOr<Lowered> Lower(const isa::AaeWin& v, Lowering& ctx) {
  ctx.regs.aae_win = v;
  return Lowered{};
}
absl::StatusOr<Lowered> Lower(const isa::AaeTile& v, Lowering& ctx) {
  ctx.regs.aae_tile = v;
  return Lowered{};
}
absl::StatusOr<Lowered> Lower(const isa::AaePitch& v, Lowering& ctx) {
  ctx.regs.aae_pitch = v;
  return Lowered{};
}
absl::StatusOr<Lowered> Lower(const isa::AaeMoveShape& v, Lowering& ctx) {
  ctx.regs.move_shape = v;
  return Lowered{};
}
absl::StatusOr<Lowered> Lower(const isa::AaeMoveSrc& v, Lowering& ctx) {
  ctx.regs.move_src = v;
  return Lowered{};
}
absl::StatusOr<Lowered> Lower(const isa::AaeMoveDst& v, Lowering& ctx) {
  ctx.regs.move_dst = v;
  return Lowered{};
}

absl::StatusOr<Lowered> Lower(const isa::AaeMaxPool& v, Lowering& ctx) {
  const isa::AaeTile& t = ctx.regs.aae_tile;
  if (t.in_dtype != t.out_dtype) return ctx.Fail("maxpool needs out_dtype = in_dtype");
  absl::StatusOr<SramTensor> src_or = AaeSource(ctx, v.src);
  if (!src_or.ok()) return src_or.status();
  const SramTensor src = *src_or;
  absl::StatusOr<SramTensor> dst_or =
      AaeResult(ctx, v.dst, t.channels, isa::DTypeBytes(t.out_dtype));
  if (!dst_or.ok()) return dst_or.status();
  const SramTensor dst = *dst_or;
  Lowered out = PoolOp(ctx);
  out.footprint = {Reads(src, "aae src"), Writes(dst, "aae dst")};
  const bool in_place = Overlap(src, dst);
  // The windows planned once, here (no allocation per run).
  const numerics::PoolWindows g = PoolGeometry(ctx.regs.aae_win, t);
  out.execute = [t, g, axes = numerics::PlanPoolWindows(g), src, dst, in_place](ExecContext& ex) {
    const int64_t ihw = int64_t{t.in_h} * t.in_w, ohw = int64_t{t.out_h} * t.out_w;
    return WithType(t.in_dtype, [&](auto tag) -> absl::Status {
      using T = decltype(tag);
      if (!in_place) {
        MaxPoolHwc<T>(ex, g, axes, src, dst);
        return absl::OkStatus();
      }
      const std::vector<T> in = HwcToChw(Gather<T>(ex, src), ihw, t.channels);
      std::vector<T> pooled(ohw * t.channels);
      numerics::MaxPool(in.data(), t.channels, g, pooled.data());
      Scatter(ex, ChwToHwc(pooled, ohw, t.channels), dst);
      return absl::OkStatus();
    });
  };
  return out;
}

absl::StatusOr<Lowered> Lower(const isa::AaeAvgPool& v, Lowering& ctx) {
  const isa::AaeTile& t = ctx.regs.aae_tile;
  const isa::AaeWin& w = ctx.regs.aae_win;
  const int64_t taps = int64_t{w.kernel_h} * w.kernel_w;
  absl::StatusOr<SramTensor> src_or = AaeSource(ctx, v.src);
  if (!src_or.ok()) return src_or.status();
  const SramTensor src = *src_or;
  // Entry d - 1 of the divisor table holds the record for divisor d.
  const ByteBox records = Bytes(Space::kWeight, v.param, taps * isa::kRecordBytes);
  absl::StatusOr<SramTensor> dst_or =
      AaeResult(ctx, v.dst, t.channels, isa::DTypeBytes(t.out_dtype));
  if (!dst_or.ok()) return dst_or.status();
  const SramTensor dst = *dst_or;
  Lowered out = PoolOp(ctx);
  out.footprint = {Reads(src, "aae src"), Reads(records, "aae param"), Writes(dst, "aae dst")};
  // The windows and divisors planned once, here (no allocation per run).
  const numerics::PoolWindows g = PoolGeometry(w, t);
  out.execute = [t, g, axes = numerics::PlanPoolWindows(g),
                 divisors = numerics::PoolDivisors(g, v.count_include_pad), taps, src, records,
                 dst](ExecContext& ex) -> absl::Status {
    thread_local std::vector<numerics::RequantizeRecord> recs;
    recs.resize(static_cast<size_t>(taps));
    for (int64_t d = 0; d < taps; ++d) {
      absl::StatusOr<numerics::RequantizeRecord> rec =
          isa::UnpackRecord(ex.at(records.space, records.base + d * isa::kRecordBytes));
      if (!rec.ok()) return ex.Error(rec.status().message());
      recs[d] = *rec;
    }
    const int64_t ohw = int64_t{t.out_h} * t.out_w, c = t.channels;
    // numerics::SumPool's window sums straight over the channel-minor source (no layout round
    // trip), every sum before any write (an in-place pool stays exact).
    thread_local std::vector<int64_t> sums;
    sums.assign(static_cast<size_t>(ohw * c), 0);
    WithType(t.in_dtype, [&](auto tag) {
      using T = decltype(tag);
      for (int64_t oy = 0; oy < t.out_h; ++oy) {
        const numerics::AxisWindow& wy = axes[0][static_cast<size_t>(oy)];
        for (int64_t ox = 0; ox < t.out_w; ++ox) {
          const numerics::AxisWindow& wx = axes[1][static_cast<size_t>(ox)];
          int64_t* s = sums.data() + (oy * t.out_w + ox) * c;
          for (int64_t ty = 0; ty < wy.count; ++ty) {
            for (int64_t tx = 0; tx < wx.count; ++tx) {
              const T* x = reinterpret_cast<const T*>(
                  ex.at(src.space,
                        src.At(wy.first + ty * g.dilations[0], wx.first + tx * g.dilations[1], 0)));
              for (int64_t ch = 0; ch < c; ++ch) s[ch] += x[ch];
            }
          }
        }
      }
      return 0;
    });
    const auto [lo, hi] = DTypeRange(t.out_dtype);
    for (int64_t o = 0; o < ohw; ++o) {
      const int64_t d = divisors[static_cast<size_t>(o)];
      if (d > taps) return ex.Error("pool divisor beyond the window");
      for (int64_t ch = 0; ch < c; ++ch) {
        const int64_t avg = d == 0 ? 0
                                   : numerics::Requantize(sums[static_cast<size_t>(o * c + ch)],
                                                          recs[static_cast<size_t>(d - 1)], lo, hi);
        WriteElem(ex.at(dst.space, dst.At(o, ch)), t.out_dtype, avg);
      }
    }
    return absl::OkStatus();
  };
  return out;
}

absl::StatusOr<Lowered> Lower(const isa::AaeResizeNearest& v, Lowering& ctx) {
  const isa::AaeTile& t = ctx.regs.aae_tile;
  if (t.in_dtype != t.out_dtype) return ctx.Fail("nearest resize needs out_dtype = in_dtype");
  absl::StatusOr<SramTensor> src_or = AaeSource(ctx, v.src);
  if (!src_or.ok()) return src_or.status();
  const SramTensor src = *src_or;
  // out_h row indices then out_w column indices, int32.
  const ByteBox table = Bytes(Space::kWeight, v.table, (int64_t{t.out_h} + t.out_w) * 4);
  absl::StatusOr<SramTensor> dst_or =
      AaeResult(ctx, v.dst, t.channels, isa::DTypeBytes(t.out_dtype));
  if (!dst_or.ok()) return dst_or.status();
  const SramTensor dst = *dst_or;
  Lowered out = AaeOp(ctx, int64_t{t.out_h} * t.out_w * t.channels);
  out.footprint = {Reads(src, "aae src"), Reads(table, "aae param"), Writes(dst, "aae dst")};
  out.execute = [t, src, table, dst](ExecContext& ex) -> absl::Status {
    absl::StatusOr<std::array<std::vector<int64_t>, 2>> idx = isa::UnpackResizeNearestTable(
        absl::MakeConstSpan(ex.at(table.space, table.base), table.run), t.out_h, t.out_w, t.in_h,
        t.in_w);
    if (!idx.ok()) return ex.Error(idx.status().message());
    std::vector<std::vector<int64_t>> tables = {(*idx)[0], (*idx)[1], {}};
    tables[2].resize(t.channels);
    std::iota(tables[2].begin(), tables[2].end(), 0);
    return WithType(t.in_dtype, [&](auto tag) -> absl::Status {
      using T = decltype(tag);
      const std::vector<T> in = Gather<T>(ex, src);
      std::vector<T> resized(int64_t{t.out_h} * t.out_w * t.channels);
      numerics::ResizeNearestCopy(in.data(), {t.in_h, t.in_w, t.channels},
                                  {t.out_h, t.out_w, t.channels}, tables, resized.data());
      Scatter(ex, resized, dst);
      return absl::OkStatus();
    });
  };
  return out;
}

absl::StatusOr<Lowered> Lower(const isa::AaeResizeLinear& v, Lowering& ctx) {
  const isa::AaeTile& t = ctx.regs.aae_tile;
  absl::StatusOr<SramTensor> src_or = AaeSource(ctx, v.src);
  if (!src_or.ok()) return src_or.status();
  const SramTensor src = *src_or;
  const ByteBox table =
      Bytes(Space::kWeight, v.table,
            isa::kResizeHeaderBytes + (int64_t{t.out_h} + t.out_w) * isa::kLinearTapBytes);
  absl::StatusOr<SramTensor> dst_or =
      AaeResult(ctx, v.dst, t.channels, isa::DTypeBytes(t.out_dtype));
  if (!dst_or.ok()) return dst_or.status();
  const SramTensor dst = *dst_or;
  // Four taps per output element.
  Lowered out = AaeOp(ctx, int64_t{t.out_h} * t.out_w * t.channels * 4);
  out.footprint = {Reads(src, "aae src"), Reads(table, "aae param"), Writes(dst, "aae dst")};
  out.execute = [t, src, table, dst](ExecContext& ex) -> absl::Status {
    absl::StatusOr<isa::ResizeLinearTable> lin =
        isa::UnpackResizeLinearTable(absl::MakeConstSpan(ex.at(table.space, table.base), table.run),
                                     t.out_h, t.out_w, t.in_h, t.in_w);
    if (!lin.ok()) return ex.Error(lin.status().message());
    std::vector<std::vector<numerics::LinearTap>> taps = {lin->rows, lin->cols, {}};
    for (int64_t c = 0; c < t.channels; ++c) taps[2].push_back({c, c, 0});
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
    const std::pair<int64_t, int64_t> range = DTypeRange(t.out_dtype);
    const int64_t lo = range.first, hi = range.second;
    return WithType(t.in_dtype, [&](auto tin) -> absl::Status {
      using TI = decltype(tin);
      const std::vector<TI> in = Gather<TI>(ex, src);
      return WithType(t.out_dtype, [&](auto tout) -> absl::Status {
        using TO = decltype(tout);
        std::vector<TO> resized(int64_t{t.out_h} * t.out_w * t.channels);
        absl::Status st = numerics::ResizeLinear(in.data(), {t.in_h, t.in_w, t.channels},
                                                 {t.out_h, t.out_w, t.channels}, taps, lin->record,
                                                 lo, hi, resized.data());
        if (!st.ok()) return ex.Error(st.message());
        Scatter(ex, resized, dst);
        return absl::OkStatus();
      });
    });
  };
  return out;
}

absl::StatusOr<Lowered> Lower(const isa::AaeMove& mv, Lowering& ctx) {
  const isa::AaeMoveShape& sh = ctx.regs.move_shape;
  const isa::AaeMoveSrc& ss = ctx.regs.move_src;
  const isa::AaeMoveDst& ds = ctx.regs.move_dst;
  if (mv.src % sh.elem || mv.dst % sh.elem) {
    return ctx.Fail(absl::StrCat("src and dst must be multiples of elem ", sh.elem));
  }
  const auto [slo, shi] = MoveExtent(sh, ss);
  const auto [dlo, dhi] = MoveExtent(sh, ds);
  if (mv.src + slo * sh.elem < 0 || mv.dst + dlo * sh.elem < 0) {
    return ctx.Fail("negative strides reach below address 0");
  }
  Lowered out = AaeOp(ctx, int64_t{sh.d0} * sh.d1 * sh.d2 * sh.d3);
  out.footprint = {
      Reads(Bytes(ToSpace(mv.src_space), mv.src + slo * sh.elem, (shi - slo + 1) * sh.elem),
            "move src"),
      Writes(Bytes(ToSpace(mv.dst_space), mv.dst + dlo * sh.elem, (dhi - dlo + 1) * sh.elem),
             "move dst")};
  out.execute = [mv, sh, ss, ds](ExecContext& ex) {
    auto run = [&](auto word) {
      using W = decltype(word);
      numerics::StridedView view;
      view.shape = {sh.d3, sh.d2, sh.d1, sh.d0};
      view.deltas = {ss.s3, ss.s2, ss.s1, ss.s0};
      std::vector<W> tmp(int64_t{sh.d0} * sh.d1 * sh.d2 * sh.d3);
      // Every source element is read before any destination element is written.
      numerics::StridedCopy(reinterpret_cast<const W*>(ex.at(ToSpace(mv.src_space), mv.src)), view,
                            tmp.data());
      W* dst = reinterpret_cast<W*>(ex.at(ToSpace(mv.dst_space), mv.dst));
      int64_t i = 0;
      for (int64_t i3 = 0; i3 < sh.d3; ++i3)
        for (int64_t i2 = 0; i2 < sh.d2; ++i2)
          for (int64_t i1 = 0; i1 < sh.d1; ++i1)
            for (int64_t i0 = 0; i0 < sh.d0; ++i0)
              dst[i3 * ds.s3 + i2 * ds.s2 + i1 * ds.s1 + i0 * ds.s0] = tmp[i++];
    };
    switch (sh.elem) {
      case 1:
        run(uint8_t{});
        break;
      case 2:
        run(uint16_t{});
        break;
      case 4:
        run(uint32_t{});
        break;
      default:
        run(uint64_t{});
        break;
    }
    return absl::OkStatus();
  };
  return out;
}

}  // namespace openbpu::sim::units
