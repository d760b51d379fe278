// ConvTranspose on the existing instructions (no tae.deconv): a transposed convolution with
// stride s, dilation d, kernel k, pads (pb, pe) and output_padding is the stride-1 convolution of
// the zero-inserted input (s - 1 zeros between pixels: (in - 1) * s + 1 positions per dimension),
// padded by d * (k - 1) - pb before it, with the kernel flipped spatially and its in / out channels
// swapped per group: W'[g * M/g + j][c][ky][kx] = W[g * C/g + c][j][k_h - 1 - ky][k_w - 1 - kx].
// Output o of that convolution reads zero-inserted position o - (d (k - 1) - pb) + t' d = i s, so
// o = i s + (k - 1 - t') d - pb: the reference's scatter with tap t = k - 1 - t' (kernels::
// ConvTranspose). The integer sums are the same terms, so the accumulators are exact and the
// epilogue is the conv's (vae.requant with the node's Requant records, the bias folded in: the
// reference's qarith::ConvTransposeKernel adds the bias and applies the same epilogue).
//
// The convolution is the conv lowering's (LowerConvTiles: channel groups, row tiles, O2 double
// buffering); only its input tiles differ. Stride 1 with pads in [0, 31] is a plain convolution of
// the input (DMA padding); otherwise each tile is built in the feature SRAM: a stride-0 load of a
// 16-byte zero slot of the parameter blob fills it, then one strided load scatters the input
// pixels it holds (SRAM pixel stride s_w x pitch, row stride s_h x tile row). The resolved
// geometry (pads, output_padding, output_shape, auto_pad) may give negative pads of the equivalent
// convolution (an output_shape smaller or larger than the full result): the tile simply starts
// inside the input or ends past it. Ranks 3 (1-D) and 4 (2-D).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/kernels/conv.h"
#include "compiler/backend/lowering.h"
#include "compiler/ops/conv_attrs.h"

