// Int8 -> int8 elementwise unary ops without a table of their own (Abs, LeakyRelu, PRelu) on
// vae.lut8. For an int8 input each output is a function of the input byte alone (per channel for
// PRelu's per-channel slopes), so the table is built by running the op's own integer kernel (its
// qkernel) on all 256 int8 values: bit-exact with the quantized reference by construction.
//
// One table (Abs, LeakyRelu, a single-element PRelu slope): row tiles of the NHWC tensor, as the
// table ops of eltwise.cc. One table per channel (PRelu with a slope along the channel axis):
// pixel tiles loaded channel-major ([C][P], each channel's P pixels contiguous, by an
// element-strided DMA), one vae.lut8 per channel with that channel's table, stored back the same
// way. int16 inputs have no exact table instruction (vae.lut16 is a segment LUT): Unimplemented.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/tensor.h"
#include "compiler/backend/lowering.h"
#include "compiler/ir/op_registry.h"

namespace openbpu::backend {
namespace {

constexpr int64_t kTableBytes = 256;

// The op's integer kernel on every int8 value: `channels` tables of 256 bytes (table c, entry
// q + 128), channel c being the index along dimension 1 of the input.
absl::StatusOr<std::vector<uint8_t>> BuildTables(const ir::Node& node, int64_t channels) {
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node.op());
  if (schema == nullptr || !schema->qkernel) {
    return absl::InternalError(absl::StrCat(node.op(), " has no integer kernel"));
  }
  const Shape& xs = node.input(0)->type().shape;
  // [256, 1, C, 1, ...]: the 256 values times x's rank with only the channel axis kept, so a
  // slope broadcasting to x broadcasts to it.
  Shape shape = {kTableBytes};
  for (size_t d = 0; d < xs.size(); ++d) shape.push_back(d == 1 ? channels : 1);
  Tensor x(DType::kInt8, shape);
  for (int64_t v = 0; v < kTableBytes; ++v) {
    for (int64_t c = 0; c < channels; ++c) {
      x.data<int8_t>()[v * channels + c] = static_cast<int8_t>(v - 128);
    }
  }
  std::vector<const Tensor*> inputs = {&x};
  for (int i = 1; i < node.num_inputs(); ++i) {
    const ir::Value* v = node.input(i);
    if (v != nullptr && !v->is_constant()) {
      return absl::UnimplementedError(absl::StrCat(node.op(), " with a run-time input ", i));
    }
    inputs.push_back(v == nullptr ? nullptr : &v->constant());
  }
  std::vector<Tensor> outputs;
  if (absl::Status st = schema->qkernel(node, inputs, outputs); !st.ok()) return st;
  if (outputs.size() != 1 || outputs[0].dtype() != DType::kInt8 ||
      outputs[0].num_elements() != kTableBytes * channels) {
    return absl::InternalError(absl::StrCat(node.op(), ": unexpected table kernel output"));
  }
  std::vector<uint8_t> tables(static_cast<size_t>(kTableBytes * channels));
  for (int64_t v = 0; v < kTableBytes; ++v) {
    for (int64_t c = 0; c < channels; ++c) {
      tables[static_cast<size_t>(c * kTableBytes + v)] =
          static_cast<uint8_t>(outputs[0].data<int8_t>()[v * channels + c]);
    }
  }
  return tables;
}

// How many distinct per-element functions the op has: 1, or the channel count when a PRelu slope
// varies along the channel axis (dimension 1) only. Unimplemented for other slope shapes.
absl::StatusOr<int64_t> TableChannels(const ir::Node& node) {
  if (node.op() != "PRelu") return 1;
  const Shape& xs = node.input(0)->type().shape;
  const Shape& ss = node.input(1)->type().shape;
  int64_t n = 1;
  for (int64_t d : ss) n *= d;
  if (n == 1) return 1;
  // Slope dimension j aligns with x dimension j + (rank x - rank slope).
  const int64_t off = static_cast<int64_t>(xs.size()) - static_cast<int64_t>(ss.size());
  for (size_t j = 0; j < ss.size(); ++j) {
    if (ss[j] != 1 && static_cast<int64_t>(j) + off != 1) {
      return absl::UnimplementedError("a PRelu slope varying along an axis other than channels");
    }
  }
  return xs[1];
}

// One table for every element: row tiles of [rows][W][C] through vae.lut8 (as eltwise.cc).
absl::Status LowerOneTable(LowerContext& ctx, const Buffer& x, const Buffer& y,
                           const std::vector<uint8_t>& table) {
  Emitter& e = ctx.emit();
  const int64_t sram = ctx.march().feature_sram_bytes.value;
  const int64_t pitch = Align16(x.c);
  int64_t rows = y.h;
  auto bytes = [&](int64_t r) { return 2 * Align16(r * y.w * pitch); };
  while (rows > 1 && (bytes(rows) > sram || rows * y.w > (1 << 20) - 1)) rows = (rows + 1) / 2;
  if (bytes(rows) > sram || rows * y.w > (1 << 20) - 1) {
    return absl::ResourceExhaustedError("one row does not fit the feature SRAM");
  }
  const int64_t in_at = 0, out_at = Align16(rows * y.w * pitch);
  e.LoadParams("lut", 0, e.AddParams(table), kTableBytes);
  for (int64_t n = 0; n < y.n; ++n) {
    for (int64_t r0 = 0; r0 < y.h; r0 += rows) {
      const int64_t r = std::min(rows, y.h - r0);
      const int64_t pixels = r * y.w;
      e.LoadBox(x.region.c_str(), x.At(n, r0), in_at, RowsOf(x, r, x.c));
      e.Config(
          absl::StrCat("vae.cfg pixels=", pixels, " channels=", y.c, " x_dtype=s8 out_dtype=s8"));
      e.Data(absl::StrCat("vae.lut8 x=", in_at, " dst=", out_at, " table=0"),
             {Emitter::Read("feature", in_at, pixels * pitch), Emitter::Read("lut", 0, kTableBytes),
              Emitter::Write("feature", out_at, pixels * pitch)});
      e.StoreBox(y.region.c_str(), y.At(n, r0), out_at, RowsOf(y, r, y.c));
    }
  }
  return absl::OkStatus();
}

// A channel-major [cg][P] tile (row pitch align16(P)) of channels [c0, c0 + cg) and pixels
// [p0, p0 + P) of an NHWC buffer (pixel stride C bytes: the N*H*W pixels are evenly spaced), by an
// element-strided DMA in either direction.
void ChannelMajorCopy(Emitter& e, bool load, const Buffer& b, int64_t p0, int64_t pixels,
                      int64_t c0, int64_t cg, int64_t sram) {
  const char* unit = load ? "load" : "store";
  e.Config(absl::StrCat(unit, ".shape elem=1 n0=1 n1=", pixels, " n2=", cg));
  e.Config(
      absl::StrCat(unit, ".stride ddr_s1=", b.c, " ddr_s2=1 sram_s1=1 sram_s2=", Align16(pixels)));
  const uint64_t offset = b.offset + static_cast<uint64_t>(p0 * b.c + c0);
  const int64_t ddr_bytes = (pixels - 1) * b.c + cg;
  const int64_t sram_bytes = cg * Align16(pixels);
  std::vector<Emitter::Access> acc;
  if (b.region != "param") {
    acc.push_back(load ? Emitter::Read(absl::StrCat("ddr:", b.region), static_cast<int64_t>(offset),
                                       ddr_bytes)
                       : Emitter::Write(absl::StrCat("ddr:", b.region),
                                        static_cast<int64_t>(offset), ddr_bytes));
  }
  acc.push_back(load ? Emitter::Write("feature", sram, sram_bytes)
                     : Emitter::Read("feature", sram, sram_bytes));
  if (load) {
    e.Data(
        absl::StrCat("load dst_space=feature dst=", sram, " region=", b.region, " offset=", offset),
        std::move(acc));
  } else {
    e.Data(absl::StrCat("store src_space=feature src=", sram, " region=", b.region,
                        " offset=", offset),
           std::move(acc));
  }
}

// One table per channel: channel groups whose tables fit the LUT SRAM; per group, pixel tiles
// loaded channel-major, one vae.lut8 per channel.
absl::Status LowerPerChannel(LowerContext& ctx, const Buffer& x, const Buffer& y,
                             const std::vector<uint8_t>& tables) {
  Emitter& e = ctx.emit();
  const isa::March& march = ctx.march();
  const int64_t c = y.c, total = y.n * y.h * y.w;
  const int64_t cg_max = std::min<int64_t>({c, march.lut_sram_bytes.value / kTableBytes, 16383});
  if (cg_max < 1) return absl::ResourceExhaustedError("no table fits the LUT SRAM");
  const int64_t sram = march.feature_sram_bytes.value;
  // Pixels per tile: input and output [cg][align16(P)] in the feature SRAM; P within the DMA's
  // 14-bit counts and vae.cfg's 14-bit channel field (a channel's pixels are one VAE row).
  int64_t pixels = std::min<int64_t>(total, 16368);
  while (pixels > 16 && 2 * cg_max * Align16(pixels) > sram) pixels = (pixels + 1) / 2;
  if (2 * cg_max * Align16(pixels) > sram) {
    return absl::ResourceExhaustedError("a channel group does not fit the feature SRAM");
  }
  const int64_t out_at = cg_max * Align16(pixels);
  const uint64_t blob = e.AddParams(tables);
  for (int64_t c0 = 0; c0 < c; c0 += cg_max) {
    const int64_t cg = std::min(cg_max, c - c0);
    e.LoadParams("lut", 0, blob + static_cast<uint64_t>(c0 * kTableBytes),
                 static_cast<uint64_t>(cg * kTableBytes));
    for (int64_t p0 = 0; p0 < total; p0 += pixels) {
      const int64_t p = std::min(pixels, total - p0);
      const int64_t row = Align16(p);
      ChannelMajorCopy(e, true, x, p0, p, c0, cg, 0);
      e.Config(absl::StrCat("vae.cfg pixels=1 channels=", p, " x_dtype=s8 out_dtype=s8"));
      for (int64_t j = 0; j < cg; ++j) {
        e.Data(absl::StrCat("vae.lut8 x=", j * row, " dst=", out_at + j * row,
                            " table=", j * kTableBytes),
               {Emitter::Read("feature", j * row, row),
                Emitter::Read("lut", j * kTableBytes, kTableBytes),
                Emitter::Write("feature", out_at + j * row, row)});
      }
      ChannelMajorCopy(e, false, y, p0, p, c0, cg, out_at);
    }
  }
  return absl::OkStatus();
}

absl::Status LowerUnaryTable(const ir::Node& node, LowerContext& ctx) {
  absl::StatusOr<Buffer> x = ctx.BufferOf(node, node.input(0));
  if (!x.ok()) return x.status();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  if (x->dtype != DType::kInt8 || y->dtype != DType::kInt8) {
    return absl::UnimplementedError(
        absl::StrCat(node.op(), " from ", DTypeName(x->dtype), " to ", DTypeName(y->dtype),
                     ": only int8 -> int8 has an exact table (vae.lut8)"));
  }
  if (x->n != y->n || x->h != y->h || x->w != y->w || x->c != y->c) {
    return absl::InvalidArgumentError("input and output shapes differ");
  }
  absl::StatusOr<int64_t> channels = TableChannels(node);
  if (!channels.ok()) return channels.status();
  absl::StatusOr<std::vector<uint8_t>> tables = BuildTables(node, *channels);
  if (!tables.ok()) return tables.status();
  // Channels sharing one table (e.g. equal slopes) need only the one-table form.
  bool same = true;
  for (int64_t ch = 1; ch < *channels && same; ++ch) {
    same = std::equal(tables->begin(), tables->begin() + kTableBytes,
                      tables->begin() + ch * kTableBytes);
  }
  if (same) {
    tables->resize(kTableBytes);
    return LowerOneTable(ctx, *x, *y, *tables);
  }
  return LowerPerChannel(ctx, *x, *y, *tables);
}

OPENBPU_REGISTER_LOWERING(Abs, "Abs", LowerUnaryTable);
OPENBPU_REGISTER_LOWERING(LeakyRelu, "LeakyRelu", LowerUnaryTable);
OPENBPU_REGISTER_LOWERING(PRelu, "PRelu", LowerUnaryTable);

}  // namespace
}  // namespace openbpu::backend
