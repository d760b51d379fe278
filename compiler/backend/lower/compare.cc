// Max / Min (vae.requant of each input to the output scale, then vae.max / vae.min) and the
// comparisons Equal, Greater, GreaterOrEqual, Less, LessOrEqual (vae.cmp, a bool output of 0 / 1
// bytes), with general numpy broadcasting: every operand is materialized in
// the output tile's [P][C] layout by DMA, with stride 0 on its broadcast dimensions (isa/ISA.md,
// LOAD; lower/broadcast.cc), so the VAE always sees full operands.
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

// Max / Min: out = max (min) over the inputs of Requantize(q_k, record_k, output range)
// (qparams::InputRecords, the quantized reference's RequantizedFold), each input broadcast to
// the tile, requantized by vae.requant (one RequantParam per channel with record k, no clamp
// but the output dtype's range), then folded with vae.max / vae.min into the output tile.
absl::Status LowerMaxMin(const ir::Node& node, LowerContext& ctx) {
  Emitter& e = ctx.emit();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  absl::StatusOr<BroadcastGrid> g = BroadcastGridOf(node, *y);
  if (!g.ok()) return g.status();
  absl::StatusOr<ops::qparams::InputRecords> rec =
      ops::qparams::Load<ops::qparams::InputRecords>(node);
  if (!rec.ok()) return rec.status();
  const int k_inputs = node.num_inputs();
  if (static_cast<int>(rec->records.size()) != k_inputs) {
    return absl::InvalidArgumentError("one input record per input expected");
  }
  std::vector<BroadcastOperand> ops;
  int64_t in_pitch = 16;
  for (int i = 0; i < k_inputs; ++i) {
    absl::StatusOr<BroadcastOperand> op = BroadcastOperandOf(node, ctx, i, g->out);
    if (!op.ok()) return op.status();
    if (op->buf.dtype != DType::kInt8 && op->buf.dtype != DType::kInt16) {
      return absl::UnimplementedError("a Max/Min input that is not int8 or int16");
    }
    in_pitch = std::max(in_pitch, Align16(g->c * op->buf.esize()));
    ops.push_back(*std::move(op));
  }
  const int64_t c = g->c, out_pitch = Align16(c * y->esize());
  if (g->w * std::max(in_pitch, out_pitch) >= 65536) {
    return absl::UnimplementedError("a row pitch beyond the DMA's SRAM stride field");
  }
  // Records: input k's RequantParam for channel ch at weight (k x C + ch) x 32.
  const int64_t param_bytes = k_inputs * c * isa::kRequantParamBytes;
  if (param_bytes > ctx.march().weight_sram_bytes.value) {
    return absl::ResourceExhaustedError("the input records do not fit the weight SRAM");
  }
  std::vector<uint8_t> params(static_cast<size_t>(param_bytes));
  for (int k = 0; k < k_inputs; ++k) {
    isa::RequantParam p;
    p.acc = rec->records[static_cast<size_t>(k)];
    for (int64_t ch = 0; ch < c; ++ch) {
      isa::PackRequantParam(p, params.data() + (k * c + ch) * isa::kRequantParamBytes);
    }
  }
  e.LoadParams("weight", 0, e.AddParams(params), static_cast<uint64_t>(Align16(param_bytes)));
  // Per tile set: two input staging tiles, the requantized temporary and the output.
  absl::StatusOr<int64_t> rows =
      BroadcastTileRows(ctx.march(), *g, g->w * (2 * in_pitch + 2 * out_pitch));
  if (!rows.ok()) return rows.status();
  const int64_t in_tile = Align16(*rows * g->w * in_pitch);
  const int64_t out_tile = Align16(*rows * g->w * out_pitch);
  const int64_t set_bytes = 2 * in_tile + 2 * out_tile;
  const char* fold = node.op() == "Max" ? "vae.max" : "vae.min";
  const char* out_dt = AsmDType(y->dtype);
  const int64_t total = g->n * g->h;
  int64_t step = 0;
  for (int64_t g0 = 0; g0 < total; g0 += *rows, ++step) {
    const int64_t r = std::min(*rows, total - g0);
    const int64_t base = (step % 2) * set_bytes;
    const int64_t in[2] = {base, base + in_tile};
    const int64_t tmp = base + 2 * in_tile, out = tmp + out_tile;
    const int64_t pixels = r * g->w;
    for (int k = 0; k < k_inputs; ++k) {
      const BroadcastOperand& op = ops[static_cast<size_t>(k)];
      const int64_t src = in[k % 2];
      if (absl::Status st = LoadBroadcastRows(e, *g, op, g0, r, src); !st.ok()) return st;
      const int64_t dst = k == 0 ? out : tmp;
      e.Config(absl::StrCat("vae.cfg pixels=", pixels, " channels=", c,
                            " x_dtype=", AsmDType(op.buf.dtype), " out_dtype=", out_dt));
      e.Data(absl::StrCat("vae.requant src=", src, " dst=", dst,
                          " param=", k * c * isa::kRequantParamBytes),
             {Emitter::Read("feature", src, pixels * Align16(c * op.buf.esize())),
              Emitter::Read("weight", k * c * isa::kRequantParamBytes, c * isa::kRequantParamBytes),
              Emitter::Write("feature", dst, pixels * out_pitch)});
      if (k == 0) continue;
      e.Config(absl::StrCat("vae.cfg pixels=", pixels, " channels=", c, " x_dtype=", out_dt,
                            " y_dtype=", out_dt, " out_dtype=", out_dt));
      e.Data(absl::StrCat(fold, " x=", out, " y=", tmp, " dst=", out),
             {Emitter::Read("feature", out, pixels * out_pitch),
              Emitter::Read("feature", tmp, pixels * out_pitch),
              Emitter::Write("feature", out, pixels * out_pitch)});
    }
    Emitter::Box box = RowsOf(*y, r, c);
    e.StoreBox(y->region.c_str(), y->At(0, 0) + static_cast<uint64_t>(g0 * g->w * c * y->esize()),
               out, box);
  }
  return absl::OkStatus();
}

