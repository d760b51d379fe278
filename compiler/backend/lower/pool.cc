// MaxPool and AveragePool on the AAE (GlobalAveragePool is a reduction: reduce.cc).
#include "common/kernels/pool.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/backend/lowering.h"
#include "compiler/ops/qparams.h"
#include "isa/records.h"

namespace openbpu::backend {
namespace {

// MaxPool / AveragePool: output rows in tiles, each tile's input rows (with the window's halo)
// loaded whole; the window's padding is the AAE's (never a max; counted or not by an average
// per count_include_pad), set per tile. AveragePool's divisor records (one per window size,
// qparams::Divisors) go to the weight SRAM.
absl::Status LowerMaxPool(const ir::Node& node, LowerContext& ctx) {
  const bool average = node.op() == "AveragePool";
  Emitter& e = ctx.emit();
  absl::StatusOr<Buffer> x = ctx.BufferOf(node, node.input(0));
  if (!x.ok()) return x.status();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  if (node.input(0)->type().shape.size() != 4) return absl::UnimplementedError("2-D pooling only");
  absl::StatusOr<kernels::AutoPad> auto_pad =
      kernels::ParseAutoPad(node.attrs().GetString("auto_pad", "NOTSET"));
  if (!auto_pad.ok()) return auto_pad.status();
  absl::StatusOr<kernels::PoolGeometry> g = kernels::PlanPool(
      {x->h, x->w}, node.attrs().GetInts("kernel_shape"), node.attrs().GetInts("strides"),
      node.attrs().GetInts("dilations"), node.attrs().GetInts("pads"), *auto_pad,
      node.attrs().GetInt("ceil_mode", 0) != 0);
  if (!g.ok()) return g.status();
  const int64_t kh = g->kernel[0], kw = g->kernel[1], sh = g->strides[0], sw = g->strides[1];
  const int64_t dh = g->dilations[0], dw = g->dilations[1];
  const int64_t oh = g->output[0], ow = g->output[1];
  if (kh > 15 || kw > 15 || sh > 15 || sw > 15) {
    return absl::UnimplementedError("window or stride above 15");
  }
  const int64_t pitch = Align16(x->c * x->esize());
  const int64_t half = ctx.march().feature_sram_bytes.value / 2;
  auto in_rows = [&](int64_t r) { return (r - 1) * sh + (kh - 1) * dh + 1; };
  auto fits = [&](int64_t r) {
    return in_rows(r) * x->w * pitch <= half && r * ow * pitch <= half && in_rows(r) <= 16383;
  };
  int64_t rows = oh;
  while (rows > 1 && !fits(rows)) rows = (rows + 1) / 2;
  if (!fits(rows)) return absl::ResourceExhaustedError("one output row does not fit");
  int64_t divisor_bytes = 0;
  if (average) {
    absl::StatusOr<ops::qparams::Divisors> d = ops::qparams::Load<ops::qparams::Divisors>(node);
    if (!d.ok()) return d.status();
    if (static_cast<int64_t>(d->records.size()) < kh * kw) {
      return absl::InvalidArgumentError("fewer divisor records than window positions");
    }
    std::vector<uint8_t> records(static_cast<size_t>(kh * kw * isa::kRecordBytes));
    for (int64_t i = 0; i < kh * kw; ++i) {
      isa::PackRecord(d->records[static_cast<size_t>(i)], records.data() + i * isa::kRecordBytes);
    }
    divisor_bytes = static_cast<int64_t>(records.size());
    e.LoadParams("weight", 0, e.AddParams(records), static_cast<uint64_t>(Align16(divisor_bytes)));
  }
  const int count_include_pad = static_cast<int>(node.attrs().GetInt("count_include_pad", 0));
  for (int64_t n = 0; n < x->n; ++n) {
    for (int64_t o0 = 0; o0 < oh; o0 += rows) {
      const int64_t r = std::min(rows, oh - o0);
      const int64_t first = o0 * sh - g->pads_begin[0];
      const int64_t last = first + in_rows(r) - 1;
      const int64_t lo = std::max<int64_t>(0, first), hi = std::min<int64_t>(x->h - 1, last);
      const Emitter::Box in = RowsOf(*x, hi - lo + 1, x->c);
      // Operands kept on chip are read and written in place (ISA 1.1 aae.pitch).
      const OnChip xo = OnChipAt(e, *x, n, lo), yo = OnChipAt(e, *y, n, o0);
      const int64_t src = xo.ok() ? xo.at : 0, dst = yo.ok() ? yo.at : half;
      if (xo.ok()) {
        e.CountInPlaceRead();
      } else {
        e.LoadBox(x->region.c_str(), x->At(n, lo), 0, in);
      }
      // The tile's window: rows above / below the loaded ones are padding.
      const int64_t pad_top = lo - first, pad_bottom = last - hi;
      const int64_t pad_right =
          std::max<int64_t>(0, (ow - 1) * sw + (kw - 1) * dw + 1 - g->pads_begin[1] - x->w);
      if (std::max({pad_top, pad_bottom, g->pads_begin[1], pad_right}) > 63) {
        return absl::UnimplementedError("padding above 63");
      }
      e.Config(absl::StrCat("aae.win kernel_h=", kh, " kernel_w=", kw, " stride_h=", sh,
                            " stride_w=", sw, " dilation_h=", dh, " dilation_w=", dw,
                            " pad_top=", pad_top, " pad_bottom=", pad_bottom,
                            " pad_left=", g->pads_begin[1], " pad_right=", pad_right));
      e.Config(absl::StrCat("aae.tile in_h=", in.rows, " in_w=", x->w, " channels=", x->c,
                            " out_h=", r, " out_w=", ow, " in_dtype=", AsmDType(x->dtype),
                            " out_dtype=", AsmDType(y->dtype)));
      std::vector<Emitter::Access> accesses = {
          Emitter::Read(
              "feature", src,
              xo.ok() ? xo.Span(in.rows * x->w, x->c * x->esize()) : in.rows * x->w * pitch),
          Emitter::Write("feature", dst,
                         yo.ok() ? yo.Span(r * ow, y->c * y->esize()) : r * ow * pitch)};
      e.Pitch("aae", absl::StrCat(xo.ok() ? PitchField("src_pitch", xo, x->c, x->esize()) : "", " ",
                                  yo.ok() ? PitchField("dst_pitch", yo, y->c, y->esize()) : ""));
      if (average) {
        accesses.push_back(Emitter::Read("weight", 0, divisor_bytes));
        e.Data(absl::StrCat("aae.avgpool src=", src, " dst=", dst,
                            " param=0 count_include_pad=", count_include_pad),
               std::move(accesses));
      } else {
        e.Data(absl::StrCat("aae.maxpool src=", src, " dst=", dst), std::move(accesses));
      }
      if (yo.ok()) {
        e.CountDirectWrite();
        continue;
      }
      Emitter::Box out = in;
      out.rows = r;
      out.width = ow;
      out.full_width = ow;
      out.pad_top = out.pad_bottom = out.pad_left = out.pad_right = 0;
      e.StoreBox(y->region.c_str(), y->At(n, o0), half, out);
    }
  }
  return absl::OkStatus();
}

OPENBPU_REGISTER_LOWERING(MaxPool, "MaxPool", LowerMaxPool);
OPENBPU_REGISTER_LOWERING(AveragePool, "AveragePool", LowerMaxPool);

}  // namespace
}  // namespace openbpu::backend
