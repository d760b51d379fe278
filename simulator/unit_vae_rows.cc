// The VAE's ISA 1.1 row instructions (isa/ISA.md §4, VAE page 2): vae.softmax and
// vae.layernorm over the [P][C] operand of vae.cfg, along C (axis 0: each pixel's channels are
// one row) or along P (axis 1: each channel's pixels are one row), with the parameter images of
// isa/records.h and the row loops of isa/numerics (softmax.h, layer_norm.h). Each costs
// issue + ceil(3 P C / vae_lanes): three passes over the elements (max / exp and sum / scale;
// sum / variance / scale).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "isa/numerics/layer_norm.h"
#include "isa/numerics/softmax.h"
#include "isa/records.h"
#include "simulator/units.h"

namespace openbpu::sim::units {
namespace {

using isa::DType;

constexpr int kRowPasses = 3;

// The shared part of both instructions: dtype rules, footprint (x, param, dst) and cost. The
// execution reads all of x into a dense [P][C] buffer, calls `rows` on it and writes the result
// (dst may alias x).
template <typename Row, typename Fn>
absl::StatusOr<Lowered> LowerRows(const Row& v, int64_t param_bytes, Lowering& ctx, Fn rows) {
  const isa::VaeCfg& cfg = ctx.regs.vae;
  if (cfg.x_dtype != DType::kS8 && cfg.x_dtype != DType::kS16) {
    return ctx.Fail("x_dtype must be s8 or s16");
  }
  if (cfg.out_dtype != DType::kS8 && cfg.out_dtype != DType::kS16) {
    return ctx.Fail("out_dtype must be s8 or s16");
  }
  const SramTensor x =
      Feature(Space::kFeature, v.x, 1, cfg.pixels, cfg.channels, isa::DTypeBytes(cfg.x_dtype));
  const ByteBox param = Bytes(Space::kWeight, v.param, param_bytes);
  const SramTensor result =
      Feature(Space::kFeature, v.dst, 1, cfg.pixels, cfg.channels, isa::DTypeBytes(cfg.out_dtype));
  Lowered out;
  out.cycles = LaneCycles(ctx.march, kRowPasses * int64_t{cfg.pixels} * cfg.channels,
                          ctx.march.vae_lanes.value);
  out.footprint = {Reads(x, "x"), Reads(param, "param"), Writes(result, "dst")};
  const int axis = v.axis;
  out.execute = [cfg, axis, x, param, result, rows](ExecContext& ex) -> absl::Status {
    const int64_t p_count = cfg.pixels, c_count = cfg.channels;
    std::vector<int64_t> in(p_count * c_count), y(in.size());
    for (int64_t p = 0; p < p_count; ++p)
      for (int64_t c = 0; c < c_count; ++c)
        in[p * c_count + c] = ReadElem(ex.at(x.space, x.At(p, c)), cfg.x_dtype);
    const auto [lo, hi] = VaeRange(cfg);
    if (absl::Status st = rows(absl::MakeConstSpan(ex.at(param.space, param.base), param.run), axis,
                               p_count, c_count, in, lo, hi, y);
        !st.ok()) {
      return ex.Error(st.message());
    }
    for (int64_t p = 0; p < p_count; ++p)
      for (int64_t c = 0; c < c_count; ++c)
        WriteElem(ex.at(result.space, result.At(p, c)), cfg.out_dtype, y[p * c_count + c]);
    return absl::OkStatus();
  };
  return out;
}

}  // namespace

// vae.softmax: numerics::Softmax on the [outer][n][inner] view of the dense [P][C] operand:
// axis 0 is [P][C][1], axis 1 is [1][P][C].
absl::StatusOr<Lowered> Lower(const isa::VaeSoftmax& v, Lowering& ctx) {
  if (absl::Status st = NoVaePitch(ctx); !st.ok()) return st;
  const bool int16 = ctx.regs.vae.x_dtype == DType::kS16;
  const int64_t n = v.axis == 0 ? ctx.regs.vae.channels : ctx.regs.vae.pixels;
  if (n > numerics::kMaxSoftmaxLength) {
    return ctx.Fail(absl::StrCat("softmax rows of ", n, " elements (at most ",
                                 numerics::kMaxSoftmaxLength, ")"));
  }
  return LowerRows(v, isa::SoftmaxParamBytes(int16), ctx,
                   [int16](absl::Span<const uint8_t> image, int axis, int64_t p, int64_t c,
                           const std::vector<int64_t>& in, int64_t lo, int64_t hi,
                           std::vector<int64_t>& y) -> absl::Status {
                     absl::StatusOr<numerics::SoftmaxParams> sp =
                         isa::UnpackSoftmaxParam(image, int16);
                     if (!sp.ok()) return sp.status();
                     if (axis == 0) {
                       numerics::Softmax(*sp, in.data(), p, c, 1, lo, hi, y.data());
                     } else {
                       numerics::Softmax(*sp, in.data(), 1, p, c, lo, hi, y.data());
                     }
                     return absl::OkStatus();
                   });
}

// vae.layernorm: numerics::LayerNorm on rows of n = C (axis 0) or n = P (axis 1, each channel's
// column gathered into a row and scattered back); the image holds n element entries.
absl::StatusOr<Lowered> Lower(const isa::VaeLayerNorm& v, Lowering& ctx) {
  if (absl::Status st = NoVaePitch(ctx); !st.ok()) return st;
  const int64_t n = v.axis == 0 ? ctx.regs.vae.channels : ctx.regs.vae.pixels;
  if (n > numerics::kMaxLayerNormSize) {
    return ctx.Fail(absl::StrCat("layernorm rows of ", n, " elements (at most 2^20)"));
  }
  return LowerRows(v, isa::LayerNormParamBytes(n), ctx,
                   [n](absl::Span<const uint8_t> image, int axis, int64_t p, int64_t c,
                       const std::vector<int64_t>& in, int64_t lo, int64_t hi,
                       std::vector<int64_t>& y) -> absl::Status {
                     absl::StatusOr<numerics::LayerNormParams> lp =
                         isa::UnpackLayerNormParam(image, n);
                     if (!lp.ok()) return lp.status();
                     if (axis == 0) {
                       numerics::LayerNorm(*lp, in.data(), p, c, lo, hi, y.data());
                       return absl::OkStatus();
                     }
                     std::vector<int64_t> t(in.size()), ty(in.size());
                     for (int64_t i = 0; i < p; ++i)
                       for (int64_t j = 0; j < c; ++j) t[j * p + i] = in[i * c + j];
                     numerics::LayerNorm(*lp, t.data(), c, p, lo, hi, ty.data());
                     for (int64_t i = 0; i < p; ++i)
                       for (int64_t j = 0; j < c; ++j) y[i * c + j] = ty[j * p + i];
                     return absl::OkStatus();
                   });
}

}  // namespace openbpu::sim::units
