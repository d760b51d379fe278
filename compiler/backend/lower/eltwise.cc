// Elementwise ops on the VAE: Add / Sub (vae.add, vae.sub, vae.add_b2), Mul (vae.mul, also with a
// per-channel [N, C, 1, 1] operand), the unary table ops (vae.lut8 for int8, vae.lut16 for
// int16), and Relu (vae.requant with the identity record and a zero floor). Pixels are processed
// in row tiles of the NHWC tensors; every operand tile sits in the feature SRAM.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/backend/lowering.h"
#include "compiler/ops/qparams.h"
#include "isa/records.h"

namespace openbpu::backend {
namespace {

// Rows per tile so that `operands` tiles of [rows][W][C] (each of its own pitch) fit the feature
// SRAM; their addresses.
struct Tiles {
  int64_t rows = 1;
  std::vector<int64_t> at;
};
absl::StatusOr<Tiles> PlanTiles(const isa::March& march, int64_t h, int64_t w,
                                const std::vector<int64_t>& pitches) {
  const int64_t sram = march.feature_sram_bytes.value;
  auto bytes = [&](int64_t rows) {
    int64_t total = 0;
    for (int64_t p : pitches) total += Align16(rows * w * p);
    return total;
  };
  Tiles t;
  t.rows = h;
  while (t.rows > 1 && (bytes(t.rows) > sram || t.rows * w > (1 << 20) - 1)) {
    t.rows = (t.rows + 1) / 2;
  }
  if (bytes(t.rows) > sram) return absl::ResourceExhaustedError("one row does not fit");
  int64_t at = 0;
  for (int64_t p : pitches) {
    t.at.push_back(at);
    at += Align16(t.rows * w * p);
  }
  return t;
}

// Add / Sub / Mul with any other numpy broadcast: both operands materialized in the output
// tile's [P][C] layout by stride-0 DMA (lower/broadcast.cc), then one VAE op per tile.
absl::Status LowerBroadcastBinary(const ir::Node& node, LowerContext& ctx, const Buffer& y,
                                  const std::string& opcode, const std::vector<uint8_t>& param) {
  Emitter& e = ctx.emit();
  absl::StatusOr<BroadcastGrid> g = BroadcastGridOf(node, y);
  if (!g.ok()) return g.status();
  BroadcastOperand ops[2];
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<BroadcastOperand> op = BroadcastOperandOf(node, ctx, i, g->out);
    if (!op.ok()) return op.status();
    ops[i] = *std::move(op);
  }
  e.LoadParams("weight", 0, e.AddParams(param), isa::kEltwiseParamBytes);
  const int64_t c = g->c;
  return LowerBroadcastPair(
      e, ctx.march(), *g, ops, y, [&](int64_t xa, int64_t ya, int64_t out, int64_t pixels) {
        e.Config(absl::StrCat("vae.cfg pixels=", pixels, " channels=", c, " x_dtype=",
                              AsmDType(ops[0].buf.dtype), " y_dtype=", AsmDType(ops[1].buf.dtype),
                              " out_dtype=", AsmDType(y.dtype), " y_bcast=0"));
        e.Data(absl::StrCat(opcode, " x=", xa, " y=", ya, " dst=", out, " param=0"),
               {Emitter::Read("feature", xa, pixels * Align16(c * ops[0].buf.esize())),
                Emitter::Read("feature", ya, pixels * Align16(c * ops[1].buf.esize())),
                Emitter::Read("weight", 0, isa::kEltwiseParamBytes),
                Emitter::Write("feature", out, pixels * Align16(c * y.esize()))});
      });
}

// Add, Sub, Mul: x = input 0, y = input 1 (same shape, or a per-channel [N, C, 1, 1] or
// single-element operand on either side, which becomes y with y_bcast = 1 / 2; any other
// broadcast through LowerBroadcastBinary).
absl::Status LowerBinary(const ir::Node& node, LowerContext& ctx) {
  Emitter& e = ctx.emit();
  absl::StatusOr<Buffer> a = ctx.BufferOf(node, node.input(0));
  if (!a.ok()) return a.status();
  absl::StatusOr<Buffer> b = ctx.BufferOf(node, node.input(1));
  if (!b.ok()) return b.status();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  // The broadcast operand (per-channel [N, C, 1...] or a single element) goes in the y field.
  // Swapping the fields swaps the numerics' inputs a and b: Mul is symmetric, and the add
  // formulas name their roles by input (x_input, feature_input), which flips with them.
  auto same = [&](const Buffer& u) {
    return u.n == y->n && u.h == y->h && u.w == y->w && u.c == y->c;
  };
  auto per_channel = [&](const Buffer& u) {
    return u.n == y->n && u.h == 1 && u.w == 1 && u.c == y->c;
  };
  auto scalar = [&](const Buffer& u) { return u.n * u.c * u.h * u.w == 1; };
  Buffer x = *a, other = *b;
  bool swapped = false;
  int bcast = 0;
  bool general = false;  // any other numpy broadcast: both operands materialized by DMA
  if (!same(*a) || !same(*b)) {
    if (same(*b) && !same(*a)) {
      std::swap(x, other);
      swapped = true;
    }
    if (!same(x)) {
      general = true;
    } else if (per_channel(other)) {
      bcast = 1;
    } else if (scalar(other)) {
      bcast = 2;
    } else {
      general = true;
    }
  }
  if (general) {  // operands in input order again: the records name them by input
    x = *a;
    other = *b;
    swapped = false;
  }
  std::vector<uint8_t> param(isa::kEltwiseParamBytes);
  std::string opcode;
  if (node.op() == "Mul") {
    absl::StatusOr<ops::qparams::Mul> p = ops::qparams::Load<ops::qparams::Mul>(node);
    if (!p.ok()) return p.status();
    isa::PackMul(p->params, param.data());
    opcode = "vae.mul";
  } else {
    absl::StatusOr<ops::qparams::Add> p = ops::qparams::Load<ops::qparams::Add>(node);
    if (!p.ok()) return p.status();
    if (auto* b2 = std::get_if<numerics::Bernoulli2AddParams>(&p->params)) {
      if (swapped) b2->feature_input ^= 1;
      isa::PackBernoulli2Add(*b2, param.data());
      opcode = "vae.add_b2";
    } else {
      auto& bayes = std::get<numerics::BayesAddParams>(p->params);
      if (swapped) bayes.x_input ^= 1;
      isa::PackBayesAdd(bayes, param.data());
      opcode = node.op() == "Sub" ? "vae.sub" : "vae.add";
    }
  }
  if (general) return LowerBroadcastBinary(node, ctx, *y, opcode, param);
  const int64_t c = y->c;
  absl::StatusOr<Tiles> t =
      PlanTiles(ctx.march(), y->h, y->w,
                {Align16(c * x.esize()), Align16(c * other.esize()), Align16(c * y->esize())});
  if (!t.ok()) return t.status();
  const uint64_t at = e.AddParams(param);
  e.LoadParams("weight", 0, at, isa::kEltwiseParamBytes);
  for (int64_t n = 0; n < y->n; ++n) {
    if (bcast == 1) e.LoadBox(other.region.c_str(), other.At(n, 0), t->at[1], RowsOf(other, 1, c));
    if (bcast == 2) e.LoadBox(other.region.c_str(), other.At(0, 0), t->at[1], RowsOf(other, 1, 1));
    for (int64_t r0 = 0; r0 < y->h; r0 += t->rows) {
      const int64_t r = std::min(t->rows, y->h - r0);
      const int64_t pixels = r * y->w;
      // Operands kept on chip are read and written in place (ISA 1.1 operand pitches).
      const OnChip xo = OnChipAt(e, x, n, r0);
      const OnChip oo = bcast ? OnChip{} : OnChipAt(e, other, n, r0);
      OnChip yo = OnChipAt(e, *y, n, r0);
      if (yo.pitch16 >= 1024) yo = OnChip{};  // vae.cfg dst_pitch has 10 bits
      const int64_t xa = xo.ok() ? xo.at : t->at[0], ya = oo.ok() ? oo.at : t->at[1];
      const int64_t da = yo.ok() ? yo.at : t->at[2];
      if (!xo.ok()) e.LoadBox(x.region.c_str(), x.At(n, r0), t->at[0], RowsOf(x, r, c));
      if (!bcast && !oo.ok()) {
        e.LoadBox(other.region.c_str(), other.At(n, r0), t->at[1], RowsOf(other, r, c));
      }
      e.Config(absl::StrCat("vae.cfg pixels=", pixels, " channels=", c,
                            " x_dtype=", AsmDType(x.dtype), " y_dtype=", AsmDType(other.dtype),
                            " out_dtype=", AsmDType(y->dtype), " y_bcast=", bcast, " ",
                            yo.ok() ? PitchField("dst_pitch", yo, c, y->esize()) : ""));
      e.Pitch("vae", absl::StrCat(xo.ok() ? PitchField("x_pitch", xo, c, x.esize()) : "", " ",
                                  oo.ok() ? PitchField("y_pitch", oo, c, other.esize()) : ""));
      for (const OnChip* o : {&xo, &oo}) {
        if (o->ok()) e.CountInPlaceRead();
      }
      e.Data(absl::StrCat(opcode, " x=", xa, " y=", ya, " dst=", da, " param=0"),
             {Emitter::Read(
                  "feature", xa,
                  xo.ok() ? xo.Span(pixels, c * x.esize()) : pixels * Align16(c * x.esize())),
              Emitter::Read("feature", ya,
                            oo.ok() ? oo.Span(pixels, c * other.esize())
                            : bcast ? Align16(c * other.esize())
                                    : pixels * Align16(c * other.esize())),
              Emitter::Read("weight", 0, isa::kEltwiseParamBytes),
              Emitter::Write(
                  "feature", da,
                  yo.ok() ? yo.Span(pixels, c * y->esize()) : pixels * Align16(c * y->esize()))});
      if (yo.ok()) {
        e.CountDirectWrite();
      } else {
        e.StoreBox(y->region.c_str(), y->At(n, r0), t->at[2], RowsOf(*y, r, c));
      }
    }
  }
  return absl::OkStatus();
}

// x -> y through one VAE instruction reading [rows][W][C] of x and writing the same of y.
absl::Status LowerUnaryTiles(LowerContext& ctx, const Buffer& x, const Buffer& y,
                             const Emitter::Access& table,
                             const std::function<std::string(int64_t x, int64_t dst)>& inst) {
  Emitter& e = ctx.emit();
  absl::StatusOr<Tiles> t =
      PlanTiles(ctx.march(), y.h, y.w, {Align16(x.c * x.esize()), Align16(y.c * y.esize())});
  if (!t.ok()) return t.status();
  for (int64_t n = 0; n < y.n; ++n) {
    for (int64_t r0 = 0; r0 < y.h; r0 += t->rows) {
      const int64_t r = std::min(t->rows, y.h - r0);
      const int64_t pixels = r * y.w;
      // Operands kept on chip are read and written in place (ISA 1.1 operand pitches).
      const OnChip xo = OnChipAt(e, x, n, r0);
      OnChip yo = OnChipAt(e, y, n, r0);
      if (yo.pitch16 >= 1024) yo = OnChip{};  // vae.cfg dst_pitch has 10 bits
      const int64_t xa = xo.ok() ? xo.at : t->at[0], da = yo.ok() ? yo.at : t->at[1];
      if (xo.ok()) {
        e.CountInPlaceRead();
      } else {
        e.LoadBox(x.region.c_str(), x.At(n, r0), t->at[0], RowsOf(x, r, x.c));
      }
      e.Config(absl::StrCat("vae.cfg pixels=", pixels, " channels=", y.c,
                            " x_dtype=", AsmDType(x.dtype), " out_dtype=", AsmDType(y.dtype), " ",
                            yo.ok() ? PitchField("dst_pitch", yo, y.c, y.esize()) : ""));
      if (xo.ok()) e.Pitch("vae", PitchField("x_pitch", xo, x.c, x.esize()));
      e.Data(inst(xa, da), {Emitter::Read("feature", xa,
                                          xo.ok() ? xo.Span(pixels, x.c * x.esize())
                                                  : pixels * Align16(x.c * x.esize())),
                            table,
                            Emitter::Write("feature", da,
                                           yo.ok() ? yo.Span(pixels, y.c * y.esize())
                                                   : pixels * Align16(y.c * y.esize()))});
      if (yo.ok()) {
        e.CountDirectWrite();
      } else {
        e.StoreBox(y.region.c_str(), y.At(n, r0), t->at[1], RowsOf(y, r, y.c));
      }
    }
  }
  return absl::OkStatus();
}

// A table op between int8 and int16 (mixed precision: an Erf quantized to int16 after an int8
// Div, or back) on the int16 SegmentLUT, with vae.requant's identity record (2^30, shift 30:
// exact, saturating) on the int8 side. int8 -> int16: s8 -> s16, then a SegmentLUT that holds the
// op's 256-entry int8 table exactly (four 64-entry table segments over [-128, 127], one input
// step per entry, no interpolation). int16 -> int8: the op's own SegmentLUT, then s16 -> s8,
// saturating as the reference does.
absl::Status LowerMixedTable(LowerContext& ctx, const Buffer& x, const Buffer& y,
                             const ops::qparams::Table& table) {
  if (!ctx.march().int16_activations.value) {
    return absl::UnimplementedError(
        absl::StrCat("an int16 table on ", ctx.march().name, " (no int16 activations)"));
  }
  numerics::SegmentLut lut;
  const bool widen = x.dtype == DType::kInt8;
  if (widen) {
    if (table.lut.size() != 256) return absl::InvalidArgumentError("an int8 table of 256 entries");
    auto& seg = lut.record.segments;
    seg[0].upper = -129;  // below every int8 input
    for (int k = 1; k <= 4; ++k) {
      seg[k].upper = static_cast<int16_t>(-129 + 64 * k);  // origin -128 + 64 (k - 1)
      seg[k].slope = 256;                                  // index = x - origin, fraction 0
    }
    seg[5].upper = 128;  // above every int8 input
    seg[6].upper = 129;
    seg[7].upper = 32767;
    for (int i = 0; i < 256; ++i) {
      const int32_t v = table.lut[static_cast<size_t>(i)];
      if (v < INT16_MIN || v > INT16_MAX) return absl::InvalidArgumentError("table beyond int16");
      lut.tables[static_cast<size_t>(i)] = static_cast<int16_t>(v);
    }
  } else if (table.segment) {
    lut = *table.segment;
  } else {
    return absl::InvalidArgumentError("an int16 table without its SegmentLUT");
  }
  Emitter& e = ctx.emit();
  const std::vector<uint8_t> image = isa::PackSegmentLutImage(lut);
  e.LoadParams("lut", 0, e.AddParams(image),
               static_cast<uint64_t>(Align16(static_cast<int64_t>(image.size()))));
  std::vector<uint8_t> params(static_cast<size_t>(y.c * isa::kRequantParamBytes));
  for (int64_t c = 0; c < y.c; ++c) {
    isa::RequantParam p;
    p.acc = {1 << 30, 30};
    isa::PackRequantParam(p, params.data() + c * isa::kRequantParamBytes);
  }
  e.LoadParams("weight", 0, e.AddParams(params), params.size());
  const int64_t c = y.c;
  const int64_t xp = Align16(c * x.esize()), mp = Align16(c * 2), yp = Align16(c * y.esize());
  absl::StatusOr<Tiles> t = PlanTiles(ctx.march(), y.h, y.w, {xp, mp, yp});
  if (!t.ok()) return t.status();
  const Emitter::Access lut_read = Emitter::Read("lut", 0, static_cast<int64_t>(image.size()));
  const Emitter::Access param_read =
      Emitter::Read("weight", 0, static_cast<int64_t>(params.size()));
  for (int64_t n = 0; n < y.n; ++n) {
    for (int64_t r0 = 0; r0 < y.h; r0 += t->rows) {
      const int64_t r = std::min(t->rows, y.h - r0);
      const int64_t pixels = r * y.w;
      e.LoadBox(x.region.c_str(), x.At(n, r0), t->at[0], RowsOf(x, r, c));
      // Step one: x -> mid (s16); step two: mid -> y.
      const std::string cfg = absl::StrCat("vae.cfg pixels=", pixels, " channels=", c);
      e.Config(absl::StrCat(cfg, " x_dtype=", AsmDType(x.dtype), " out_dtype=s16"));
      std::vector<Emitter::Access> one = {Emitter::Read("feature", t->at[0], pixels * xp),
                                          widen ? param_read : lut_read,
                                          Emitter::Write("feature", t->at[1], pixels * mp)};
      e.Data(widen ? absl::StrCat("vae.requant src=", t->at[0], " dst=", t->at[1], " param=0")
                   : absl::StrCat("vae.lut16 x=", t->at[0], " dst=", t->at[1], " table=0"),
             std::move(one));
      e.Config(absl::StrCat(cfg, " x_dtype=s16 out_dtype=", AsmDType(y.dtype)));
      std::vector<Emitter::Access> two = {Emitter::Read("feature", t->at[1], pixels * mp),
                                          widen ? lut_read : param_read,
                                          Emitter::Write("feature", t->at[2], pixels * yp)};
      e.Data(widen ? absl::StrCat("vae.lut16 x=", t->at[1], " dst=", t->at[2], " table=0")
                   : absl::StrCat("vae.requant src=", t->at[1], " dst=", t->at[2], " param=0"),
             std::move(two));
      e.StoreBox(y.region.c_str(), y.At(n, r0), t->at[2], RowsOf(y, r, c));
    }
  }
  return absl::OkStatus();
}

// The unary table ops: int8 -> int8 through vae.lut8, int16 -> int16 through vae.lut16, int8 <->
// int16 by LowerMixedTable.
absl::Status LowerTable(const ir::Node& node, LowerContext& ctx) {
  absl::StatusOr<Buffer> x = ctx.BufferOf(node, node.input(0));
  if (!x.ok()) return x.status();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  std::vector<uint8_t> image;
  std::string opcode;
  if (ops::qparams::Has<ops::qparams::NormTable>(node)) {  // int16 Reciprocal / Sqrt / Log
    absl::StatusOr<ops::qparams::NormTable> p = ops::qparams::Load<ops::qparams::NormTable>(node);
    if (!p.ok()) return p.status();
    image = isa::PackNormTableImage(p->function, p->table.record, p->table.log_offset,
                                    p->table.entries);
    opcode = p->function == isa::NormFunction::kReciprocal ? "vae.recip"
             : p->function == isa::NormFunction::kSqrt     ? "vae.sqrt"
                                                           : "vae.log";
  } else if (!ops::qparams::Has<ops::qparams::Table>(node)) {
    return absl::UnimplementedError(
        "int16 Ceil / Floor have no instruction yet (ISA 1.0 has no exact int16 rounding)");
  } else {
    absl::StatusOr<ops::qparams::Table> table = ops::qparams::Load<ops::qparams::Table>(node);
    if (!table.ok()) return table.status();
    if (x->dtype == DType::kInt8 && y->dtype == DType::kInt8 && !table->lut.empty()) {
      for (int32_t v : table->lut) image.push_back(static_cast<uint8_t>(static_cast<int8_t>(v)));
      opcode = "vae.lut8";
    } else if (x->dtype == DType::kInt16 && y->dtype == DType::kInt16 && table->segment) {
      image = isa::PackSegmentLutImage(*table->segment);
      opcode = "vae.lut16";
    } else if ((x->dtype == DType::kInt8 && y->dtype == DType::kInt16) ||
               (x->dtype == DType::kInt16 && y->dtype == DType::kInt8)) {
      return LowerMixedTable(ctx, *x, *y, *table);
    } else {
      return absl::UnimplementedError(
          absl::StrCat("a table from ", DTypeName(x->dtype), " to ", DTypeName(y->dtype)));
    }
  }
  Emitter& e = ctx.emit();
  const uint64_t at = e.AddParams(image);
  e.LoadParams("lut", 0, at, static_cast<uint64_t>(Align16(static_cast<int64_t>(image.size()))));
  return LowerUnaryTiles(ctx, *x, *y, Emitter::Read("lut", 0, static_cast<int64_t>(image.size())),
                         [&](int64_t xa, int64_t da) {
                           return absl::StrCat(opcode, " x=", xa, " dst=", da, " table=0");
                         });
}

// Relu and Clip on the input's grid: vae.requant of s8/s16 x with the identity record (2^30,
// shift 30) and the clamp (Relu: a floor of 0; Clip: its quantized bounds) — exact.
absl::Status LowerRelu(const ir::Node& node, LowerContext& ctx) {
  absl::StatusOr<Buffer> x = ctx.BufferOf(node, node.input(0));
  if (!x.ok()) return x.status();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  if (x->dtype != y->dtype) return absl::InvalidArgumentError("Relu changes the dtype");
  int32_t lo = 0, hi = INT32_MAX;
  if (node.op() == "Clip") {
    absl::StatusOr<ops::qparams::Clip> clip = ops::qparams::Load<ops::qparams::Clip>(node);
    if (!clip.ok()) return clip.status();
    lo = clip->min.value_or(INT32_MIN);
    hi = clip->max.value_or(INT32_MAX);
    // ONNX: max(x, min) first, then min(., max), so min > max gives max everywhere.
    if (lo > hi) lo = hi;
  }
  std::vector<uint8_t> params(static_cast<size_t>(y->c * isa::kRequantParamBytes));
  for (int64_t c = 0; c < y->c; ++c) {
    isa::RequantParam p;
    p.acc = {1 << 30, 30};
    p.lo = lo;
    p.hi = hi;
    isa::PackRequantParam(p, params.data() + c * isa::kRequantParamBytes);
  }
  Emitter& e = ctx.emit();
  const uint64_t at = e.AddParams(params);
  e.LoadParams("weight", 0, at, params.size());
  return LowerUnaryTiles(ctx, *x, *y,
                         Emitter::Read("weight", 0, static_cast<int64_t>(params.size())),
                         [](int64_t xa, int64_t da) {
                           return absl::StrCat("vae.requant src=", xa, " dst=", da, " param=0");
                         });
}

OPENBPU_REGISTER_LOWERING(Add, "Add", LowerBinary);
OPENBPU_REGISTER_LOWERING(Sub, "Sub", LowerBinary);
OPENBPU_REGISTER_LOWERING(Mul, "Mul", LowerBinary);
OPENBPU_REGISTER_LOWERING(Relu, "Relu", LowerRelu);
OPENBPU_REGISTER_LOWERING(Clip, "Clip", LowerRelu);
OPENBPU_REGISTER_LOWERING(Sigmoid, "Sigmoid", LowerTable);
OPENBPU_REGISTER_LOWERING(SiLU, "SiLU", LowerTable);
OPENBPU_REGISTER_LOWERING(Tanh, "Tanh", LowerTable);
OPENBPU_REGISTER_LOWERING(Exp, "Exp", LowerTable);
OPENBPU_REGISTER_LOWERING(Sin, "Sin", LowerTable);
OPENBPU_REGISTER_LOWERING(Cos, "Cos", LowerTable);
OPENBPU_REGISTER_LOWERING(Atan, "Atan", LowerTable);
OPENBPU_REGISTER_LOWERING(Erf, "Erf", LowerTable);
OPENBPU_REGISTER_LOWERING(Softplus, "Softplus", LowerTable);
OPENBPU_REGISTER_LOWERING(Elu, "Elu", LowerTable);
OPENBPU_REGISTER_LOWERING(HardSigmoid, "HardSigmoid", LowerTable);
OPENBPU_REGISTER_LOWERING(HardSwish, "HardSwish", LowerTable);
OPENBPU_REGISTER_LOWERING(Pow, "Pow", LowerTable);
OPENBPU_REGISTER_LOWERING(Reciprocal, "Reciprocal", LowerTable);
OPENBPU_REGISTER_LOWERING(Sqrt, "Sqrt", LowerTable);
OPENBPU_REGISTER_LOWERING(Log, "Log", LowerTable);
OPENBPU_REGISTER_LOWERING(Ceil, "Ceil", LowerTable);
OPENBPU_REGISTER_LOWERING(Floor, "Floor", LowerTable);

}  // namespace
}  // namespace openbpu::backend
