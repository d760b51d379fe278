// The VAE's ISA 1.1 elementwise instructions (isa/ISA.md §4, VAE page 2): vae.div
// (numerics::ApplyDiv with the DivParam image of records.h, y broadcast per y_bcast as the binary
// ops) and vae.select (cond != 0 ? x : y). Both read every input before writing, so dst may alias
// an input. Cost: vae.div issue + ceil(2 P C / lanes) (two passes: the reciprocal lookup, then
// the multiply and rounding), vae.select issue + ceil(P C / lanes).
#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "isa/numerics/elementwise.h"
#include "isa/records.h"
#include "simulator/units.h"

namespace openbpu::sim::units {
namespace {

using isa::DType;

// A feature SRAM operand of `dtype` with `pixels` x `channels` elements.
SramTensor Operand2d(int64_t addr, int64_t pixels, int64_t channels, DType dtype) {
  return Feature(Space::kFeature, addr, 1, pixels, channels, isa::DTypeBytes(dtype));
}

bool IsS8OrS16(DType d) { return d == DType::kS8 || d == DType::kS16; }

}  // namespace

absl::StatusOr<Lowered> Lower(const isa::VaeDiv& v, Lowering& ctx) {
  if (absl::Status st = NoVaePitch(ctx); !st.ok()) return st;
  const isa::VaeCfg& cfg = ctx.regs.vae;
  if (!IsS8OrS16(cfg.x_dtype)) return ctx.Fail("vae.div x_dtype must be s8 or s16");
  const int64_t pixels = cfg.pixels, channels = cfg.channels;
  const SramTensor x = Operand2d(v.x, pixels, channels, cfg.x_dtype);
  const SramTensor y =
      Operand2d(v.y, cfg.y_bcast == 0 ? pixels : 1, cfg.y_bcast == 2 ? 1 : channels, cfg.y_dtype);
  const ByteBox param = Bytes(Space::kWeight, v.param, isa::kDivParamBytes);
  const SramTensor result = Operand2d(v.dst, pixels, channels, cfg.out_dtype);
  Lowered out;
  out.cycles = LaneCycles(ctx.march, 2 * pixels * channels, ctx.march.vae_lanes.value);
  out.footprint = {Reads(x, "x"), Reads(y, "y"), Reads(param, "param"), Writes(result, "dst")};
  out.execute = [cfg, x, y, param, result](ExecContext& ex) -> absl::Status {
    absl::StatusOr<numerics::DivParams> p =
        isa::UnpackDivParam(absl::MakeConstSpan(ex.at(param.space, param.base), param.run));
    if (!p.ok()) return ex.Error(p.status().message());
    const auto [lo, hi] = VaeRange(cfg);
    std::vector<int64_t> values(static_cast<size_t>(int64_t{cfg.pixels} * cfg.channels));
    for (int64_t px = 0; px < cfg.pixels; ++px) {
      const int64_t py = cfg.y_bcast == 0 ? px : 0;
      for (int64_t c = 0; c < cfg.channels; ++c) {
        const int64_t cy = cfg.y_bcast == 2 ? 0 : c;
        const int64_t a = ReadElem(ex.at(x.space, x.At(px, c)), cfg.x_dtype);
        const int64_t b = ReadElem(ex.at(y.space, y.At(py, cy)), cfg.y_dtype);
        values[static_cast<size_t>(px * cfg.channels + c)] = numerics::ApplyDiv(*p, a, b, lo, hi);
      }
    }
    for (int64_t px = 0; px < cfg.pixels; ++px)
      for (int64_t c = 0; c < cfg.channels; ++c)
        WriteElem(ex.at(result.space, result.At(px, c)), cfg.out_dtype,
                  values[static_cast<size_t>(px * cfg.channels + c)]);
    return absl::OkStatus();
  };
  return out;
}

absl::StatusOr<Lowered> Lower(const isa::VaeSelect& v, Lowering& ctx) {
  if (absl::Status st = NoVaePitch(ctx); !st.ok()) return st;
  const isa::VaeCfg& cfg = ctx.regs.vae;
  if (!IsS8OrS16(cfg.x_dtype) || cfg.y_dtype != cfg.x_dtype || cfg.out_dtype != cfg.x_dtype) {
    return ctx.Fail("vae.select needs x_dtype = y_dtype = out_dtype, s8 or s16");
  }
  if (cfg.y_bcast != 0) return ctx.Fail("vae.select needs y_bcast = 0");
  if (cfg.relu || cfg.clamp_hi_en) return ctx.Fail("vae.select copies: relu and clamp_hi_en 0");
  const int64_t pixels = cfg.pixels, channels = cfg.channels;
  const SramTensor cond = Operand2d(v.cond, pixels, channels, DType::kS8);
  const SramTensor x = Operand2d(v.x, pixels, channels, cfg.x_dtype);
  const SramTensor y = Operand2d(v.y, pixels, channels, cfg.x_dtype);
  const SramTensor result = Operand2d(v.dst, pixels, channels, cfg.x_dtype);
  Lowered out;
  out.cycles = LaneCycles(ctx.march, pixels * channels, ctx.march.vae_lanes.value);
  out.footprint = {Reads(cond, "cond"), Reads(x, "x"), Reads(y, "y"), Writes(result, "dst")};
  out.execute = [cfg, cond, x, y, result](ExecContext& ex) -> absl::Status {
    std::vector<int64_t> values(static_cast<size_t>(int64_t{cfg.pixels} * cfg.channels));
    for (int64_t px = 0; px < cfg.pixels; ++px) {
      for (int64_t c = 0; c < cfg.channels; ++c) {
        const bool take_x = ReadElem(ex.at(cond.space, cond.At(px, c)), DType::kS8) != 0;
        const SramTensor& src = take_x ? x : y;
        values[static_cast<size_t>(px * cfg.channels + c)] =
            ReadElem(ex.at(src.space, src.At(px, c)), cfg.x_dtype);
      }
    }
    for (int64_t px = 0; px < cfg.pixels; ++px)
      for (int64_t c = 0; c < cfg.channels; ++c)
        WriteElem(ex.at(result.space, result.At(px, c)), cfg.x_dtype,
                  values[static_cast<size_t>(px * cfg.channels + c)]);
    return absl::OkStatus();
  };
  return out;
}

}  // namespace openbpu::sim::units
