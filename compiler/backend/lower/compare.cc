// Max / Min (vae.requant of each input to the output scale, then vae.max / vae.min) and the
// comparisons Equal, Greater, GreaterOrEqual, Less, LessOrEqual (vae.cmp, a bool output of 0 / 1
// bytes), with general numpy broadcasting: every operand is materialized in
// the output tile's [P][C] layout by DMA, with stride 0 on its broadcast dimensions (isa/ISA.md,
// LOAD), so the VAE always sees full operands.
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

// An operand of a broadcasting op, seen through the output's dimensions: its DDR buffer and, per
// output (ONNX) dimension, the byte stride of that dimension in the operand's own dense NHWC
// layout (0 where it broadcasts).
struct Operand {
  Buffer buf;
  std::vector<int64_t> stride;
};

// The byte stride of each dimension of a value of `shape` in its DDR layout (BufferFor: N = d0,
// C = d1, H = d2..d(r-2) folded, W = d(r-1)).
std::vector<int64_t> LayoutStrides(const Shape& shape, const Buffer& b) {
  const int r = static_cast<int>(shape.size());
  std::vector<int64_t> s(static_cast<size_t>(r), 0);
  const int64_t es = b.esize();
  for (int j = 0; j < r; ++j) {
    if (j == 0) {
      s[0] = b.h * b.w * b.c * es;
    } else if (j == 1) {
      s[1] = es;
    } else if (j == r - 1) {
      s[static_cast<size_t>(j)] = b.c * es;
    } else {
      int64_t inner = b.w * b.c * es;
      for (int k = j + 1; k <= r - 2; ++k) inner *= shape[static_cast<size_t>(k)];
      s[static_cast<size_t>(j)] = inner;
    }
  }
  return s;
}

absl::StatusOr<Operand> OperandOf(const ir::Node& node, LowerContext& ctx, int i,
                                  const Shape& out) {
  absl::StatusOr<Buffer> b = ctx.BufferOf(node, node.input(i));
  if (!b.ok()) return b.status();
  const Shape& shape = node.input(i)->type().shape;
  const int r = static_cast<int>(shape.size()), R = static_cast<int>(out.size());
  if (r > R) return absl::InvalidArgumentError("an operand of higher rank than the output");
  const std::vector<int64_t> own = LayoutStrides(shape, *b);
  Operand op;
  op.buf = *b;
  op.stride.assign(static_cast<size_t>(R), 0);
  for (int j = 0; j < r; ++j) {
    const size_t k = static_cast<size_t>(j + R - r);
    const int64_t size = shape[static_cast<size_t>(j)];
    if (size == out[k]) {
      op.stride[k] = own[static_cast<size_t>(j)];
    } else if (size != 1) {
      return absl::InvalidArgumentError("an operand that does not broadcast to the output");
    }
  }
  return op;
}

// The output's geometry: G = N x H global rows of W pixels of C channels.
struct Grid {
  int R = 0;
  Shape out;
  int64_t n = 1, h = 1, w = 1, c = 1;
};

// Byte offset (from the operand's base) of global row g, pixel 0, channel 0.
int64_t RowOffset(const Grid& g, const Operand& op, int64_t row) {
  const int64_t n = row / g.h;
  int64_t h = row % g.h;
  int64_t off = g.R >= 1 ? n * op.stride[0] : 0;
  for (int d = g.R - 2; d >= 2; --d) {
    const int64_t size = g.out[static_cast<size_t>(d)];
    off += (h % size) * op.stride[static_cast<size_t>(d)];
    h /= size;
  }
  return off;
}

