// TAE instructions (ISA.md §4, "TAE"): tae.conv and tae.matmul on the MAC array into int32
// (int64 for int16 inputs) accumulators, computed by the host kernels of tae.h, and the
// configuration registers they read.
#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "simulator/tae.h"
#include "simulator/units.h"

namespace openbpu::sim::units {
namespace {

// Accumulator element bytes: int32 for int8 inputs, int64 for int16 inputs.
int AccBytes(isa::DType in) { return in == isa::DType::kS16 ? 8 : 4; }

// ISA.md §4, "Cost model": MAC-array tile passes / tae_efficiency (/ int16_mac_rate).
uint64_t TaeCycles(int64_t tiles, bool int16, const isa::March& m) {
  double cycles = static_cast<double>(tiles) / std::max(m.tae_efficiency.value, 1e-3);
  if (int16) cycles /= std::max(m.int16_mac_rate.value, 1e-3);
  return m.issue_cycles.value + static_cast<uint64_t>(std::ceil(cycles));
}

}  // namespace

absl::StatusOr<Lowered> Lower(const isa::TaeKernel& v, Lowering& ctx) {
  ctx.regs.tae_kernel = v;
  return Lowered{};
}

absl::StatusOr<Lowered> Lower(const isa::TaeTile& v, Lowering& ctx) {
  ctx.regs.tae_tile = v;
  return Lowered{};
}

absl::StatusOr<Lowered> Lower(const isa::TaePitch& v, Lowering& ctx) {
  ctx.regs.tae_pitch = v;
  return Lowered{};
}

absl::StatusOr<Lowered> Lower(const isa::TaeMmCfg& v, Lowering& ctx) {
  ctx.regs.tae_mm = v;
  return Lowered{};
}

absl::StatusOr<Lowered> Lower(const isa::TaeConv& cv, Lowering& ctx) {
  const isa::TaeKernel& k = ctx.regs.tae_kernel;
  const isa::TaeTile& t = ctx.regs.tae_tile;
  const absl::StatusOr<std::array<int64_t, 2>> out_size = isa::WindowOutputSize(k, t.in_h, t.in_w);
  if (!out_size.ok()) return ctx.Fail("the window does not fit the tile (empty output)");
  const auto [oh, ow] = *out_size;
  if (t.in_c % k.groups || t.out_c % k.groups) {
    return ctx.Fail(absl::StrCat("in_c ", t.in_c, " and out_c ", t.out_c,
                                 " must be divisible by groups ", k.groups));
  }
  const int es = isa::DTypeBytes(t.in_dtype);
  const int as = AccBytes(t.in_dtype);
  const int64_t icg = t.in_c / k.groups;
  const isa::TaePitch& pitch = ctx.regs.tae_pitch;
  SramTensor in = Feature(Space::kFeature, cv.in, t.in_h, t.in_w, t.in_c, es, t.in_row_pitch);
  if (absl::Status st = ApplyPitch(in, pitch.in_pitch, 0, "input", ctx); !st.ok()) return st;
  const ByteBox weights =
      Bytes(Space::kWeight, cv.weight, int64_t{t.out_c} * k.kernel_h * k.kernel_w * icg);
  SramTensor acc = Feature(Space::kAcc, cv.acc, oh, ow, t.out_c, as);
  if (absl::Status st = ApplyPitch(acc, pitch.acc_pitch, pitch.acc_row_pitch, "accumulator", ctx);
      !st.ok()) {
    return st;
  }
  Lowered out;
  out.footprint = {Reads(in, "conv input"), Reads(weights, "conv weights"),
                   Writes(acc, "conv accumulators")};
  if (cv.accumulate) out.footprint.push_back(Reads(acc, "conv accumulators"));
  out.macs = static_cast<uint64_t>(oh * ow * t.out_c * k.kernel_h * k.kernel_w * icg);
  const isa::March& m = ctx.march;
  // A depthwise conv (one input channel per group) runs weight_tile_oc of its output channels at
  // once, each output lane on its own input channel (the in-channel lanes idle); any other conv
  // takes a pass per group.
  const int64_t pixel_tiles =
      CeilDiv(oh, m.feature_tile_h.value) * CeilDiv(ow, m.feature_tile_w.value);
  const int64_t tiles =
      icg == 1 && k.groups > 1
          ? pixel_tiles * CeilDiv(t.out_c, m.weight_tile_oc.value) * k.kernel_h * k.kernel_w
          : pixel_tiles * CeilDiv(t.out_c / k.groups, m.weight_tile_oc.value) *
                CeilDiv(icg, m.weight_tile_ic.value) * k.kernel_h * k.kernel_w * k.groups;
  out.cycles = TaeCycles(tiles, t.in_dtype == isa::DType::kS16, m);

  ConvTileParams p;
  p.in_h = t.in_h;
  p.in_w = t.in_w;
  p.in_c = t.in_c;
  p.in_pixel_stride = in.pixel_pitch / es;
  p.in_row_stride = in.row_pitch / es;
  p.out_h = oh;
  p.out_w = ow;
  p.out_c = t.out_c;
  p.out_pixel_stride = acc.pixel_pitch / as;
  p.out_row_stride = acc.row_pitch / as;
  p.kernel_h = k.kernel_h;
  p.kernel_w = k.kernel_w;
  p.stride_h = k.stride_h;
  p.stride_w = k.stride_w;
  p.dilation_h = k.dilation_h;
  p.dilation_w = k.dilation_w;
  p.pad_top = k.pad_top;
  p.pad_left = k.pad_left;
  p.groups = k.groups;
  p.accumulate = cv.accumulate;
  out.reads_weights_lazily = true;
  out.execute = [p, in, weights, acc](ExecContext& ex) {
    const auto* w = reinterpret_cast<const int8_t*>(ex.at(weights.space, weights.base));
    if (in.esize != 1) {
      ex.weights.Materialize(weights.base, weights.base + weights.run);
      ConvTileS16(reinterpret_cast<const int16_t*>(ex.at(in.space, in.addr)), w,
                  reinterpret_cast<int64_t*>(ex.at(acc.space, acc.addr)), p, ex.kernel_path,
                  ex.pool);
      return absl::OkStatus();
    }
    const auto* x = reinterpret_cast<const int8_t*>(ex.at(in.space, in.addr));
    auto* sums = reinterpret_cast<int32_t*>(ex.at(acc.space, acc.addr));
    const uint64_t w_end = weights.base + weights.run;
    const std::optional<PackedIsa> isa = PackedIsaFor(ex.kernel_path);
    if (!isa || IsDepthwise(p)) {
      ex.weights.Materialize(weights.base, w_end);
      ConvTileS8(x, w, sums, p, ex.kernel_path, ex.pool);
      return absl::OkStatus();
    }
    // The weights packed once (weight_cache.h): reused while their bytes provably stay the same;
    // only packing reads the raw bytes.
    const std::shared_ptr<const void> packed =
        ex.weights.Get(ex.index, static_cast<int>(*isa), weights.base, w_end, [&] {
          ex.weights.Materialize(weights.base, w_end);
          return std::make_shared<const PackedConvWeights>(PackConvWeights(w, p, *isa));
        });
    ConvTileS8Packed(x, *static_cast<const PackedConvWeights*>(packed.get()), sums, p, ex.pool);
    return absl::OkStatus();
  };
  return out;
}

absl::StatusOr<Lowered> Lower(const isa::TaeMatmul& mm, Lowering& ctx) {
  const isa::TaeMmCfg& c = ctx.regs.tae_mm;
  // ISA 1.1: s16 B (int16 x int16, int64 accumulators) needs s16 A.
  const bool b16 = c.b_dtype == isa::DType::kS16;
  if (b16 && c.a_dtype != isa::DType::kS16) {
    return ctx.Fail("b_dtype s16 needs a_dtype s16");
  }
  const int es = isa::DTypeBytes(c.a_dtype);
  const int as = AccBytes(c.a_dtype);
  const int bes = b16 ? 2 : 1;
  // The TAE PITCH register (ISA 1.1): A's and the accumulators' row pitches.
  const isa::TaePitch& pitch = ctx.regs.tae_pitch;
  SramTensor a = Feature(Space::kFeature, mm.a, 1, c.m, c.k, es);
  if (absl::Status st = ApplyPitch(a, pitch.in_pitch, 0, "A", ctx); !st.ok()) return st;
  // B is [N][K], or [K][N] with b_kn, of b_dtype: dense in weight SRAM, a feature tensor in
  // feature SRAM.
  const int64_t rows = c.b_kn ? c.k : c.n, cols = c.b_kn ? c.n : c.k;
  SramTensor b = c.b_space == isa::Space::kWeight
                     ? DenseBytes(Space::kWeight, mm.b, rows, cols * bes)
                     : Feature(Space::kFeature, mm.b, 1, rows, cols, bes);
  b.c = cols;
  b.esize = bes;
  SramTensor acc = Feature(Space::kAcc, mm.acc, 1, c.m, c.n, as);
  if (absl::Status st = ApplyPitch(acc, pitch.acc_pitch, 0, "accumulator", ctx); !st.ok()) {
    return st;
  }
  Lowered out;
  out.footprint = {Reads(a, "matmul A"), Reads(b, "matmul B"), Writes(acc, "matmul acc")};
  if (mm.accumulate) out.footprint.push_back(Reads(acc, "matmul acc"));
  out.macs = static_cast<uint64_t>(int64_t{c.m} * c.n * c.k);
  const isa::March& m = ctx.march;
  const int64_t tiles = CeilDiv(c.m, int64_t{m.feature_tile_h.value} * m.feature_tile_w.value) *
                        CeilDiv(c.n, m.weight_tile_oc.value) * CeilDiv(c.k, m.weight_tile_ic.value);
  out.cycles = TaeCycles(tiles, c.a_dtype == isa::DType::kS16, m);
  out.execute = [c, a, b, acc, accumulate = mm.accumulate](ExecContext& ex) {
    // B as dense [n][k] (int8, or int16 with b_dtype s16).
    std::vector<int16_t> bnk(static_cast<size_t>(c.n) * c.k);
    for (int64_t i = 0; i < b.w; ++i)
      for (int64_t j = 0; j < b.c; ++j) {
        const int16_t v = static_cast<int16_t>(ReadElem(ex.at(b.space, b.At(i, j)), c.b_dtype));
        if (c.b_kn) {
          bnk[j * c.k + i] = v;
        } else {
          bnk[i * c.k + j] = v;
        }
      }
    const int64_t lda = a.pixel_pitch / a.esize, ldc = acc.pixel_pitch / acc.esize;
    if (a.esize == 1) {
      std::vector<int8_t> b8(bnk.begin(), bnk.end());
      GemmS8S32(reinterpret_cast<const int8_t*>(ex.at(a.space, a.addr)), lda, b8.data(), c.k,
                reinterpret_cast<int32_t*>(ex.at(acc.space, acc.addr)), ldc, c.m, c.n, c.k,
                accumulate, ex.kernel_path);
    } else {
      GemmS16S64(reinterpret_cast<const int16_t*>(ex.at(a.space, a.addr)), lda, bnk.data(), c.k,
                 reinterpret_cast<int64_t*>(ex.at(acc.space, acc.addr)), ldc, c.m, c.n, c.k,
                 accumulate, ex.kernel_path);
    }
    return absl::OkStatus();
  };
  return out;
}

}  // namespace openbpu::sim::units