namespace openbpu::backend {
namespace {

// Floor and ceiling of a / b for b > 0 and any a.
int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t CeilDiv(int64_t a, int64_t b) { return -FloorDiv(-a, b); }

// The DMA field limits (isa/ISA.md, LOAD).
constexpr int64_t kMaxCount = 16383, kMaxSramStride = 65535, kMaxDdrStride = (1 << 24) - 1;

// The geometry as the float kernel resolves it (common/kernels/conv.h, PlanConvTranspose).
absl::StatusOr<kernels::ConvGeometry> Geometry(const ir::Node& node, const Shape& x, const Shape& w,
                                               const Shape* bias) {
  absl::StatusOr<kernels::ConvPlan> plan = kernels::PlanConvTranspose(node.attrs(), x, w, bias);
  if (!plan.ok()) return plan.status();
  return plan->geometry;
}

// Zeroes feature SRAM [dst, dst + bytes) (bytes a multiple of 16) from the 16-byte zero slot at
// parameter offset `zero`: loads with DDR strides 0.
void FillZero(Emitter& e, int64_t dst, int64_t bytes, uint64_t zero) {
  const int64_t units = bytes / 16;
  constexpr int64_t kRun = kMaxSramStride / 16;  // 16-byte units per plane (sram_s2 <= 65535)
  for (int64_t done = 0; done < units;) {
    const int64_t n1 = std::min(kRun, units - done);
    const int64_t n2 = std::min(kMaxCount, (units - done) / n1);
    e.Config(absl::StrCat("load.shape elem=1 n0=16 n1=", n1, " n2=", n2,
                          " pad_top=0 pad_bottom=0 pad_left=0 pad_right=0"));
    e.Config(absl::StrCat("load.stride ddr_s1=0 ddr_s2=0 sram_s1=16 sram_s2=", 16 * n1));
    e.Data(
        absl::StrCat("load dst_space=feature dst=", dst + done * 16, " region=param offset=", zero),
        {Emitter::Write("feature", dst + done * 16, n1 * n2 * 16)});
    done += n1 * n2;
  }
}

absl::Status LowerConvTranspose(const ir::Node& node, LowerContext& ctx) {
  const ir::Value* wv = node.input(1);
  if (wv == nullptr || !wv->is_constant() || wv->constant().dtype() != DType::kInt8) {
    return absl::InvalidArgumentError("the weight must be an int8 constant");
  }
  const ir::Value* bv = node.num_inputs() > 2 ? node.input(2) : nullptr;
  if (bv != nullptr && (!bv->is_constant() || bv->constant().dtype() != DType::kInt32)) {
    return absl::InvalidArgumentError("the bias must be an int32 constant");
  }
  const Shape& xs = node.input(0)->type().shape;
  const Shape& ws = wv->type().shape;
  if (xs.size() != 3 && xs.size() != 4) {
    return absl::UnimplementedError("only 1-D and 2-D transposed convolutions");
  }
  if (ws.size() != xs.size() || ws[0] != xs[1]) {
    return absl::InvalidArgumentError("the weight does not match the input");
  }
  const int64_t groups = node.attrs().GetInt("group", 1);
  if (groups < 1 || xs[1] % groups != 0) return absl::InvalidArgumentError("bad group");
  const int64_t c = xs[1], cg = c / groups, mg = ws[1], m = mg * groups;
  absl::StatusOr<kernels::ConvGeometry> geo =
      Geometry(node, xs, ws, bv != nullptr ? &bv->type().shape : nullptr);
  if (!geo.ok()) return geo.status();

  absl::StatusOr<Buffer> xb = ctx.BufferOf(node, node.input(0));
  if (!xb.ok()) return xb.status();
  const Buffer x = *xb;
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();

  // Per dimension (H, W; a 1-D op is H = 1): kernel, stride, dilation, the equivalent
  // convolution's leading / trailing pads, the zero-inserted input size and the output size.
  struct Dim {
    int64_t k = 1, s = 1, d = 1, lead = 0, trail = 0, in = 1, out = 1;
  };
  Dim dims[2];
  const size_t spatial = xs.size() - 2;
  for (size_t i = 0; i < spatial; ++i) {
    Dim& dm = dims[2 - spatial + i];
    dm.k = geo->kernel[i];
    dm.s = geo->strides[i];
    dm.d = geo->dilations[i];
    dm.in = (geo->input[i] - 1) * dm.s + 1;
    dm.out = geo->output[i];
    dm.lead = dm.d * (dm.k - 1) - geo->pads_begin[i];
    dm.trail = dm.out + (dm.k - 1) * dm.d - dm.lead - dm.in;
  }
  const Dim& dh = dims[0];
  const Dim& dw = dims[1];
  if (y->c != m || y->h != dh.out || y->w != dw.out || y->n != x.n ||
      x.h != (dh.in - 1) / dh.s + 1 || x.w != (dw.in - 1) / dw.s + 1) {
    return absl::InternalError("ConvTranspose buffers do not match its geometry");
  }
  if (dh.k > 15 || dw.k > 15) return absl::UnimplementedError("kernel above 15");
  if (dh.d > 31 || dw.d > 31) return absl::UnimplementedError("dilation above 31");

  ConvShape g;
  g.kh = dh.k, g.kw = dw.k;
  g.dh = dh.d, g.dw = dw.d;
  g.pt = dh.lead, g.pb = dh.trail, g.pl = dw.lead, g.pr = dw.trail;
  g.groups = groups;
  g.oh = dh.out, g.ow = dw.out;

  // W [C][M/g][k..] -> W' [M][C/g][kh][kw], flipped.
  const Tensor& w = wv->constant();
  const int8_t* src = w.data<int8_t>();
  Tensor weight(DType::kInt8, {m, cg, g.kh, g.kw});
  int8_t* dst = weight.data<int8_t>();
  for (int64_t gr = 0; gr < groups; ++gr) {
    for (int64_t j = 0; j < mg; ++j) {
      for (int64_t cc = 0; cc < cg; ++cc) {
        for (int64_t ky = 0; ky < g.kh; ++ky) {
          for (int64_t kx = 0; kx < g.kw; ++kx) {
            dst[(((gr * mg + j) * cg + cc) * g.kh + ky) * g.kw + kx] =
                src[(((gr * cg + cc) * mg + j) * g.kh + (g.kh - 1 - ky)) * g.kw + (g.kw - 1 - kx)];
          }
        }
      }
    }
  }
  const Tensor* bias = bv != nullptr ? &bv->constant() : nullptr;

  // Stride 1 and pads the DMA adds: a convolution of the input itself.
  if (dh.s == 1 && dw.s == 1 && std::min({g.pt, g.pb, g.pl, g.pr}) >= 0 &&
      std::max({g.pt, g.pb, g.pl, g.pr}) <= 31) {
    return LowerConvTiles(node, ctx, g, x, weight, bias, nullptr, nullptr);
  }

  Emitter& e = ctx.emit();
  const uint64_t zero = e.AddParams(std::vector<uint8_t>(16, 0));
  const int64_t es = x.esize(), pitch = Align16(c * es);
  const int64_t in_w = g.pl + dw.in + g.pr;
  if (c > kMaxCount || x.w > kMaxCount || dw.s * pitch > kMaxSramStride ||
      x.w * c * es > kMaxDdrStride) {
    return absl::UnimplementedError("a zero-inserted input row the DMA cannot scatter");
  }
  // The equivalent convolution's input as LowerConvTiles sees it (only its sizes are read).
  Buffer view = x;
  view.h = dh.in;
  view.w = dw.in;
  ConvInputLoader load = [&e, x, g, dh, dw, in_w, es, pitch, zero](
                             int64_t n, int64_t first, int64_t rows, int64_t at) -> absl::Status {
    FillZero(e, at, rows * in_w * pitch, zero);
    // Input rows i at zero-inserted row i * s_h in [first, first + rows); columns j at tile
    // column j * s_w + pl in [0, in_w).
    const int64_t i0 = CeilDiv(std::max<int64_t>(first, 0), dh.s);
    const int64_t i1 = std::min(x.h - 1, FloorDiv(first + rows - 1, dh.s));
    const int64_t j0 = CeilDiv(std::max<int64_t>(-g.pl, 0), dw.s);
    const int64_t j1 = std::min(x.w - 1, FloorDiv(in_w - 1 - g.pl, dw.s));
    if (i0 > i1 || j0 > j1) return absl::OkStatus();  // only zeros
    const int64_t n1 = j1 - j0 + 1, row_stride = dh.s * in_w * pitch;
    const int64_t per_load = row_stride <= kMaxSramStride ? kMaxCount : 1;
    for (int64_t i = i0; i <= i1; i += per_load) {
      const int64_t n2 = std::min(per_load, i1 - i + 1);
      e.Config(absl::StrCat("load.shape elem=", es, " n0=", x.c, " n1=", n1, " n2=", n2,
                            " pad_top=0 pad_bottom=0 pad_left=0 pad_right=0"));
      e.Config(absl::StrCat("load.stride ddr_s1=", x.c * es, " ddr_s2=", x.w * x.c * es,
                            " sram_s1=", dw.s * pitch, " sram_s2=", n2 > 1 ? row_stride : 0));
      const int64_t to = at + ((i * dh.s - first) * in_w + j0 * dw.s + g.pl) * pitch;
      const uint64_t from = x.At(n, i, j0);
      e.Data(
          absl::StrCat("load dst_space=feature dst=", to, " region=", x.region, " offset=", from),
          {Emitter::Write("feature", to, ((n2 - 1) * dh.s * in_w + (n1 - 1) * dw.s + 1) * pitch),
           Emitter::Read(absl::StrCat("ddr:", x.region), static_cast<int64_t>(from),
                         ((n2 - 1) * x.w + n1) * x.c * es)});
    }
    return absl::OkStatus();
  };
  return LowerConvTiles(node, ctx, g, view, weight, bias, nullptr, load);
}

OPENBPU_REGISTER_LOWERING(ConvTranspose, "ConvTranspose", LowerConvTranspose);

}  // namespace
}  // namespace openbpu::backend
