// ArgMax (aae.reduce op=argmax) and TopK (aae.topk) along one axis of any rank. The input's DDR
// bytes (dense NHWC: N, the dimensions after C, C) are viewed as [outer][n][inner] around the
// axis; tiles of outer rows go through the feature SRAM as [rows][n][inner] (the AAE's W axis)
// or, when inner = 1, [rows][1][n] (its C axis). The AAE writes int32 indices; the int64 index
// output (the quantized reference's dtype) takes them as the low words of its 8-byte elements
// (a strided store) and zeros as the high words (indices are non-negative; a store with stride 0
// from one 16-byte zero slot).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/backend/lowering.h"

namespace openbpu::backend {
namespace {

constexpr int64_t kMaxCount = 16383;  // n0 / n1 / n2 and the AAE's tile fields (14 bits)
constexpr int64_t kMaxDdrStride = 1 << 24;
constexpr int64_t kMaxSramStride = 65536;

// One DMA box between DDR and feature SRAM: n2 x n1 x n0 elements with the given byte strides,
// split into several instructions when n2 or a plane stride exceeds its field.
struct Dma {
  bool load = true;
  std::string region;
  uint64_t offset = 0;
  int64_t sram = 0;
  int64_t elem = 1, n0 = 1, n1 = 1, n2 = 1;
  int64_t ddr_s1 = 0, ddr_s2 = 0, sram_s1 = 0, sram_s2 = 0;
};

absl::Status EmitDma(Emitter& e, const Dma& d) {
  if (d.n0 > kMaxCount || d.n1 > kMaxCount || d.ddr_s1 >= kMaxDdrStride ||
      d.sram_s1 >= kMaxSramStride) {
    return absl::UnimplementedError("a dimension or stride beyond the DMA's fields");
  }
  const bool planes_fit = d.ddr_s2 < kMaxDdrStride && d.sram_s2 < kMaxSramStride;
  const int64_t step = planes_fit ? kMaxCount : 1;
  const char* unit = d.load ? "load" : "store";
  for (int64_t p0 = 0; p0 < d.n2; p0 += step) {
    const int64_t planes = std::min(step, d.n2 - p0);
    const uint64_t offset = d.offset + static_cast<uint64_t>(p0 * d.ddr_s2);
    const int64_t sram = d.sram + p0 * d.sram_s2;
    const int64_t s2_ddr = planes > 1 ? d.ddr_s2 : 0, s2_sram = planes > 1 ? d.sram_s2 : 0;
    e.Config(
        absl::StrCat(unit, ".shape elem=", d.elem, " n0=", d.n0, " n1=", d.n1, " n2=", planes));
    e.Config(absl::StrCat(unit, ".stride ddr_s1=", d.ddr_s1, " ddr_s2=", s2_ddr,
                          " sram_s1=", d.sram_s1, " sram_s2=", s2_sram));
    const int64_t ddr_span = (planes - 1) * s2_ddr + (d.n1 - 1) * d.ddr_s1 + d.n0 * d.elem;
    const int64_t sram_span = (planes - 1) * s2_sram + (d.n1 - 1) * d.sram_s1 + d.n0 * d.elem;
    std::vector<Emitter::Access> acc;
    const std::string ddr = absl::StrCat("ddr:", d.region);
    if (d.load) {
      acc.push_back(Emitter::Write("feature", sram, sram_span));
      if (d.region != "param") {
        acc.push_back(Emitter::Read(ddr, static_cast<int64_t>(offset), ddr_span));
      }
      e.Data(absl::StrCat("load dst_space=feature dst=", sram, " region=", d.region,
                          " offset=", offset),
             std::move(acc));
    } else {
      acc.push_back(Emitter::Read("feature", sram, sram_span));
      acc.push_back(Emitter::Write(ddr, static_cast<int64_t>(offset), ddr_span));
      e.Data(absl::StrCat("store src_space=feature src=", sram, " region=", d.region,
                          " offset=", offset),
             std::move(acc));
    }
  }
  return absl::OkStatus();
}

// The [outer][n][inner] view of the input around `axis` (an ONNX axis).
struct View {
  int64_t outer = 1, n = 1, inner = 1;
};

View ViewAround(const Shape& shape, int axis) {
  View v;
  bool before = true;
  for (int d : NhwcOrder(static_cast<int>(shape.size()))) {
    const int64_t size = shape[static_cast<size_t>(d)];
    if (d == axis) {
      v.n = size;
      before = false;
    } else if (before) {
      v.outer *= size;
    } else {
      v.inner *= size;
    }
  }
  return v;
}

// Whether the DDR bytes of `out` (the input's shape without `axis`, ArgMax keepdims=0) order the
// elements as the input's bytes do with the axis removed.
bool DropKeepsOrder(const Shape& in, const Shape& out, int axis) {
  auto significant = [](const Shape& s, const std::vector<int>& order, auto to_in) {
    std::vector<int> dims;
    for (int d : order) {
      if (s[static_cast<size_t>(d)] != 1) dims.push_back(to_in(d));
    }
    return dims;
  };
  std::vector<int> in_order;
  for (int d : NhwcOrder(static_cast<int>(in.size()))) {
    if (d != axis) in_order.push_back(d);
  }
  const std::vector<int> a = significant(in, in_order, [](int d) { return d; });
  const std::vector<int> b = significant(out, NhwcOrder(static_cast<int>(out.size())),
                                         [axis](int d) { return d < axis ? d : d + 1; });
  return a == b;
}

absl::StatusOr<int> AxisOf(const ir::Node& node, int64_t fallback) {
  const int rank = static_cast<int>(node.input(0)->type().shape.size());
  int64_t axis = node.attrs().GetInt("axis", fallback);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return absl::InvalidArgumentError("axis out of range");
  return static_cast<int>(axis);
}

// ArgMax (k = 0: one int32 index per [outer][inner]) or TopK (k values and indices).
absl::Status LowerSelect(const ir::Node& node, LowerContext& ctx) {
  Emitter& e = ctx.emit();
  const bool topk = node.op() == "TopK";
  absl::StatusOr<Buffer> x = ctx.BufferOf(node, node.input(0));
  if (!x.ok()) return x.status();
  if (x->dtype != DType::kInt8 && x->dtype != DType::kInt16) {
    return absl::UnimplementedError(absl::StrCat(node.op(), " of a non-int8/int16 input"));
  }
  const Shape& in = node.input(0)->type().shape;
  absl::StatusOr<int> axis = AxisOf(node, topk ? -1 : 0);
  if (!axis.ok()) return axis.status();
  const View v = ViewAround(in, *axis);
  int64_t k = 1;
  bool flag = false;  // TopK: largest; ArgMax: select_last_index
  const ir::Value* idx_value = node.output(topk ? 1 : 0);
  const ir::Value* val_value = topk ? node.output(0) : nullptr;
  if (topk) {
    if (node.input(1) == nullptr || !node.input(1)->is_constant()) {
      return absl::UnimplementedError("TopK with a run-time k");
    }
    k = node.input(1)->constant().GetAsInt64(0);
    if (k < 1) return absl::UnimplementedError("TopK with k = 0");
    flag = node.attrs().GetInt("largest", 1) != 0;
  } else {
    flag = node.attrs().GetInt("select_last_index", 0) != 0;
    if (node.attrs().GetInt("keepdims", 1) == 0 &&
        !DropKeepsOrder(in, idx_value->type().shape, *axis)) {
      return absl::UnimplementedError("ArgMax keepdims=0 that reorders the output's bytes");
    }
  }
  absl::StatusOr<Buffer> idx = ctx.BufferOf(node, idx_value);
  if (!idx.ok()) return idx.status();
  if (idx->dtype != DType::kInt64) return absl::InvalidArgumentError("int64 indices expected");
  Buffer val;
  if (topk) {
    absl::StatusOr<Buffer> b = ctx.BufferOf(node, val_value);
    if (!b.ok()) return b.status();
    if (b->dtype != x->dtype) return absl::InvalidArgumentError("TopK values change dtype");
    val = *b;
  }
  // The tile: [rows][w][c] with the axis on W (inner > 1) or on C (inner = 1); outputs
  // [rows][ow][oc] with the axis of size k (1 for ArgMax).
  const bool on_c = v.inner == 1;
  const int64_t w = on_c ? 1 : v.n, c = on_c ? v.n : v.inner;
  const int64_t ow = on_c ? 1 : k, oc = on_c ? k : v.inner;
  if (v.n > kMaxCount || v.inner > kMaxCount || k > kMaxCount) {
    return absl::UnimplementedError("an axis or inner size above 16383");
  }
  const int64_t es = x->esize();
  const int64_t in_pitch = Align16(c * es), val_pitch = Align16(oc * es);
  const int64_t idx_pitch = Align16(oc * 4);
  const int64_t row_bytes = w * in_pitch + ow * ((topk ? val_pitch : 0) + idx_pitch);
  // Two tile sets (each tile rounded up to 16 bytes) and the zero slot.
  const int64_t half = (ctx.march().feature_sram_bytes.value - 16) / 2 - 48;
  int64_t rows = std::min<int64_t>({v.outer, kMaxCount, half / row_bytes});
  if (rows < 1) {
    return absl::ResourceExhaustedError(
        absl::StrCat("one ", v.n, "x", v.inner, " slice does not fit half the feature SRAM"));
  }
  const int64_t in_tile = Align16(rows * w * in_pitch);
  const int64_t val_tile = topk ? Align16(rows * ow * val_pitch) : 0;
  const int64_t idx_tile = Align16(rows * ow * idx_pitch);
  const int64_t set_bytes = in_tile + val_tile + idx_tile;
  const int64_t zero = 2 * set_bytes;  // 16 zero bytes: the high words of the int64 indices
  e.LoadParams("feature", static_cast<uint64_t>(zero), e.AddParams(std::vector<uint8_t>(16, 0)),
               16);
  int64_t step = 0;
  for (int64_t o0 = 0; o0 < v.outer; o0 += rows, ++step) {
    const int64_t r = std::min(rows, v.outer - o0);
    const int64_t src = (step % 2) * set_bytes, dst = src + in_tile, ind = dst + val_tile;
    Dma load;
    load.region = x->region;
    load.offset = x->offset + static_cast<uint64_t>(o0 * v.n * v.inner * es);
    load.sram = src;
    load.elem = es, load.n0 = c, load.n1 = w, load.n2 = r;
    load.ddr_s1 = c * es, load.ddr_s2 = v.n * v.inner * es;
    load.sram_s1 = in_pitch, load.sram_s2 = w * in_pitch;
    if (absl::Status st = EmitDma(e, load); !st.ok()) return st;
    const int64_t in_bytes = r * w * in_pitch, idx_bytes = r * ow * idx_pitch;
    e.Config(absl::StrCat("aae.tile in_h=", r, " in_w=", w, " channels=", c, " out_h=", r,
                          " out_w=", ow, " in_dtype=", AsmDType(x->dtype),
                          " out_dtype=", topk ? AsmDType(x->dtype) : "s32"));
    if (topk) {
      e.Data(absl::StrCat("aae.topk axis=", on_c ? 2 : 1, " largest=", flag ? 1 : 0, " k=", k,
                          " src=", src, " dst=", dst, " indices=", ind),
             {Emitter::Read("feature", src, in_bytes),
              Emitter::Write("feature", dst, r * ow * val_pitch),
              Emitter::Write("feature", ind, idx_bytes)});
      Dma store;
      store.load = false;
      store.region = val.region;
      store.offset = val.offset + static_cast<uint64_t>(o0 * k * v.inner * es);
      store.sram = dst;
      store.elem = es, store.n0 = oc, store.n1 = ow, store.n2 = r;
      store.ddr_s1 = oc * es, store.ddr_s2 = ow * oc * es;
      store.sram_s1 = val_pitch, store.sram_s2 = ow * val_pitch;
      if (absl::Status st = EmitDma(e, store); !st.ok()) return st;
    } else {
      e.Data(absl::StrCat("aae.reduce op=argmax axes=", on_c ? 4 : 2, " select_last=", flag ? 1 : 0,
                          " src=", src, " dst=", ind, " param=0"),
             {Emitter::Read("feature", src, in_bytes), Emitter::Write("feature", ind, idx_bytes)});
    }
    // int64 indices: element (pixel p, channel j) of the tile at DDR 8 x (p x oc + j); the low
    // words from the int32 tile, the high words zero.
    for (int high = 0; high < 2; ++high) {
      Dma store;
      store.load = false;
      store.region = idx->region;
      store.offset = idx->offset + static_cast<uint64_t>(o0 * (topk ? k : 1) * v.inner * 8) +
                     static_cast<uint64_t>(high * 4);
      store.sram = high ? zero : ind;
      store.elem = 4, store.n0 = 1, store.n1 = oc, store.n2 = r * ow;
      store.ddr_s1 = 8, store.ddr_s2 = oc * 8;
      store.sram_s1 = high ? 0 : 4, store.sram_s2 = high ? 0 : idx_pitch;
      if (absl::Status st = EmitDma(e, store); !st.ok()) return st;
    }
  }
  return absl::OkStatus();
}

OPENBPU_REGISTER_LOWERING(ArgMax, "ArgMax", LowerSelect);
OPENBPU_REGISTER_LOWERING(TopK, "TopK", LowerSelect);

}  // namespace
}  // namespace openbpu::backend
