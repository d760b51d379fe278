// Gather (ONNX Gather-13) with run-time indices on the AAE's ISA 1.1 aae.gather (a constant
// index list is an address map of lower/datamove.cc instead, which calls this for the run-time
// form). The data and the int32/int64 indices are loaded whole into the feature SRAM in their
// DDR layouts (BufferFor: dense NHWC, dimension 1 minor). In that layout the data is
// [P][J][R]: J the gathered axis, P the layout dimensions outside it and R those inside it
// (R = 1 for the channel axis), so for each p one aae.gather picks rows of R elements
// (src_stride = row = R elements) by the indices in their layout order, as the reference
// does: negative indices count from J, an index outside [-J, J) is an execution error (the
// reference's InvalidArgument). The gathered [P][Q][R] block (Q = index count) then goes to the
// output's NHWC layout by strided stores: every output dimension is one of P's, the index's or
// R's dimensions, with one stride on each side.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/backend/lowering.h"
#include "compiler/ops/op_util.h"

namespace openbpu::backend {
namespace {

// Field limits (isa/ISA.md: load/store counts 14 bits, SRAM strides 16, DDR strides 24;
// aae.gather.cfg count 14, limit / row / strides 16).
constexpr int64_t kMaxCount = 16383, kMaxSramStride = 65535, kMaxDdrStride = (1 << 24) - 1;
constexpr int64_t kMaxGatherField = 65535;
constexpr int64_t kGatherChunk = 8192;  // indices per aae.gather (keeps `indices` 16-aligned)
constexpr int64_t kMaxInstructions = 100000;

// Contiguous `elems` elements of `es` bytes: DDR `region` + `offset` <-> feature SRAM `sram`.
void MoveContiguous(Emitter& e, bool load, const std::string& region, uint64_t offset, int64_t sram,
                    int64_t elems, int64_t es) {
  const char* unit = load ? "load" : "store";
  const int64_t row = std::min<int64_t>(kMaxCount, kMaxSramStride / es);
  int64_t done = 0;
  while (done < elems) {
    const int64_t n0 = std::min(row, elems - done);
    const int64_t n1 = std::min(kMaxCount, (elems - done) / n0);
    e.Config(absl::StrCat(unit, ".shape elem=", es, " n0=", n0, " n1=", n1, " n2=1"));
    e.Config(absl::StrCat(unit, ".stride ddr_s1=", n0 * es, " ddr_s2=0 sram_s1=", n0 * es,
                          " sram_s2=0"));
    const uint64_t at = offset + static_cast<uint64_t>(done * es);
    const int64_t bytes = n0 * n1 * es;
    std::vector<Emitter::Access> acc;
    const std::string ddr = absl::StrCat("ddr:", region);
    if (region != "param") {
      acc.push_back(load ? Emitter::Read(ddr, static_cast<int64_t>(at), bytes)
                         : Emitter::Write(ddr, static_cast<int64_t>(at), bytes));
    }
    acc.push_back(load ? Emitter::Write("feature", sram + done * es, bytes)
                       : Emitter::Read("feature", sram + done * es, bytes));
    if (load) {
      e.Data(absl::StrCat("load dst_space=feature dst=", sram + done * es, " region=", region,
                          " offset=", at),
             std::move(acc));
    } else {
      e.Data(absl::StrCat("store src_space=feature src=", sram + done * es, " region=", region,
                          " offset=", at),
             std::move(acc));
    }
    done += n0 * n1;
  }
}

// One dimension of the final store: `count` steps of `sram` elements in the gathered block and
// `ddr` elements in the output.
struct StoreDim {
  int64_t count = 1, sram = 0, ddr = 0;
};

}  // namespace

absl::Status LowerGatherRuntimeIndices(const ir::Node& node, LowerContext& ctx) {
  Emitter& e = ctx.emit();
  const ir::Value* xv = node.input(0);
  const ir::Value* iv = node.input(1);
  absl::StatusOr<Buffer> x = ctx.BufferOf(node, xv);
  if (!x.ok()) return x.status();
  absl::StatusOr<Buffer> ib = ctx.BufferOf(node, iv);
  if (!ib.ok()) return ib.status();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  if (y->dtype != x->dtype) return absl::UnimplementedError("a Gather that changes the dtype");
  const DType idt = iv->type().dtype;
  if (idt != DType::kInt32 && idt != DType::kInt64) {
    return absl::UnimplementedError(
        absl::StrCat("Gather with ", DTypeName(idt), " indices (int32 / int64 only)"));
  }
  const Shape& ds = xv->type().shape;
  const Shape& is = iv->type().shape;
  const int rank = static_cast<int>(ds.size());
  absl::StatusOr<int> axis_or = ops::NormalizeAxis(node.attrs().GetInt("axis", 0), rank);
  if (!axis_or.ok()) return axis_or.status();
  const int axis = *axis_or;
  const int qr = static_cast<int>(is.size());
  Shape os(ds.begin(), ds.begin() + axis);
  os.insert(os.end(), is.begin(), is.end());
  os.insert(os.end(), ds.begin() + axis + 1, ds.end());
  if (os != node.output(0)->type().shape) return absl::InternalError("Gather output shape");

  int64_t total = 1, q = 1, out_total = 1;
  for (int64_t d : ds) total *= d;
  for (int64_t d : is) q *= d;
  for (int64_t d : os) out_total *= d;
  if (out_total == 0) return absl::OkStatus();
  const int64_t es = x->esize(), ies = DTypeSize(idt);
  const std::vector<int64_t> sd = LayoutStrides(ds), si = LayoutStrides(is), so = LayoutStrides(os);
  const int64_t j = ds[axis], r = sd[axis], p = total / (j * r);
  const int64_t row = r * es;
  if (j > kMaxGatherField || row > kMaxGatherField) {
    return absl::UnimplementedError(
        absl::StrCat("a run-time Gather over an axis of ", j, " slices of ", row,
                     " bytes (aae.gather limit / row / src_stride have 16 bits)"));
  }
  // Feature SRAM: data [P][J][R], indices [Q], gathered block [P][Q][R].
  const int64_t data_at = 0, idx_at = Align16(total * es), g_at = idx_at + Align16(q * ies);
  const int64_t g_bytes = p * q * row;
  if (g_at + g_bytes > e.march().feature_sram_bytes.value || g_at + g_bytes >= (1 << 24)) {
    return absl::UnimplementedError(
        absl::StrCat("a run-time Gather whose data, indices and result (", g_at + g_bytes,
                     " bytes) exceed the feature SRAM (", e.march().feature_sram_bytes.value,
                     " bytes available; tiling it is not implemented)"));
  }
  if (p * ((q + kGatherChunk - 1) / kGatherChunk) > kMaxInstructions) {
    return absl::UnimplementedError(
        absl::StrCat("a run-time Gather needing more than ", kMaxInstructions, " aae.gather"));
  }

  MoveContiguous(e, true, x->region, x->offset, data_at, total, es);
  MoveContiguous(e, true, ib->region, ib->offset, idx_at, q, ies);
  const char* idx_dtype = idt == DType::kInt64 ? "s64" : "s32";
  std::string cfg;
  for (int64_t pi = 0; pi < p; ++pi) {
    for (int64_t q0 = 0; q0 < q; q0 += kGatherChunk) {
      const int64_t qc = std::min(kGatherChunk, q - q0);
      const std::string c =
          absl::StrCat("aae.gather.cfg count=", qc, " limit=", j, " row=", row, " src_stride=", row,
                       " dst_stride=", row, " idx_dtype=", idx_dtype);
      if (c != cfg) {
        e.Config(c);
        cfg = c;
      }
      const int64_t src = data_at + pi * j * row, dst = g_at + (pi * q + q0) * row;
      e.Data(absl::StrCat("aae.gather src_space=feature src=", src, " indices=", idx_at + q0 * ies,
                          " dst=", dst),
             {Emitter::Read("feature", src, j * row),
              Emitter::Read("feature", idx_at + q0 * ies, qc * ies),
              Emitter::Write("feature", dst, qc * row)});
    }
  }

  // The gathered block's element strides of each output dimension.
  auto data_dim = [&](int d, int64_t count, int64_t out) -> StoreDim {
    // A layout dimension outside the axis (a multiple of J x R) counts blocks of P, one inside
    // it counts elements of R.
    const int64_t g = sd[d] >= j * r ? sd[d] / (j * r) * q * r : sd[d];
    return {count, g, out};
  };
  std::vector<StoreDim> dims;
  for (int d = 0; d < static_cast<int>(os.size()); ++d) {
    if (os[d] == 1) continue;
    if (d < axis) {
      dims.push_back(data_dim(d, os[d], so[d]));
    } else if (d < axis + qr) {
      dims.push_back({os[d], si[d - axis] * r, so[d]});
    } else {
      dims.push_back(data_dim(d - qr + 1, os[d], so[d]));
    }
  }
  // Innermost output stride last; merge neighbours that are one strided run on both sides.
  std::stable_sort(dims.begin(), dims.end(),
                   [](const StoreDim& a, const StoreDim& b) { return a.ddr > b.ddr; });
  std::vector<StoreDim> merged;
  for (const StoreDim& d : dims) {
    if (!merged.empty() && merged.back().sram == d.sram * d.count &&
        merged.back().ddr == d.ddr * d.count) {
      merged.back().count *= d.count;
      merged.back().sram = d.sram;
      merged.back().ddr = d.ddr;
      continue;
    }
    merged.push_back(d);
  }
  if (merged.empty()) merged.push_back({1, 1, 1});
  for (const StoreDim& d : merged) {
    if (d.sram * es > kMaxSramStride || d.ddr * es > kMaxDdrStride) {
      return absl::UnimplementedError("a run-time Gather output stride beyond the store fields");
    }
  }
  // Box: n0 = the innermost dim when contiguous on both sides (else 1 element), n1 / n2 the
  // next two inner dims; the outer ones are loops.
  const int nd = static_cast<int>(merged.size());
  const bool contiguous = merged.back().sram == 1 && merged.back().ddr == 1;
  std::vector<int> box;  // dims in the box: n0 (if contiguous), n1, n2
  for (int d = nd - 1; d >= 0 && static_cast<int>(box.size()) < (contiguous ? 3 : 2); --d) {
    box.push_back(d);
  }
  struct Loop {
    int dim;
    int64_t step;
  };
  std::vector<Loop> loops;
  for (int d = 0; d < nd; ++d) {
    const bool in_box = std::find(box.begin(), box.end(), d) != box.end();
    loops.push_back({d, in_box ? kMaxCount : 1});
  }
  std::vector<int64_t> idx(loops.size(), 0);
  int64_t stores = 0;
  while (true) {
    int64_t g0 = 0, o0 = 0;
    for (size_t l = 0; l < loops.size(); ++l) {
      g0 += idx[l] * merged[loops[l].dim].sram;
      o0 += idx[l] * merged[loops[l].dim].ddr;
    }
    int64_t cnt[3] = {1, 1, 1}, ss[3] = {0, 0, 0}, ds3[3] = {0, 0, 0};
    int slot = contiguous ? 0 : 1;
    for (int d : box) {
      cnt[slot] = std::min(kMaxCount, merged[d].count - idx[d]);
      ss[slot] = merged[d].sram;
      ds3[slot] = merged[d].ddr;
      ++slot;
    }
    if (++stores > kMaxInstructions) {
      return absl::UnimplementedError(
          absl::StrCat("a run-time Gather needing more than ", kMaxInstructions, " stores"));
    }
    e.Config(absl::StrCat("store.shape elem=", es, " n0=", cnt[0], " n1=", cnt[1], " n2=", cnt[2]));
    e.Config(absl::StrCat("store.stride ddr_s1=", cnt[1] > 1 ? ds3[1] * es : 0, " ddr_s2=",
                          cnt[2] > 1 ? ds3[2] * es : 0, " sram_s1=", cnt[1] > 1 ? ss[1] * es : 0,
                          " sram_s2=", cnt[2] > 1 ? ss[2] * es : 0));
    const int64_t ddr_hi = (o0 + (cnt[0] - 1) + (cnt[1] - 1) * ds3[1] + (cnt[2] - 1) * ds3[2] + 1);
    const int64_t sram_hi = (g0 + (cnt[0] - 1) + (cnt[1] - 1) * ss[1] + (cnt[2] - 1) * ss[2] + 1);
    const uint64_t offset = y->offset + static_cast<uint64_t>(o0 * es);
    e.Data(absl::StrCat("store src_space=feature src=", g_at + g0 * es, " region=", y->region,
                        " offset=", offset),
           {Emitter::Read("feature", g_at + g0 * es, (sram_hi - g0) * es),
            Emitter::Write(absl::StrCat("ddr:", y->region), static_cast<int64_t>(offset),
                           (ddr_hi - o0) * es)});
    size_t l = loops.size();
    while (l > 0) {
      idx[l - 1] += loops[l - 1].step;
      if (idx[l - 1] < merged[loops[l - 1].dim].count) break;
      idx[--l] = 0;
    }
    if (l == 0) break;
  }
  return absl::OkStatus();
}

}  // namespace openbpu::backend