// DMA of global rows [g0, g0 + rows) of `op`, broadcast to [rows][W][C] at feature SRAM `dst`
// (pixel pitch align16(C x esize)). C contiguous in DDR (or C = 1): [C] runs of W pixels per
// row, rows with equal offset steps in one load; otherwise one element per DMA element, C with
// the operand's channel stride and W with its column stride, one load per row (or per run of
// rows when W = 1).
absl::Status LoadOperand(Emitter& e, const Grid& g, const Operand& op, int64_t g0, int64_t rows,
                         int64_t dst) {
  const int64_t es = op.buf.esize();
  const int64_t pitch = Align16(g.c * es), row_pitch = g.w * pitch;
  const int64_t sc = g.R >= 2 ? op.stride[1] : 0;
  const int64_t sw = g.R >= 3 ? op.stride[static_cast<size_t>(g.R - 1)] : 0;
  const bool runs = g.c == 1 || sc == es;
  if (g.c > 16383 || g.w > 16383) return absl::UnimplementedError("a dimension above 16383");
  // Rows in runs of equal offset steps (at most 16383, and single rows when the SRAM row pitch
  // does not fit the stride field).
  const bool rows_in_n2 = runs ? row_pitch < 65536 : g.w == 1;
  int64_t r = 0;
  while (r < rows) {
    const int64_t first = RowOffset(g, op, g0 + r);
    int64_t len = 1, step = 0;
    if (rows_in_n2 && r + 1 < rows) {
      step = RowOffset(g, op, g0 + r + 1) - first;
      len = 2;
      while (r + len < rows && len < 16383 &&
             RowOffset(g, op, g0 + r + len) - first == step * len) {
        ++len;
      }
    }
    int64_t n0, n1, n2, d1, d2, s1, s2;
    if (runs) {
      n0 = g.c, n1 = g.w, n2 = len, d1 = sw, d2 = step, s1 = pitch, s2 = row_pitch;
    } else if (g.w == 1) {
      n0 = 1, n1 = g.c, n2 = len, d1 = sc, d2 = step, s1 = es, s2 = pitch;
    } else {
      n0 = 1, n1 = g.c, n2 = g.w, d1 = sc, d2 = sw, s1 = es, s2 = pitch;
    }
    if (len == 1 && (runs || g.w == 1)) d2 = 0, s2 = 0;
    if (d1 >= (1 << 24) || d2 >= (1 << 24) || d2 < 0 || s1 >= 65536 || s2 >= 65536) {
      return absl::UnimplementedError("an operand stride beyond the DMA's stride fields");
    }
    const int64_t sram = dst + r * row_pitch;
    e.Config(absl::StrCat("load.shape elem=", es, " n0=", n0, " n1=", n1, " n2=", n2));
    e.Config(
        absl::StrCat("load.stride ddr_s1=", d1, " ddr_s2=", d2, " sram_s1=", s1, " sram_s2=", s2));
    const uint64_t offset = op.buf.offset + static_cast<uint64_t>(first);
    std::vector<Emitter::Access> acc = {Emitter::Write("feature", sram, len * row_pitch)};
    if (op.buf.region != "param") {
      const int64_t span = (n2 - 1) * d2 + (n1 - 1) * d1 + n0 * es;
      acc.push_back(
          Emitter::Read(absl::StrCat("ddr:", op.buf.region), static_cast<int64_t>(offset), span));
    }
    e.Data(absl::StrCat("load dst_space=feature dst=", sram, " region=", op.buf.region,
                        " offset=", offset),
           std::move(acc));
    r += len;
  }
  return absl::OkStatus();
}

absl::StatusOr<Grid> GridOf(const ir::Node& node, const Buffer& y) {
  Grid g;
  g.out = node.output(0)->type().shape;
  g.R = static_cast<int>(g.out.size());
  g.n = y.n, g.h = y.h, g.w = y.w, g.c = y.c;
  if (g.n * g.h * g.w * g.c == 0) return absl::UnimplementedError("an empty output");
  return g;
}

// Rows per tile so that `sets` copies of the per-row bytes fit the feature SRAM (and a tile's
// pixels the 20-bit pixels field).
absl::StatusOr<int64_t> TileRows(const isa::March& march, const Grid& g, int64_t row_bytes) {
  const int64_t sram = march.feature_sram_bytes.value;
  int64_t rows = g.n * g.h;
  while (rows > 1 && (2 * rows * row_bytes > sram || rows * g.w > (1 << 20) - 1)) {
    rows = (rows + 1) / 2;
  }
  if (2 * rows * row_bytes > sram || rows * g.w > (1 << 20) - 1) {
    return absl::ResourceExhaustedError("one output row does not fit");
  }
  return rows;
}

