// VAE instructions (ISA.md §4, "VAE") over [P][C] operands of the vae.cfg
// register: requantize (with fused sumin and clamp), the elementwise ops of
// eltwise.h, the int8 LUT, the int16 SegmentLUT and the normalized int16
// tables. Each costs issue + ceil(P * C / vae_lanes).
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "isa/numerics/lut.h"
#include "isa/numerics/segment_lut.h"
#include "isa/records.h"
#include "simulator/eltwise.h"
#include "simulator/units.h"

namespace openbpu::sim::units {
namespace {

using isa::DType;

// A [P][C] operand of `dtype` (the vae.cfg geometry).
SramTensor Rows(Space space, int64_t addr, const isa::VaeCfg &cfg, DType dtype) {
  return Feature(space, addr, 1, cfg.pixels, cfg.channels, isa::DTypeBytes(dtype));
}

// An x (`y` false) or y operand with the VAE PITCH register (ISA 1.1) applied.
absl::StatusOr<SramTensor> Pitched(SramTensor t, bool y, const Lowering &ctx) {
  const isa::VaePitch &p = ctx.regs.vae_pitch;
  if (absl::Status st = ApplyPitch(t, y ? p.y_pitch : p.x_pitch, 0, y ? "y" : "x", ctx); !st.ok()) {
    return st;
  }
  return t;
}

Lowered VaeOp(const Lowering &ctx) {
  Lowered out;
  out.cycles = LaneCycles(ctx.march, int64_t{ctx.regs.vae.pixels} * ctx.regs.vae.channels,
                          ctx.march.vae_lanes.value);
  return out;
}

// A requantize's decoded parameter records and their FastRequant lanes.
struct RequantPlan {
  std::vector<isa::RequantParam> chans;
  RequantRow row;
};
constexpr int kRequantPlanTag = 100;  // PackedWeightStore tag (the TAE's are PackedIsa values)

// vae.requant and vae.requant_sumin (without sumin: `sumin` empty).
absl::StatusOr<Lowered> LowerRequant(int64_t src, int64_t dst, int64_t param,
                                     std::optional<int64_t> sumin, Lowering &ctx) {
  const isa::VaeCfg &cfg = ctx.regs.vae;
  if (sumin && cfg.y_bcast != 0) return ctx.Fail("sumin needs y_bcast = 0");
  const bool wide = cfg.x_dtype == DType::kS32 || cfg.x_dtype == DType::kS64;
  absl::StatusOr<SramTensor> xp =
      Pitched(Rows(wide ? Space::kAcc : Space::kFeature, src, cfg, cfg.x_dtype), false, ctx);
  if (!xp.ok()) return xp.status();
  const SramTensor x = *xp;
  const ByteBox params =
      Bytes(Space::kWeight, param, int64_t{cfg.channels} * isa::kRequantParamBytes);
  std::optional<SramTensor> s;
  if (sumin) {
    absl::StatusOr<SramTensor> sp =
        Pitched(Rows(Space::kFeature, *sumin, cfg, cfg.y_dtype), true, ctx);
    if (!sp.ok()) return sp.status();
    s = *sp;
  }
  // ISA 1.1 dst_pitch: a wider destination (a slice, an on-chip tensor); the footprint is then
  // the pixels' channel runs, not the gaps between them (other values live there).
  SramTensor result = Rows(Space::kFeature, dst, cfg, cfg.out_dtype);
  if (absl::Status st = ApplyPitch(result, cfg.dst_pitch, 0, "dst", ctx); !st.ok()) return st;
  Lowered out = VaeOp(ctx);
  out.footprint = {Reads(x, "requant src"), Reads(params, "requant params")};
  if (s) out.footprint.push_back(Reads(*s, "sumin"));
  out.footprint.push_back(Writes(result, "requant dst"));
  out.execute = [cfg, x, params, s, result](ExecContext &ex) -> absl::Status {
    // Not a structured binding: the `slow` lambda below captures them (clang 14 cannot).
    const std::pair<int64_t, int64_t> range = VaeRange(cfg);
    const int64_t lo = range.first, hi = range.second;
    const int sumin_bits = s ? 8 * isa::DTypeBytes(cfg.y_dtype) : 0;
    // The decoded records, kept between runs like packed weights (weight_cache.h) while the
    // parameter bytes provably stay the same.
    std::string error;
    const std::shared_ptr<const void> planned = ex.weights.Get(
        ex.index, kRequantPlanTag, params.base, params.base + params.run,
        [&]() -> std::shared_ptr<const void> {
          auto plan = std::make_shared<RequantPlan>();
          plan->chans.resize(static_cast<size_t>(cfg.channels));
          for (int c = 0; c < cfg.channels; ++c) {
            absl::StatusOr<isa::RequantParam> rc = isa::UnpackRequantParam(
                ex.at(params.space, params.base + int64_t{c} * isa::kRequantParamBytes));
            if (!rc.ok()) {
              error = absl::StrCat("channel ", c, ": ", rc.status().message());
              return nullptr;
            }
            plan->chans[static_cast<size_t>(c)] = *rc;
          }
          // The common case in 64-bit integers (FastRequant, eltwise.h), else ApplyRequantParam.
          std::vector<FastRequant> fast(plan->chans.size());
          for (size_t c = 0; c < fast.size(); ++c) {
            fast[c] =
                FastRequant::Make(plan->chans[c], cfg.x_dtype == DType::kS32, sumin_bits, lo, hi);
          }
          plan->row = RequantRow::Make(std::move(fast));
          return plan;
        });
    if (planned == nullptr) return ex.Error(error);
    const RequantPlan &plan = *static_cast<const RequantPlan *>(planned.get());
    const std::vector<isa::RequantParam> &chans = plan.chans;
    const std::vector<FastRequant> &fast = plan.row.fast;
    // int32 accumulators to int8 / int16 with int8 / int16 (or no) sumin: RequantRow
    // (vectorized); anything else element by element.
    const bool row = cfg.x_dtype == DType::kS32 &&
                     (cfg.out_dtype == DType::kS8 || cfg.out_dtype == DType::kS16) &&
                     (!s || cfg.y_dtype == DType::kS8 || cfg.y_dtype == DType::kS16);
    if (row) {  // [1][P][C] tensors: pixel p at addr + p * pixel_pitch
      RequantOperands o;
      o.pixels = cfg.pixels;
      o.x = ex.at(x.space, x.addr);
      o.x_stride = x.pixel_pitch;
      if (s) {
        o.s = ex.at(s->space, s->addr);
        o.s_bits = sumin_bits;
        o.s_stride = s->pixel_pitch;
      }
      o.out = ex.at(result.space, result.addr);
      o.out_bits = 8 * isa::DTypeBytes(cfg.out_dtype);
      o.out_stride = result.pixel_pitch;
      // Chunks of pixels over the func-mode threads (each pixel's outputs its own).
      constexpr int64_t kChunk = 512;
      ParallelFor(ex.pool, (o.pixels + kChunk - 1) / kChunk, [&](int64_t chunk) {
        const int64_t p0 = chunk * kChunk;
        RequantOperands part = o;
        part.pixels = std::min(kChunk, o.pixels - p0);
        part.x += p0 * o.x_stride;
        if (part.s != nullptr) part.s += p0 * o.s_stride;
        part.out += p0 * o.out_stride;
        plan.row.Run(part, [&](int64_t p, int c, int64_t xv) {
          const uint8_t *sb = s ? ex.at(s->space, s->At(p0 + p, 0)) : nullptr;
          const int64_t sv = sb != nullptr ? ReadElem(sb + int64_t{c} * s->esize, cfg.y_dtype) : 0;
          return ApplyRequantParam(chans[static_cast<size_t>(c)], xv, sv, lo, hi);
        });
      });
      return absl::OkStatus();
    }
    for (int64_t p = 0; p < cfg.pixels; ++p) {
      const uint8_t *xb = ex.at(x.space, x.At(p, 0));
      uint8_t *ob = ex.at(result.space, result.At(p, 0));
      const uint8_t *sb = s ? ex.at(s->space, s->At(p, 0)) : nullptr;
      const auto slow = [&](int c, int64_t xv) {
        const int64_t sv = sb != nullptr ? ReadElem(sb + int64_t{c} * s->esize, cfg.y_dtype) : 0;
        return ApplyRequantParam(chans[static_cast<size_t>(c)], xv, sv, lo, hi);
      };
      for (int c = 0; c < cfg.channels; ++c) {
        const int64_t xv = ReadElem(xb + int64_t{c} * x.esize, cfg.x_dtype);
        const int64_t sv = sb != nullptr ? ReadElem(sb + int64_t{c} * s->esize, cfg.y_dtype) : 0;
        int64_t out;
        if (!fast[static_cast<size_t>(c)].Apply(xv, sv, &out)) out = slow(c, xv);
        WriteElem(ob + int64_t{c} * result.esize, cfg.out_dtype, out);
      }
    }
    return absl::OkStatus();
  };
  return out;
}

// vae.add / sub / add_b2 / mul / max / min / cmp: out = f(x, y) with y
// broadcast per y_bcast; the output may alias an input element for element.
template <typename Binary>
absl::StatusOr<Lowered> LowerBinary(const Binary &v, Lowering &ctx) {
  constexpr isa::Opcode kOp = Binary::kOpcode;
  constexpr bool kMaxMin = kOp == isa::Opcode::kVaeMax || kOp == isa::Opcode::kVaeMin;
  const isa::VaeCfg &cfg = ctx.regs.vae;
  if (cfg.x_dtype != DType::kS8 && cfg.x_dtype != DType::kS16) {
    return ctx.Fail("elementwise x must be s8 or s16");
  }
  if (kMaxMin && (cfg.x_dtype != cfg.y_dtype || cfg.x_dtype != cfg.out_dtype)) {
    return ctx.Fail("max/min need equal x, y and out dtypes");
  }
  if (kOp == isa::Opcode::kVaeCmp && cfg.out_dtype != DType::kS8) return ctx.Fail("cmp writes s8");
  absl::StatusOr<SramTensor> xp = Pitched(Rows(Space::kFeature, v.x, cfg, cfg.x_dtype), false, ctx);
  if (!xp.ok()) return xp.status();
  const SramTensor x = *xp;
  SramTensor y = Feature(Space::kFeature, v.y, 1, cfg.y_bcast == 0 ? cfg.pixels : 1,
                         cfg.y_bcast == 2 ? 1 : cfg.channels, isa::DTypeBytes(cfg.y_dtype));
  if (cfg.y_bcast == 0) {
    absl::StatusOr<SramTensor> yp = Pitched(y, true, ctx);
    if (!yp.ok()) return yp.status();
    y = *yp;
  }
  const ByteBox param =
      Bytes(Space::kWeight, v.param,
            kOp == isa::Opcode::kVaeCmp ? isa::kCmpParamBytes : isa::kEltwiseParamBytes);
  SramTensor result = Rows(Space::kFeature, v.dst, cfg, cfg.out_dtype);
  if (absl::Status st = ApplyPitch(result, cfg.dst_pitch, 0, "dst", ctx); !st.ok()) return st;
  Lowered out = VaeOp(ctx);
  out.footprint = {Reads(x, "x"), Reads(y, "y")};
  if (!kMaxMin) out.footprint.push_back(Reads(param, "param"));
  out.footprint.push_back(Writes(result, "dst"));
  out.execute = [cfg, x, y, param, result](ExecContext &ex) -> absl::Status {
    const auto [lo, hi] = VaeRange(cfg);
    absl::StatusOr<Eltwise> fn =
        MakeEltwise(kOp, kMaxMin ? nullptr : ex.at(param.space, param.base), lo, hi);
    if (!fn.ok()) return ex.Error(fn.status().message());
    // Per pixel its channels are contiguous: the pixel's addresses once; all-int8 rows in one
    // typed loop (Eltwise::ApplyS8), others element by element.
    const bool s8 =
        cfg.x_dtype == DType::kS8 && cfg.y_dtype == DType::kS8 && cfg.out_dtype == DType::kS8;
    const int64_t y_step = cfg.y_bcast == 2 ? 0 : 1;
    for (int64_t p = 0; p < cfg.pixels; ++p) {
      const int64_t py = cfg.y_bcast == 0 ? p : 0;
      const uint8_t *xb = ex.at(x.space, x.At(p, 0));
      const uint8_t *yb = ex.at(y.space, y.At(py, 0));
      uint8_t *ob = ex.at(result.space, result.At(p, 0));
      if (s8) {
        fn->ApplyS8(reinterpret_cast<const int8_t *>(xb), reinterpret_cast<const int8_t *>(yb),
                    y_step, reinterpret_cast<int8_t *>(ob), cfg.channels);
        continue;
      }
      for (int64_t c = 0; c < cfg.channels; ++c) {
        const int64_t xv = ReadElem(xb + c * x.esize, cfg.x_dtype);
        const int64_t yv = ReadElem(yb + c * y_step * y.esize, cfg.y_dtype);
        WriteElem(ob + c * result.esize, cfg.out_dtype, fn->Apply(xv, yv));
      }
    }
    return absl::OkStatus();
  };
  return out;
}

// vae.lut8 (s8 -> s8 through 256 bytes of LUT SRAM) and vae.lut16 (s16 -> s16
// through a SegmentLUT image).
template <typename Lut>
absl::StatusOr<Lowered> LowerLut(const Lut &v, Lowering &ctx) {
  constexpr bool kIs8 = Lut::kOpcode == isa::Opcode::kVaeLut8;
  constexpr DType kType = kIs8 ? DType::kS8 : DType::kS16;
  const isa::VaeCfg &cfg = ctx.regs.vae;
  if (cfg.x_dtype != kType || cfg.out_dtype != kType) {
    return ctx.Fail(absl::StrCat("x_dtype and out_dtype must be ", isa::DTypeName(kType)));
  }
  absl::StatusOr<SramTensor> xp = Pitched(Rows(Space::kFeature, v.x, cfg, kType), false, ctx);
  if (!xp.ok()) return xp.status();
  const SramTensor x = *xp;
  const ByteBox table = Bytes(Space::kLut, v.table, kIs8 ? 256 : isa::kSegmentLutImageBytes);
  SramTensor result = Rows(Space::kFeature, v.dst, cfg, kType);
  if (absl::Status st = ApplyPitch(result, cfg.dst_pitch, 0, "dst", ctx); !st.ok()) return st;
  Lowered out = VaeOp(ctx);
  out.footprint = {Reads(x, "x"), Reads(table, "table"), Writes(result, "dst")};
  out.execute = [cfg, x, table, result](ExecContext &ex) -> absl::Status {
    if constexpr (kIs8) {
      const auto *t = reinterpret_cast<const int8_t *>(ex.at(table.space, table.base));
      for (int64_t p = 0; p < cfg.pixels; ++p) {
        const auto *in = reinterpret_cast<const int8_t *>(ex.at(x.space, x.At(p, 0)));
        auto *o = reinterpret_cast<int8_t *>(ex.at(result.space, result.At(p, 0)));
        for (int64_t c = 0; c < cfg.channels; ++c) o[c] = numerics::LookupInt8(t, in[c]);
      }
    } else {
      absl::StatusOr<numerics::SegmentLut> lut = isa::UnpackSegmentLutImage(
          absl::MakeConstSpan(ex.at(table.space, table.base), table.run));
      if (!lut.ok()) return ex.Error(lut.status().message());
      for (int64_t p = 0; p < cfg.pixels; ++p)
        for (int64_t c = 0; c < cfg.channels; ++c) {
          const auto in = static_cast<int16_t>(ReadElem(ex.at(x.space, x.At(p, c)), kType));
          WriteElem(ex.at(result.space, result.At(p, c)), kType,
                    numerics::Evaluate(lut->record, lut->tables.data(), in));
        }
    }
    return absl::OkStatus();
  };
  return out;
}

// vae.recip / vae.sqrt / vae.log: s16 -> s8 / s16 through a normalized table
// image (records.h NormTable) in LUT SRAM.
template <typename Norm>
absl::StatusOr<Lowered> LowerNorm(const Norm &v, isa::NormFunction fn, Lowering &ctx) {
  const isa::VaeCfg &cfg = ctx.regs.vae;
  if (cfg.x_dtype != DType::kS16) return ctx.Fail("x_dtype must be s16");
  if (cfg.out_dtype != DType::kS8 && cfg.out_dtype != DType::kS16) {
    return ctx.Fail("out_dtype must be s8 or s16");
  }
  absl::StatusOr<SramTensor> xp = Pitched(Rows(Space::kFeature, v.x, cfg, DType::kS16), false, ctx);
  if (!xp.ok()) return xp.status();
  const SramTensor x = *xp;
  const ByteBox table = Bytes(Space::kLut, v.table, isa::NormTableImageBytes(fn));
  SramTensor result = Rows(Space::kFeature, v.dst, cfg, cfg.out_dtype);
  if (absl::Status st = ApplyPitch(result, cfg.dst_pitch, 0, "dst", ctx); !st.ok()) return st;
  Lowered out = VaeOp(ctx);
  out.footprint = {Reads(x, "x"), Reads(table, "table"), Writes(result, "dst")};
  out.execute = [cfg, fn, x, table, result](ExecContext &ex) -> absl::Status {
    absl::StatusOr<isa::NormTable> image = isa::UnpackNormTableImage(
        fn, absl::MakeConstSpan(ex.at(table.space, table.base), table.run));
    if (!image.ok()) return ex.Error(image.status().message());
    const auto [lo, hi] = VaeRange(cfg);
    const int32_t *t = image->entries.data();
    // All inputs are read before any output is written (dst may alias x).
    std::vector<int64_t> values(int64_t{cfg.pixels} * cfg.channels);
    for (int64_t p = 0; p < cfg.pixels; ++p) {
      for (int64_t c = 0; c < cfg.channels; ++c) {
        const int64_t q = ReadElem(ex.at(x.space, x.At(p, c)), DType::kS16);
        int64_t &value = values[p * cfg.channels + c];
        switch (fn) {
          case isa::NormFunction::kReciprocal:
            value = numerics::NormalizedReciprocal(t, image->record, q, lo, hi);
            break;
          case isa::NormFunction::kSqrt:
            value = numerics::NormalizedSqrt(t, image->record, q, lo, hi);
            break;
          case isa::NormFunction::kLog:
            value = numerics::NormalizedLog(t, image->record, image->log_offset, q, lo, hi);
            break;
        }
      }
    }
    for (int64_t p = 0; p < cfg.pixels; ++p)
      for (int64_t c = 0; c < cfg.channels; ++c)
        WriteElem(ex.at(result.space, result.At(p, c)), cfg.out_dtype,
                  values[p * cfg.channels + c]);
    return absl::OkStatus();
  };
  return out;
}

}  // namespace

std::pair<int64_t, int64_t> VaeRange(const isa::VaeCfg &cfg) {
  auto [lo, hi] = DTypeRange(cfg.out_dtype);
  if (cfg.relu) lo = std::max<int64_t>(lo, 0);
  if (cfg.clamp_hi_en) hi = std::min<int64_t>(hi, cfg.clamp_hi);
  return {lo, hi};
}

absl::StatusOr<Lowered> Lower(const isa::VaeCfg &v, Lowering &ctx) {
  ctx.regs.vae = v;
  return Lowered{};
}

absl::StatusOr<Lowered> Lower(const isa::VaePitch &v, Lowering &ctx) {
  ctx.regs.vae_pitch = v;
  return Lowered{};
}

absl::StatusOr<Lowered> Lower(const isa::VaeRequant &v, Lowering &ctx) {
  return LowerRequant(v.src, v.dst, v.param, std::nullopt, ctx);
}
absl::StatusOr<Lowered> Lower(const isa::VaeRequantSumin &v, Lowering &ctx) {
  return LowerRequant(v.src, v.dst, v.param, v.sumin, ctx);
}
absl::StatusOr<Lowered> Lower(const isa::VaeAdd &v, Lowering &ctx) { return LowerBinary(v, ctx); }
absl::StatusOr<Lowered> Lower(const isa::VaeSub &v, Lowering &ctx) { return LowerBinary(v, ctx); }
absl::StatusOr<Lowered> Lower(const isa::VaeAddB2 &v, Lowering &ctx) { return LowerBinary(v, ctx); }
absl::StatusOr<Lowered> Lower(const isa::VaeMul &v, Lowering &ctx) { return LowerBinary(v, ctx); }
absl::StatusOr<Lowered> Lower(const isa::VaeMax &v, Lowering &ctx) { return LowerBinary(v, ctx); }
absl::StatusOr<Lowered> Lower(const isa::VaeMin &v, Lowering &ctx) { return LowerBinary(v, ctx); }
absl::StatusOr<Lowered> Lower(const isa::VaeCmp &v, Lowering &ctx) { return LowerBinary(v, ctx); }
absl::StatusOr<Lowered> Lower(const isa::VaeLut8 &v, Lowering &ctx) { return LowerLut(v, ctx); }
absl::StatusOr<Lowered> Lower(const isa::VaeLut16 &v, Lowering &ctx) { return LowerLut(v, ctx); }
absl::StatusOr<Lowered> Lower(const isa::VaeRecip &v, Lowering &ctx) {
  return LowerNorm(v, isa::NormFunction::kReciprocal, ctx);
}
absl::StatusOr<Lowered> Lower(const isa::VaeSqrt &v, Lowering &ctx) {
  return LowerNorm(v, isa::NormFunction::kSqrt, ctx);
}
absl::StatusOr<Lowered> Lower(const isa::VaeLog &v, Lowering &ctx) {
  return LowerNorm(v, isa::NormFunction::kLog, ctx);
}

}  // namespace openbpu::sim::units
