// Reductions on the AAE (aae.reduce): GlobalMaxPool, GlobalAveragePool / ReduceMean / ReduceSum
// (an exact int64 sum requantized by the node's divisor record), ReduceMax / ReduceMin, over any of
// H, W and C of a rank-4 input (never N). The output keeps the reduced axes as 1 (or drops exactly
// H and W, which leaves the same NHWC bytes). One image's input must fit half the feature SRAM.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/backend/lowering.h"
#include "compiler/ops/qparams.h"
#include "isa/records.h"

namespace openbpu::backend {
namespace {

absl::Status LowerReduce(const ir::Node& node, LowerContext& ctx) {
  Emitter& e = ctx.emit();
  absl::StatusOr<Buffer> x = ctx.BufferOf(node, node.input(0));
  if (!x.ok()) return x.status();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  const Shape& in = node.input(0)->type().shape;
  const int rank = static_cast<int>(in.size());
  if (rank != 3 && rank != 4) return absl::UnimplementedError("reductions of rank 3 or 4 only");
  std::vector<bool> reduced(static_cast<size_t>(rank), false);
  std::string op;
  if (node.op() == "GlobalMaxPool" || node.op() == "GlobalAveragePool") {
    for (int d = 2; d < rank; ++d) reduced[static_cast<size_t>(d)] = true;
    op = node.op() == "GlobalMaxPool" ? "max" : "sum";
  } else {
    op = node.op() == "ReduceMax" ? "max" : node.op() == "ReduceMin" ? "min" : "sum";
    std::vector<int64_t> axes;
    if (node.input(1) != nullptr && node.input(1)->is_constant()) {
      axes = node.input(1)->constant().ToInt64Vector();
    } else if (node.attrs().Has("axes")) {
      axes = node.attrs().GetInts("axes");
    }
    if (axes.empty()) {
      if (node.attrs().GetInt("noop_with_empty_axes", 0) != 0) {
        return absl::UnimplementedError("a reduction over no axes");
      }
      reduced.assign(static_cast<size_t>(rank), true);
    }
    for (int64_t a : axes) reduced[static_cast<size_t>(a < 0 ? a + rank : a)] = true;
  }
  if (reduced[0]) return absl::UnimplementedError("a reduction over the batch axis");
  // NCHW axes to the AAE's: C (bit 2), H (bit 0, rank 4 only), W (bit 1, the last axis).
  const bool red_c = reduced[1], red_w = reduced[static_cast<size_t>(rank - 1)];
  const bool red_h = rank == 4 && reduced[2];
  // With keepdims=0 the output's NHWC bytes are the AAE's [h][w][c] order unless C is reduced
  // while both H and W are kept (the output [N, H, W] would list W before H).
  if (node.attrs().GetInt("keepdims", 1) == 0 && rank == 4 && red_c && !red_h && !red_w) {
    return absl::UnimplementedError("keepdims=0 over C alone of a rank-4 input");
  }
  const int axes_bits = (red_h ? 1 : 0) | (red_w ? 2 : 0) | (red_c ? 4 : 0);
  if (axes_bits == 0) return absl::UnimplementedError("a reduction over no axes");
  const int64_t pitch = Align16(x->c * x->esize());
  const int64_t half = ctx.march().feature_sram_bytes.value / 2;
  if (x->h * x->w * pitch > half) {
    return absl::ResourceExhaustedError(
        absl::StrCat("a ", x->h, "x", x->w, "x", x->c, " input does not fit half the ",
                     ctx.march().name, " feature SRAM; tiled reductions come later"));
  }
  if (op == "sum") {
    absl::StatusOr<ops::qparams::Divisors> d = ops::qparams::Load<ops::qparams::Divisors>(node);
    if (!d.ok()) return d.status();
    if (d->records.size() != 1) return absl::InvalidArgumentError("expected one divisor record");
    std::vector<uint8_t> record(isa::kRecordBytes);
    isa::PackRecord(d->records[0], record.data());
    e.LoadParams("weight", 0, e.AddParams(record), 16);
  }
  const int64_t oh = red_h ? 1 : x->h, ow = red_w ? 1 : x->w;
  const int64_t oc = red_c ? 1 : x->c;
  for (int64_t n = 0; n < x->n; ++n) {
    // An input kept on chip is read in place (ISA 1.1 aae.pitch).
    const OnChip xo = OnChipAt(e, *x, n, 0);
    const int64_t src = xo.ok() ? xo.at : 0;
    if (xo.ok()) {
      e.CountInPlaceRead();
    } else {
      e.LoadBox(x->region.c_str(), x->At(n, 0), 0, RowsOf(*x, x->h, x->c));
    }
    e.Config(absl::StrCat("aae.tile in_h=", x->h, " in_w=", x->w, " channels=", x->c, " out_h=", oh,
                          " out_w=", ow, " in_dtype=", AsmDType(x->dtype),
                          " out_dtype=", AsmDType(y->dtype)));
    const int64_t out_pitch = Align16(oc * y->esize());
    std::vector<Emitter::Access> accesses = {
        Emitter::Read("feature", src,
                      xo.ok() ? xo.Span(x->h * x->w, x->c * x->esize()) : x->h * x->w * pitch),
        Emitter::Write("feature", half, oh * ow * out_pitch)};
    if (op == "sum") accesses.push_back(Emitter::Read("weight", 0, 16));
    if (xo.ok()) e.Pitch("aae", PitchField("src_pitch", xo, x->c, x->esize()));
    e.Data(absl::StrCat("aae.reduce op=", op, " axes=", axes_bits, " src=", src, " dst=", half,
                        " param=0"),
           std::move(accesses));
    Emitter::Box out;
    out.rows = oh;
    out.width = ow;
    out.channels = oc;
    out.esize = y->esize();
    out.full_width = ow;
    out.full_channels = oc;
    out.pitch = out_pitch;
    e.StoreBox(y->region.c_str(), y->At(n, 0), half, out);
  }
  return absl::OkStatus();
}

OPENBPU_REGISTER_LOWERING(GlobalAveragePool, "GlobalAveragePool", LowerReduce);
OPENBPU_REGISTER_LOWERING(GlobalMaxPool, "GlobalMaxPool", LowerReduce);
OPENBPU_REGISTER_LOWERING(ReduceMean, "ReduceMean", LowerReduce);
OPENBPU_REGISTER_LOWERING(ReduceSum, "ReduceSum", LowerReduce);
OPENBPU_REGISTER_LOWERING(ReduceMax, "ReduceMax", LowerReduce);
OPENBPU_REGISTER_LOWERING(ReduceMin, "ReduceMin", LowerReduce);

}  // namespace
}  // namespace openbpu::backend