// Max / Min: out = max (min) over the inputs of Requantize(q_k, record_k, output range)
// (qparams::InputRecords, the quantized reference's RequantizedFold), each input broadcast to
// the tile, requantized by vae.requant (one RequantParam per channel with record k, no clamp
// but the output dtype's range), then folded with vae.max / vae.min into the output tile.
absl::Status LowerMaxMin(const ir::Node& node, LowerContext& ctx) {
  Emitter& e = ctx.emit();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  absl::StatusOr<Grid> g = GridOf(node, *y);
  if (!g.ok()) return g.status();
  absl::StatusOr<ops::qparams::InputRecords> rec =
      ops::qparams::Load<ops::qparams::InputRecords>(node);
  if (!rec.ok()) return rec.status();
  const int k_inputs = node.num_inputs();
  if (static_cast<int>(rec->records.size()) != k_inputs) {
    return absl::InvalidArgumentError("one input record per input expected");
  }
  std::vector<Operand> ops;
  int64_t in_pitch = 16;
  for (int i = 0; i < k_inputs; ++i) {
    absl::StatusOr<Operand> op = OperandOf(node, ctx, i, g->out);
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
  absl::StatusOr<int64_t> rows = TileRows(ctx.march(), *g, g->w * (2 * in_pitch + 2 * out_pitch));
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
      const Operand& op = ops[static_cast<size_t>(k)];
      const int64_t src = in[k % 2];
      if (absl::Status st = LoadOperand(e, *g, op, g0, r, src); !st.ok()) return st;
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
  absl::StatusOr<Grid> g = GridOf(node, *y);
  if (!g.ok()) return g.status();
  Operand ops[2];
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<Operand> op = OperandOf(node, ctx, i, g->out);
    if (!op.ok()) return op.status();
    if (op->buf.dtype != DType::kInt8 && op->buf.dtype != DType::kInt16) {
      return absl::UnimplementedError("a comparison input that is not int8 or int16");
    }
    ops[i] = *std::move(op);
  }
  const int64_t c = g->c, out_pitch = Align16(c);
  const int64_t pitch[2] = {Align16(c * ops[0].buf.esize()), Align16(c * ops[1].buf.esize())};
  if (g->w * std::max(pitch[0], pitch[1]) >= 65536) {
    return absl::UnimplementedError("a row pitch beyond the DMA's SRAM stride field");
  }
  std::vector<uint8_t> param(isa::kCmpParamBytes);
  isa::PackCmpParam(*p, param.data());
  e.LoadParams("weight", 0, e.AddParams(param), isa::kCmpParamBytes);
  absl::StatusOr<int64_t> rows =
      TileRows(ctx.march(), *g, g->w * (pitch[0] + pitch[1] + out_pitch));
  if (!rows.ok()) return rows.status();
  const int64_t tile[3] = {Align16(*rows * g->w * pitch[0]), Align16(*rows * g->w * pitch[1]),
                           Align16(*rows * g->w * out_pitch)};
  const int64_t total = g->n * g->h;
  int64_t step = 0;
  for (int64_t g0 = 0; g0 < total; g0 += *rows, ++step) {
    const int64_t r = std::min(*rows, total - g0), pixels = r * g->w;
    const int64_t a = (step % 2) * (tile[0] + tile[1] + tile[2]), b = a + tile[0],
                  out = b + tile[1];
    if (absl::Status st = LoadOperand(e, *g, ops[0], g0, r, a); !st.ok()) return st;
    if (absl::Status st = LoadOperand(e, *g, ops[1], g0, r, b); !st.ok()) return st;
    e.Config(absl::StrCat("vae.cfg pixels=", pixels, " channels=", c,
                          " x_dtype=", AsmDType(ops[0].buf.dtype),
                          " y_dtype=", AsmDType(ops[1].buf.dtype), " out_dtype=s8"));
    e.Data(absl::StrCat("vae.cmp x=", a, " y=", b, " dst=", out, " param=0"),
           {Emitter::Read("feature", a, pixels * pitch[0]),
            Emitter::Read("feature", b, pixels * pitch[1]),
            Emitter::Read("weight", 0, isa::kCmpParamBytes),
            Emitter::Write("feature", out, pixels * out_pitch)});
    Emitter::Box box = RowsOf(*y, r, c);
    e.StoreBox(y->region.c_str(), y->At(0, 0) + static_cast<uint64_t>(g0 * g->w * c), out, box);
  }
  return absl::OkStatus();
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
