// Resize on the AAE: nearest (aae.resize_nearest, an exact gather) and linear (aae.resize_linear,
// Q16 taps and the node's qparams::Resize record) of H and W for rank-3/4 inputs (N and C kept).
// Output rows are tiled to fit the feature SRAM; each tile loads the input rows its taps read and
// gets its own table (row indices rebased to the loaded rows), so the tile computes exactly what
// numerics::ResizeNearestCopy / numerics::ResizeLinear compute on the whole tensor.
#include "isa/numerics/resize.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/kernels/resize.h"
#include "compiler/backend/lowering.h"
#include "compiler/ops/qparams.h"
#include "isa/records.h"

namespace openbpu::backend {
namespace {

using numerics::LinearTap;
using numerics::NearestMode;
using numerics::ResizeCoordinateMode;

// Enum values in the same order in common/kernels/resize.h and isa/numerics/resize.h.
#define OPENBPU_SAME_ENUM(a, b) static_assert(static_cast<int>(a) == static_cast<int>(b))
OPENBPU_SAME_ENUM(kernels::ResizeCoordinates::kHalfPixel, ResizeCoordinateMode::kHalfPixel);
OPENBPU_SAME_ENUM(kernels::ResizeCoordinates::kHalfPixelSymmetric,
                  ResizeCoordinateMode::kHalfPixelSymmetric);
OPENBPU_SAME_ENUM(kernels::ResizeCoordinates::kPytorchHalfPixel,
                  ResizeCoordinateMode::kPytorchHalfPixel);
OPENBPU_SAME_ENUM(kernels::ResizeCoordinates::kAlignCorners, ResizeCoordinateMode::kAlignCorners);
OPENBPU_SAME_ENUM(kernels::ResizeCoordinates::kAsymmetric, ResizeCoordinateMode::kAsymmetric);
OPENBPU_SAME_ENUM(kernels::ResizeCoordinates::kTfHalfPixelForNearest,
                  ResizeCoordinateMode::kTfHalfPixelForNearest);
OPENBPU_SAME_ENUM(kernels::NearestRounding::kRoundPreferFloor, NearestMode::kRoundPreferFloor);
OPENBPU_SAME_ENUM(kernels::NearestRounding::kRoundPreferCeil, NearestMode::kRoundPreferCeil);
OPENBPU_SAME_ENUM(kernels::NearestRounding::kFloor, NearestMode::kFloor);
OPENBPU_SAME_ENUM(kernels::NearestRounding::kCeil, NearestMode::kCeil);
#undef OPENBPU_SAME_ENUM

// Stands for a scales / sizes input that is not a constant.
const Tensor kNotConstant;

struct ResizeSpec {
  bool linear = false;
  ResizeCoordinateMode coordinates = ResizeCoordinateMode::kHalfPixel;
  NearestMode rounding = NearestMode::kRoundPreferFloor;
  std::vector<double> scales;  // per dimension (1 where not resized)
};

// The attributes and scales as the op's float kernel reads them (common/kernels/resize.h, one
// parse for the reference, the runtime and the back end), in the integer primitives' enums (same
// order). Scales or sizes must be constant.
absl::StatusOr<ResizeSpec> ReadSpec(const ir::Node& node) {
  absl::StatusOr<kernels::ResizeAttrs> attrs = kernels::ParseResizeAttrs(node.attrs());
  if (!attrs.ok()) return attrs.status();
  auto given = [&](int i) -> const Tensor* {
    if (node.num_inputs() <= i || node.input(i) == nullptr) return nullptr;
    if (!node.input(i)->is_constant()) return &kNotConstant;
    return &node.input(i)->constant();
  };
  const Tensor* scales = given(2);
  const Tensor* sizes = given(3);
  if (scales == &kNotConstant || sizes == &kNotConstant) {
    return absl::UnimplementedError("resize without constant scales or sizes");
  }
  absl::StatusOr<kernels::ResizePlan> plan =
      kernels::PlanResize(node.attrs(), node.input(0)->type().shape, scales, sizes);
  if (!plan.ok()) return plan.status();
  ResizeSpec s;
  s.linear = attrs->linear;
  s.coordinates = static_cast<ResizeCoordinateMode>(attrs->coordinates);
  s.rounding = static_cast<NearestMode>(attrs->rounding);
  s.scales = plan->scales;
  return s;
}

// Per output row of a tile: the input rows it reads.
struct RowTile {
  int64_t o0 = 0, rows = 0;  // output rows [o0, o0 + rows)
  int64_t lo = 0, hi = 0;    // input rows [lo, hi]
};

absl::Status LowerResize(const ir::Node& node, LowerContext& ctx) {
  Emitter& e = ctx.emit();
  absl::StatusOr<Buffer> x = ctx.BufferOf(node, node.input(0));
  if (!x.ok()) return x.status();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  const Shape& in_shape = node.input(0)->type().shape;
  const Shape& out_shape = node.output(0)->type().shape;
  const int rank = static_cast<int>(in_shape.size());
  if ((rank != 3 && rank != 4) || out_shape.size() != in_shape.size()) {
    return absl::UnimplementedError("resize of a rank other than 3 or 4");
  }
  absl::StatusOr<ResizeSpec> spec = ReadSpec(node);
  if (!spec.ok()) return spec.status();
  // Per dimension of the ONNX shape: the nearest index table or the linear taps. N and C must
  // map every index to itself (the AAE resizes H and W only).
  std::vector<std::vector<int64_t>> nearest(static_cast<size_t>(rank));
  std::vector<std::vector<LinearTap>> taps(static_cast<size_t>(rank));
  for (int d = 0; d < rank; ++d) {
    const size_t k = static_cast<size_t>(d);
    if (spec->linear) {
      taps[k] =
          numerics::LinearTapTable(spec->coordinates, in_shape[k], out_shape[k], spec->scales[k]);
    } else {
      nearest[k] = numerics::NearestIndexTable(spec->coordinates, spec->rounding, in_shape[k],
                                               out_shape[k], spec->scales[k]);
    }
    if (d >= 2) continue;
    bool identity = in_shape[k] == out_shape[k];
    for (int64_t o = 0; identity && o < out_shape[k]; ++o) {
      identity = spec->linear ? taps[k][o].i0 == o && taps[k][o].w1 == 0 : nearest[k][o] == o;
    }
    if (!identity) return absl::UnimplementedError("resize of the N or C dimension");
  }
  // H and W tables ([0]: rows, [1]: columns); rank 3 has one row.
  std::vector<int64_t> near_rows = {0}, near_cols;
  std::vector<LinearTap> lin_rows = {LinearTap{}}, lin_cols;
  if (spec->linear) {
    if (rank == 4) lin_rows = taps[2];
    lin_cols = taps[static_cast<size_t>(rank - 1)];
  } else {
    if (rank == 4) near_rows = nearest[2];
    near_cols = nearest[static_cast<size_t>(rank - 1)];
  }
  const int64_t oh = y->h, ow = y->w, c = x->c;
  if (x->h > 16383 || x->w > 16383 || oh > 16383 || ow > 16383 || c > 16383) {
    return absl::UnimplementedError("a resize dimension above 16383");
  }
  if (x->n != y->n || x->c != y->c) return absl::InvalidArgumentError("N or C changed");
  numerics::RequantizeRecord record;
  bool rows_interpolated = false;
  if (spec->linear) {
    absl::StatusOr<ops::qparams::Resize> p = ops::qparams::Load<ops::qparams::Resize>(node);
    if (!p.ok()) return p.status();
    const int dims =
        (numerics::IsInterpolated(lin_rows) ? 1 : 0) + (numerics::IsInterpolated(lin_cols) ? 1 : 0);
    if (numerics::kResizeWeightBits * dims != p->weight_frac_bits) {
      return absl::InvalidArgumentError("weight_frac_bits does not match the interpolated dims");
    }
    rows_interpolated = numerics::IsInterpolated(lin_rows);
    record = p->output;
  }
  if (!spec->linear && x->dtype != y->dtype) {
    return absl::InvalidArgumentError("nearest resize changes the dtype");
  }
  auto row_span = [&](int64_t o) -> std::pair<int64_t, int64_t> {
    if (!spec->linear) return {near_rows[o], near_rows[o]};
    const LinearTap& t = lin_rows[o];
    return {std::min(t.i0, t.i1), std::max(t.i0, t.i1)};
  };
  auto plan = [&](int64_t rows) {
    std::vector<RowTile> tiles;
    for (int64_t o0 = 0; o0 < oh; o0 += rows) {
      RowTile t;
      t.o0 = o0;
      t.rows = std::min(rows, oh - o0);
      t.lo = INT64_MAX;
      t.hi = -1;
      for (int64_t o = o0; o < o0 + t.rows; ++o) {
        const auto [a, b] = row_span(o);
        t.lo = std::min(t.lo, a);
        t.hi = std::max(t.hi, b);
      }
      tiles.push_back(t);
    }
    return tiles;
  };
  // Two buffer sets (tile t uses set t % 2), each an input tile then an output tile.
  const int64_t in_pitch = Align16(c * x->esize()), out_pitch = Align16(c * y->esize());
  const int64_t half = ctx.march().feature_sram_bytes.value / 2 / 16 * 16;
  const int64_t tap_bytes = spec->linear ? isa::kLinearTapBytes : 4;
  const int64_t head_bytes = spec->linear ? isa::kResizeHeaderBytes : 0;
  const int64_t weight_half = ctx.march().weight_sram_bytes.value / 2 / 16 * 16;
  auto fits = [&](const std::vector<RowTile>& tiles) {
    for (const RowTile& t : tiles) {
      const int64_t in_rows = t.hi - t.lo + 1;
      if (in_rows > 16383 || Align16(in_rows * x->w * in_pitch) + t.rows * ow * out_pitch > half ||
          Align16(head_bytes + (t.rows + ow) * tap_bytes) > weight_half) {
        return false;
      }
    }
    return true;
  };
  int64_t rows = oh;
  std::vector<RowTile> tiles = plan(rows);
  while (rows > 1 && !fits(tiles)) {
    rows = (rows + 1) / 2;
    tiles = plan(rows);
  }
  if (!fits(tiles)) return absl::ResourceExhaustedError("one resize output row does not fit");
  // One table per tile (the same for every image).
  std::vector<uint64_t> table_at;
  std::vector<int64_t> table_bytes;
  for (const RowTile& t : tiles) {
    std::vector<uint8_t> table;
    if (spec->linear) {
      std::vector<LinearTap> r(lin_rows.begin() + t.o0, lin_rows.begin() + t.o0 + t.rows);
      for (LinearTap& tap : r) {
        tap.i0 -= t.lo;
        tap.i1 -= t.lo;
      }
      // A tile whose rows all fall on input rows still weighs them by 2^16 when the whole
      // tensor's rows are interpolated (the record carries 16 more fractional bits):
      // (2^16 - 1) q + 1 q is exact.
      if (rows_interpolated && !numerics::IsInterpolated(r)) r[0] = {r[0].i0, r[0].i0, 1};
      table = isa::PackResizeLinearTable(record, r, lin_cols);
    } else {
      std::vector<int64_t> r(near_rows.begin() + t.o0, near_rows.begin() + t.o0 + t.rows);
      for (int64_t& i : r) i -= t.lo;
      table = isa::PackResizeNearestTable(r, near_cols);
    }
    table_bytes.push_back(static_cast<int64_t>(table.size()));
    table_at.push_back(e.AddParams(table));
  }
  int64_t step = 0;
  for (int64_t n = 0; n < y->n; ++n) {
    for (size_t k = 0; k < tiles.size(); ++k, ++step) {
      const RowTile& t = tiles[k];
      const int64_t set = step % 2;
      const int64_t src = set * half;
      const int64_t in_rows = t.hi - t.lo + 1;
      const int64_t dst = src + Align16(in_rows * x->w * in_pitch);
      const int64_t table = set * weight_half;
      e.LoadParams("weight", static_cast<uint64_t>(table), table_at[k],
                   static_cast<uint64_t>(Align16(table_bytes[k])));
      // Operands kept on chip are read and written in place (ISA 1.1 aae.pitch): the input rows
      // of the tile, and the output rows (a concat's channel slice when written in place).
      const OnChip xo = OnChipAt(e, *x, n, t.lo), yo = OnChipAt(e, *y, n, t.o0);
      const int64_t src_at = xo.ok() ? xo.at : src, dst_at = yo.ok() ? yo.at : dst;
      if (xo.ok()) {
        e.CountInPlaceRead();
      } else {
        e.LoadBox(x->region.c_str(), x->At(n, t.lo), src, RowsOf(*x, in_rows, c));
      }
      e.Config(absl::StrCat("aae.tile in_h=", in_rows, " in_w=", x->w, " channels=", c,
                            " out_h=", t.rows, " out_w=", ow, " in_dtype=", AsmDType(x->dtype),
                            " out_dtype=", AsmDType(y->dtype)));
      e.Pitch("aae", absl::StrCat(xo.ok() ? PitchField("src_pitch", xo, c, x->esize()) : "", " ",
                                  yo.ok() ? PitchField("dst_pitch", yo, c, y->esize()) : ""));
      e.Data(absl::StrCat(spec->linear ? "aae.resize_linear" : "aae.resize_nearest",
                          " src=", src_at, " dst=", dst_at, " table=", table),
             {Emitter::Read(
                  "feature", src_at,
                  xo.ok() ? xo.Span(in_rows * x->w, c * x->esize()) : in_rows * x->w * in_pitch),
              Emitter::Read("weight", table, table_bytes[k]),
              Emitter::Write(
                  "feature", dst_at,
                  yo.ok() ? yo.Span(t.rows * ow, c * y->esize()) : t.rows * ow * out_pitch)});
      if (yo.ok()) {
        e.CountDirectWrite();
      } else {
        e.StoreBox(y->region.c_str(), y->At(n, t.o0), dst, RowsOf(*y, t.rows, c));
      }
    }
  }
  return absl::OkStatus();
}

OPENBPU_REGISTER_LOWERING(Resize, "Resize", LowerResize);

}  // namespace
}  // namespace openbpu::backend