// Equal, Greater, GreaterOrEqual, Less, LessOrEqual: vae.cmp of the two broadcast inputs with
// qparams::Compare (each input's exact scale and the predicate: numerics::CompareScaled, the
// quantized reference's CompareKernel), writing 0 / 1 bytes (the bool output).
absl::Status LowerCompare(const ir::Node& node, LowerContext& ctx) {
  if (!ops::qparams::Has<ops::qparams::Compare>(node)) {
    return absl::UnimplementedError("a comparison of unquantized inputs");
  }
  absl::StatusOr<ops::qparams::Compare> p = ops::qparams::Load<ops::qparams::Compare>(node);
  if (!p.ok()) return p.status();
  Emitter& e = ctx.emit();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  if (y->esize() != 1) return absl::InvalidArgumentError("a comparison output of more than a byte");
  absl::StatusOr<BroadcastGrid> g = BroadcastGridOf(node, *y);
  if (!g.ok()) return g.status();
  BroadcastOperand ops[2];
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<BroadcastOperand> op = BroadcastOperandOf(node, ctx, i, g->out);
    if (!op.ok()) return op.status();
    if (op->buf.dtype != DType::kInt8 && op->buf.dtype != DType::kInt16) {
      return absl::UnimplementedError("a comparison input that is not int8 or int16");
    }
    ops[i] = *std::move(op);
  }
  const int64_t c = g->c;
  std::vector<uint8_t> param(isa::kCmpParamBytes);
  isa::PackCmpParam(*p, param.data());
  e.LoadParams("weight", 0, e.AddParams(param), isa::kCmpParamBytes);
  return LowerBroadcastPair(
      e, ctx.march(), *g, ops, *y, [&](int64_t a, int64_t b, int64_t out, int64_t pixels) {
        e.Config(absl::StrCat("vae.cfg pixels=", pixels, " channels=", c,
                              " x_dtype=", AsmDType(ops[0].buf.dtype),
                              " y_dtype=", AsmDType(ops[1].buf.dtype), " out_dtype=s8"));
        e.Data(absl::StrCat("vae.cmp x=", a, " y=", b, " dst=", out, " param=0"),
               {Emitter::Read("feature", a, pixels * Align16(c * ops[0].buf.esize())),
                Emitter::Read("feature", b, pixels * Align16(c * ops[1].buf.esize())),
                Emitter::Read("weight", 0, isa::kCmpParamBytes),
                Emitter::Write("feature", out, pixels * Align16(c))});
      });
}

OPENBPU_REGISTER_LOWERING(Max, "Max", LowerMaxMin);
OPENBPU_REGISTER_LOWERING(Min, "Min", LowerMaxMin);

// The bool output is placed by Compile like any value (1 byte per element) and, as a graph
// output, listed as an unquantized model output (.hbm dtype BOOL, quant NONE).
OPENBPU_REGISTER_LOWERING(Equal, "Equal", LowerCompare);
OPENBPU_REGISTER_LOWERING(Greater, "Greater", LowerCompare);
OPENBPU_REGISTER_LOWERING(GreaterOrEqual, "GreaterOrEqual", LowerCompare);
OPENBPU_REGISTER_LOWERING(Less, "Less", LowerCompare);
OPENBPU_REGISTER_LOWERING(LessOrEqual, "LessOrEqual", LowerCompare);

}  // namespace
}  // namespace openbpu::backend
