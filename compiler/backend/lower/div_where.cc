// Div (vae.div, ISA 1.1) and Where (vae.requant of X and Y to the output scale, then vae.select),
// with general numpy broadcasting: every operand is materialized in the output tile's [P][C]
// layout by DMA with stride 0 on its broadcast dimensions (lower/broadcast.cc), so the VAE always
// sees full operands. Both are bit-exact with the quantized reference kernels
// (compiler/ops/div.cc, compiler/ops/where.cc): the instructions run the same isa/numerics code
// on the same parameters.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/backend/lowering.h"
#include "compiler/ops/qparams.h"
#include "isa/records.h"

namespace openbpu::backend {
namespace {

bool IsInt8OrInt16(DType d) { return d == DType::kInt8 || d == DType::kInt16; }

// The rows of global rows [g0, g0 + rows) of the output `y` stored from feature SRAM `src`.
void StoreRows(Emitter& e, const BroadcastGrid& g, const Buffer& y, int64_t g0, int64_t rows,
               int64_t src) {
  Emitter::Box box = RowsOf(y, rows, g.c);
  e.StoreBox(y.region.c_str(), y.At(0, 0) + static_cast<uint64_t>(g0 * g.w * g.c * y.esize()), src,
             box);
}

// Div: out = numerics::ApplyDiv(qparams::Div, q_x, q_y, output range) elementwise (the reference's
// DivKernel: no input records, the quotient's record s_x / (s_y s_out) and the reciprocal table
// in one DivParam image), both operands broadcast to the tile, then one vae.div per tile.
absl::Status LowerDiv(const ir::Node& node, LowerContext& ctx) {
  if (!ops::qparams::Has<ops::qparams::Div>(node)) {
    return absl::UnimplementedError("a Div of unquantized inputs");
  }
  absl::StatusOr<ops::qparams::Div> p = ops::qparams::Load<ops::qparams::Div>(node);
  if (!p.ok()) return p.status();
  Emitter& e = ctx.emit();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  if (!IsInt8OrInt16(y->dtype)) return absl::UnimplementedError("a Div output not int8 or int16");
  absl::StatusOr<BroadcastGrid> g = BroadcastGridOf(node, *y);
  if (!g.ok()) return g.status();
  BroadcastOperand ops[2];
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<BroadcastOperand> op = BroadcastOperandOf(node, ctx, i, g->out);
    if (!op.ok()) return op.status();
    if (!IsInt8OrInt16(op->buf.dtype)) {
      return absl::UnimplementedError("a Div input that is not int8 or int16");
    }
    ops[i] = *std::move(op);
  }
  const int64_t c = g->c;
  const std::vector<uint8_t> param = isa::PackDivParam(*p);
  if (param.empty()) return absl::InvalidArgumentError("a Div reciprocal table of the wrong size");
  e.LoadParams("weight", 0, e.AddParams(param), static_cast<uint64_t>(Align16(param.size())));
  return LowerBroadcastPair(
      e, ctx.march(), *g, ops, *y, [&](int64_t a, int64_t b, int64_t out, int64_t pixels) {
        e.Config(absl::StrCat(
            "vae.cfg pixels=", pixels, " channels=", c, " x_dtype=", AsmDType(ops[0].buf.dtype),
            " y_dtype=", AsmDType(ops[1].buf.dtype), " out_dtype=", AsmDType(y->dtype)));
        e.Data(absl::StrCat("vae.div x=", a, " y=", b, " dst=", out, " param=0"),
               {Emitter::Read("feature", a, pixels * Align16(c * ops[0].buf.esize())),
                Emitter::Read("feature", b, pixels * Align16(c * ops[1].buf.esize())),
                Emitter::Read("weight", 0, isa::kDivParamBytes),
                Emitter::Write("feature", out, pixels * Align16(c * y->esize()))});
      });
}

// Where: out = cond ? Requantize(q_x, record 0, range) : Requantize(q_y, record 1, range) (the
// reference's qkernel with qparams::InputRecords; range = the output dtype's). The bool condition
// (1 byte, 0 / 1) is loaded as s8; X and Y are requantized by vae.requant (one RequantParam per
// channel, no clamp but the output dtype's range) into the output tile and a temporary, then
// vae.select picks in place.
absl::Status LowerWhere(const ir::Node& node, LowerContext& ctx) {
  if (!ops::qparams::Has<ops::qparams::InputRecords>(node)) {
    return absl::UnimplementedError("a Where of unquantized values");
  }
  absl::StatusOr<ops::qparams::InputRecords> rec =
      ops::qparams::Load<ops::qparams::InputRecords>(node);
  if (!rec.ok()) return rec.status();
  if (rec->records.size() != 2) {
    return absl::InvalidArgumentError("Where needs two input records (X and Y)");
  }
  Emitter& e = ctx.emit();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  if (!IsInt8OrInt16(y->dtype)) {
    return absl::UnimplementedError("a Where output not int8 or int16");
  }
  absl::StatusOr<BroadcastGrid> g = BroadcastGridOf(node, *y);
  if (!g.ok()) return g.status();
  BroadcastOperand ops[3];
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<BroadcastOperand> op = BroadcastOperandOf(node, ctx, i, g->out);
    if (!op.ok()) return op.status();
    if (i == 0 ? op->buf.dtype != DType::kBool : !IsInt8OrInt16(op->buf.dtype)) {
      return absl::UnimplementedError(i == 0 ? "a Where condition that is not bool"
                                             : "a Where value that is not int8 or int16");
    }
    ops[i] = *std::move(op);
  }
  const int64_t c = g->c, out_pitch = Align16(c * y->esize());
  // Tiles of a set: cond, X, Y as loaded, then X requantized (also the output) and Y requantized.
  const int64_t pitch[5] = {Align16(c), Align16(c * ops[1].buf.esize()),
                            Align16(c * ops[2].buf.esize()), out_pitch, out_pitch};
  if (g->w * *std::max_element(pitch, pitch + 5) >= 65536) {
    return absl::UnimplementedError("a row pitch beyond the DMA's SRAM stride field");
  }
  // Records: X's RequantParam for channel ch at weight ch x 32, Y's at (C + ch) x 32.
  const int64_t param_bytes = 2 * c * isa::kRequantParamBytes;
  if (param_bytes > ctx.march().weight_sram_bytes.value) {
    return absl::ResourceExhaustedError("the input records do not fit the weight SRAM");
  }
  std::vector<uint8_t> params(static_cast<size_t>(param_bytes));
  for (int k = 0; k < 2; ++k) {
    isa::RequantParam p;
    p.acc = rec->records[static_cast<size_t>(k)];
    for (int64_t ch = 0; ch < c; ++ch) {
      isa::PackRequantParam(p, params.data() + (k * c + ch) * isa::kRequantParamBytes);
    }
  }
  e.LoadParams("weight", 0, e.AddParams(params), static_cast<uint64_t>(Align16(param_bytes)));
  int64_t row_bytes = 0;
  for (int64_t pt : pitch) row_bytes += pt;
  absl::StatusOr<int64_t> rows = BroadcastTileRows(ctx.march(), *g, g->w * row_bytes);
  if (!rows.ok()) return rows.status();
  int64_t tile[5], set_bytes = 0;
  for (int k = 0; k < 5; ++k) {
    tile[k] = Align16(*rows * g->w * pitch[k]);
    set_bytes += tile[k];
  }
  const char* out_dt = AsmDType(y->dtype);
  const int64_t total = g->n * g->h;
  int64_t step = 0;
  for (int64_t g0 = 0; g0 < total; g0 += *rows, ++step) {
    const int64_t r = std::min(*rows, total - g0), pixels = r * g->w;
    int64_t at[5];
    at[0] = (step % 2) * set_bytes;
    for (int k = 1; k < 5; ++k) at[k] = at[k - 1] + tile[k - 1];
    for (int i = 0; i < 3; ++i) {
      if (absl::Status st = LoadBroadcastRows(e, *g, ops[i], g0, r, at[i]); !st.ok()) return st;
    }
    for (int k = 0; k < 2; ++k) {
      const Buffer& in = ops[k + 1].buf;
      const int64_t src = at[k + 1], dst = at[k + 3], param = k * c * isa::kRequantParamBytes;
      e.Config(absl::StrCat("vae.cfg pixels=", pixels, " channels=", c,
                            " x_dtype=", AsmDType(in.dtype), " out_dtype=", out_dt));
      e.Data(absl::StrCat("vae.requant src=", src, " dst=", dst, " param=", param),
             {Emitter::Read("feature", src, pixels * pitch[k + 1]),
              Emitter::Read("weight", param, c * isa::kRequantParamBytes),
              Emitter::Write("feature", dst, pixels * out_pitch)});
    }
    e.Config(absl::StrCat("vae.cfg pixels=", pixels, " channels=", c, " x_dtype=", out_dt,
                          " y_dtype=", out_dt, " out_dtype=", out_dt));
    e.Data(absl::StrCat("vae.select cond=", at[0], " x=", at[3], " y=", at[4], " dst=", at[3]),
           {Emitter::Read("feature", at[0], pixels * pitch[0]),
            Emitter::Read("feature", at[3], pixels * out_pitch),
            Emitter::Read("feature", at[4], pixels * out_pitch),
            Emitter::Write("feature", at[3], pixels * out_pitch)});
    StoreRows(e, *g, *y, g0, r, at[3]);
  }
  return absl::OkStatus();
}

OPENBPU_REGISTER_LOWERING(Div, "Div", LowerDiv);
OPENBPU_REGISTER_LOWERING(Where, "Where", LowerWhere);

}  // namespace
}  // namespace openbpu::backend
