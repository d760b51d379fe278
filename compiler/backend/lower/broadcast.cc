// Broadcasting elementwise operands (lowering.h): numpy broadcasting materialized by DMA with
// stride 0 on the broadcast dimensions (isa/ISA.md, LOAD), shared by Max/Min and the comparisons
// (lower/compare.cc) and Div and Where (lower/div_where.cc).
#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/backend/lowering.h"

namespace openbpu::backend {
namespace {

// The byte stride of each dimension of a value of `shape` in its DDR layout.
std::vector<int64_t> ByteStrides(const Shape& shape, const Buffer& b) {
  std::vector<int64_t> s = backend::LayoutStrides(shape);
  for (int64_t& v : s) v *= b.esize();
  return s;
}

}  // namespace

absl::StatusOr<BroadcastOperand> BroadcastOperandOf(const ir::Node& node, LowerContext& ctx, int i,
                                                    const Shape& out) {
  absl::StatusOr<Buffer> b = ctx.BufferOf(node, node.input(i));
  if (!b.ok()) return b.status();
  const Shape& shape = node.input(i)->type().shape;
  const int r = static_cast<int>(shape.size()), R = static_cast<int>(out.size());
  if (r > R) return absl::InvalidArgumentError("an operand of higher rank than the output");
  const std::vector<int64_t> own = ByteStrides(shape, *b);
  BroadcastOperand op;
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

namespace {

// Byte offset (from the operand's base) of global row g, pixel 0, channel 0.
int64_t RowOffset(const BroadcastGrid& g, const BroadcastOperand& op, int64_t row) {
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

}  // namespace

// C contiguous in DDR (or C = 1): [C] runs of W pixels per row, rows with equal offset steps in
// one load; otherwise one element per DMA element, C with the operand's channel stride and W with
// its column stride, one load per row (or per run of rows when W = 1).

absl::Status LoadBroadcastRows(Emitter& e, const BroadcastGrid& g, const BroadcastOperand& op,
                               int64_t g0, int64_t rows, int64_t dst) {
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

absl::StatusOr<BroadcastGrid> BroadcastGridOf(const ir::Node& node, const Buffer& y) {
  BroadcastGrid g;
  g.out = node.output(0)->type().shape;
  g.R = static_cast<int>(g.out.size());
  g.n = y.n, g.h = y.h, g.w = y.w, g.c = y.c;
  if (g.n * g.h * g.w * g.c == 0) return absl::UnimplementedError("an empty output");
  return g;
}

absl::StatusOr<int64_t> BroadcastTileRows(const isa::March& march, const BroadcastGrid& g,
                                          int64_t row_bytes) {
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

absl::Status LowerBroadcastPair(
    Emitter& e, const isa::March& march, const BroadcastGrid& g, const BroadcastOperand (&ops)[2],
    const Buffer& y,
    const std::function<void(int64_t x, int64_t y, int64_t dst, int64_t pixels)>& compute) {
  const int64_t c = g.c;
  const int64_t pitch[3] = {Align16(c * ops[0].buf.esize()), Align16(c * ops[1].buf.esize()),
                            Align16(c * y.esize())};
  if (g.w * std::max({pitch[0], pitch[1], pitch[2]}) >= 65536) {
    return absl::UnimplementedError("a row pitch beyond the DMA's SRAM stride field");
  }
  absl::StatusOr<int64_t> rows =
      BroadcastTileRows(march, g, g.w * (pitch[0] + pitch[1] + pitch[2]));
  if (!rows.ok()) return rows.status();
  const int64_t tile[3] = {Align16(*rows * g.w * pitch[0]), Align16(*rows * g.w * pitch[1]),
                           Align16(*rows * g.w * pitch[2])};
  const int64_t total = g.n * g.h;
  int64_t step = 0;
  for (int64_t g0 = 0; g0 < total; g0 += *rows, ++step) {
    const int64_t r = std::min(*rows, total - g0);
    const int64_t a = (step % 2) * (tile[0] + tile[1] + tile[2]), b = a + tile[0],
                  out = b + tile[1];
    if (absl::Status st = LoadBroadcastRows(e, g, ops[0], g0, r, a); !st.ok()) return st;
    if (absl::Status st = LoadBroadcastRows(e, g, ops[1], g0, r, b); !st.ok()) return st;
    compute(a, b, out, r * g.w);
    e.StoreBox(y.region.c_str(), y.At(0, 0) + static_cast<uint64_t>(g0 * g.w * c * y.esize()), out,
               RowsOf(y, r, c));
  }
  return absl::OkStatus();
}

}  // namespace openbpu::backend
