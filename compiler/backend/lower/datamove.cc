// Data movement (Transpose, Reshape and Flatten that are not views, Slice, Split, Tile, Expand,
// DepthToSpace, SpaceToDepth, ChannelShuffle, Gather with constant indices): the same integers
// move, so the op is a map from output elements to input elements. The lowering does not re-derive
// each op's semantics: it runs the op's own reference kernel on a tensor of input element addresses
// (in the DDR layout), reads back where every output element comes from, and factors that map into
// strided boxes the DMA moves: loads gather a chunk of the output into the feature SRAM in
// output order, a store writes it back whole. A part of the map that does not factor into
// strides is a list of offsets, one DMA each; past kMaxInstructions that is an Unimplemented
// error.
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/backend/lowering.h"
#include "compiler/ir/op_registry.h"

namespace openbpu::backend {
namespace {

using Dim = MoveDim;

bool Arithmetic(const std::vector<int64_t>& f, int64_t n) {
  for (int64_t i = 2; i < n; ++i) {
    if (f[i] - f[i - 1] != f[1] - f[0]) return false;
  }
  return true;
}

// Factors f over [0, S) (f[0] = 0) into mixed-radix levels, innermost first, each arithmetic,
// with f(i) = sum of the levels' offsets of i's digits; a part that does not factor is one
// explicit level. `out` is the output stride of one step of i.
void Factor(std::vector<int64_t> f, int64_t out, std::vector<Dim>& dims) {
  int64_t s = static_cast<int64_t>(f.size());
  while (s > 1) {
    if (Arithmetic(f, s)) {
      dims.push_back({s, f[1] - f[0], out, {}});
      return;
    }
    int64_t period = 0;
    for (int64_t p = 2; p < s && !period; ++p) {
      if (s % p != 0 || !Arithmetic(f, p)) continue;
      bool ok = true;
      for (int64_t i = 0; i < s && ok; ++i) ok = f[i] == f[i % p] + f[i / p * p];
      if (ok) period = p;
    }
    if (!period) {
      dims.push_back({s, 0, out, f});
      return;
    }
    dims.push_back({period, f[1] - f[0], out, {}});
    std::vector<int64_t> rest(static_cast<size_t>(s / period));
    for (int64_t j = 0; j < s / period; ++j) rest[j] = f[j * period];
    f = std::move(rest);
    s /= period;
    out *= period;
  }
}

// The limits of the DMA fields (isa/ISA.md, LOAD/STORE).
constexpr int64_t kMaxCount = 16383, kMaxDdrStride = (1 << 24) - 1, kMaxSramStride = 65535;
// More DMA instructions than this for one node is a map the DMA moves too slowly to be useful.
constexpr int64_t kMaxInstructions = 100000;

class Mover {
 public:
  Mover(Emitter& e, const Buffer& x, const Buffer& y, int64_t budget)
      : e_(e), x_(x), y_(y), es_(x.esize()), budget_(budget) {}

  // Moves the map `dims` (sorted by output stride, outermost first) starting at input element
  // `in_base`.
  absl::Status Move(const std::vector<Dim>& dims, int64_t in_base) {
    // Chunks: the innermost dims [k..] whose bytes fit half the feature SRAM (double buffer),
    // and tiles of dim k - 1.
    const int64_t total = y_.bytes() / es_;
    size_t k = 0;
    while (k < dims.size() && (k == 0 ? total : dims[k - 1].out) * es_ > budget_) ++k;
    if (k > 0 && dims[k - 1].out * es_ > budget_) {
      return absl::ResourceExhaustedError("a data movement chunk does not fit the feature SRAM");
    }
    // k == dims.size() and still too big cannot happen: the innermost dim's step is one element.
    std::vector<Dim> outer(dims.begin(), dims.begin() + (k == 0 ? 0 : k - 1));
    const int64_t inner_elems = k == 0 ? total : dims[k - 1].out;
    const int64_t tile =
        k == 0 ? 1 : std::min<int64_t>(dims[k - 1].count, budget_ / (inner_elems * es_));
    std::vector<int64_t> idx(outer.size(), 0);
    while (true) {
      int64_t in0 = in_base, out0 = 0;
      for (size_t d = 0; d < outer.size(); ++d) {
        in0 += outer[d].InAt(idx[d]);
        out0 += idx[d] * outer[d].out;
      }
      const int64_t tiles = k == 0 ? 1 : dims[k - 1].count;
      for (int64_t t0 = 0; t0 < tiles; t0 += tile) {
        std::vector<Dim> chunk;
        int64_t in_c = in0, out_c = out0, elems = inner_elems;
        if (k > 0) {
          const Dim& d = dims[k - 1];
          Dim part = d;
          part.count = std::min(tile, d.count - t0);
          if (d.explicit_offsets()) {
            part.offsets.assign(d.offsets.begin() + t0, d.offsets.begin() + t0 + part.count);
          } else {
            in_c += t0 * d.in;
          }
          out_c += t0 * d.out;
          elems = part.count * inner_elems;
          chunk.push_back(part);
        }
        chunk.insert(chunk.end(), dims.begin() + k, dims.end());
        if (absl::Status st = Chunk(chunk, in_c, out_c, elems); !st.ok()) return st;
      }
      size_t d = outer.size();
      while (d > 0 && ++idx[d - 1] == outer[d - 1].count) idx[--d] = 0;
      if (d == 0) break;
    }
    return absl::OkStatus();
  }

 private:
  // One chunk: `elems` output elements from output element `out_c`, laid out by `dims`.
  absl::Status Chunk(const std::vector<Dim>& dims, int64_t in_c, int64_t out_c, int64_t elems) {
    const int64_t buf = e_.overlap() ? (chunks_++ % 2) * budget_ : 0;
    // Box dims: n0 = the innermost dim when both sides are contiguous, then the two largest
    // others the stride fields can express; every other dim (and any explicit one) is a loop.
    int n0 = -1;
    if (!dims.empty() && !dims.back().explicit_offsets() && dims.back().in == 1 &&
        dims.back().out == 1) {
      n0 = static_cast<int>(dims.size()) - 1;
    }
    std::vector<int> box;
    for (int d = 0; d < static_cast<int>(dims.size()); ++d) {
      const Dim& dim = dims[d];
      if (d == n0 || dim.explicit_offsets() || dim.in < 0 || dim.in * es_ > kMaxDdrStride ||
          dim.out * es_ > kMaxSramStride) {
        continue;
      }
      box.push_back(d);
    }
    std::stable_sort(box.begin(), box.end(),
                     [&](int a, int b) { return dims[a].count > dims[b].count; });
    if (box.size() > 2) box.resize(2);
    // Each box dim moves at most kMaxCount steps per instruction: its pieces are a loop too.
    struct Loop {
      int dim;
      int64_t step;  // indices per iteration (1 for a loop dim, kMaxCount for a box dim)
    };
    std::vector<Loop> loops;
    std::vector<bool> in_box(dims.size(), false);
    for (int d : box) in_box[d] = true;
    if (n0 >= 0) in_box[n0] = true;
    for (int d = 0; d < static_cast<int>(dims.size()); ++d) {
      loops.push_back({d, in_box[d] ? kMaxCount : 1});
    }
    std::vector<int64_t> idx(loops.size(), 0);
    const int64_t out_bytes = elems * es_;
    while (true) {
      int64_t in0 = in_c, out0 = 0;
      int64_t cnt[3] = {1, 1, 1}, din[3] = {0, 0, 0}, dout[3] = {0, 0, 0};
      for (size_t l = 0; l < loops.size(); ++l) {
        const Dim& dim = dims[loops[l].dim];
        in0 += dim.InAt(idx[l]);
        out0 += idx[l] * dim.out;
      }
      auto set = [&](int slot, int d, size_t l) {
        cnt[slot] = std::min(kMaxCount, dims[d].count - idx[l]);
        din[slot] = dims[d].in;
        dout[slot] = dims[d].out;
      };
      for (size_t l = 0; l < loops.size(); ++l) {
        const int d = loops[l].dim;
        if (d == n0) set(0, d, l);
        if (!box.empty() && d == box[0]) set(1, d, l);
        if (box.size() > 1 && d == box[1]) set(2, d, l);
      }
      if (++instructions_ > kMaxInstructions) {
        return absl::UnimplementedError(
            absl::StrCat("this data movement needs more than ", kMaxInstructions,
                         " DMA instructions (an element-by-element gather)"));
      }
      // DDR bytes the box reads, conservatively [lowest, highest] element.
      const int64_t lo = in0 * es_,
                    hi = (in0 + (cnt[0] - 1) + (cnt[1] - 1) * din[1] + (cnt[2] - 1) * din[2] + 1) *
                         es_;
      e_.Config(absl::StrCat("load.shape elem=", es_, " n0=", cnt[0], " n1=", cnt[1], " n2=",
                             cnt[2], " pad_top=0 pad_bottom=0 pad_left=0 pad_right=0 pad_value=0"));
      e_.Config(absl::StrCat("load.stride ddr_s1=", din[1] * es_, " ddr_s2=", din[2] * es_,
                             " sram_s1=", dout[1] * es_, " sram_s2=", dout[2] * es_));
      const uint64_t offset = x_.offset + static_cast<uint64_t>(in0 * es_);
      e_.Data(absl::StrCat("load dst_space=feature dst=", buf + out0 * es_, " region=", x_.region,
                           " offset=", offset),
              {Emitter::Write("feature", buf, out_bytes),
               Emitter::Read(absl::StrCat("ddr:", x_.region), static_cast<int64_t>(x_.offset) + lo,
                             hi - lo)});
      size_t l = loops.size();
      while (l > 0) {
        idx[l - 1] += loops[l - 1].step;
        if (idx[l - 1] < dims[loops[l - 1].dim].count) break;
        idx[--l] = 0;
      }
      if (l == 0) break;
    }
    // Store the chunk: it is contiguous in the output.
    const int64_t row = std::min<int64_t>(kMaxCount, kMaxSramStride / es_);
    int64_t done = 0;
    while (done < elems) {
      const int64_t n0 = std::min(row, elems - done);
      const int64_t n1 = std::min(kMaxCount, (elems - done) / n0);
      e_.Config(absl::StrCat("store.shape elem=", es_, " n0=", n0, " n1=", n1, " n2=1"));
      e_.Config(absl::StrCat("store.stride ddr_s1=", n0 * es_, " ddr_s2=0 sram_s1=", n0 * es_,
                             " sram_s2=0"));
      const uint64_t offset = y_.offset + static_cast<uint64_t>((out_c + done) * es_);
      e_.Data(absl::StrCat("store src_space=feature src=", buf + done * es_, " region=", y_.region,
                           " offset=", offset),
              {Emitter::Read("feature", buf + done * es_, n0 * n1 * es_),
               Emitter::Write(absl::StrCat("ddr:", y_.region), static_cast<int64_t>(offset),
                              n0 * n1 * es_)});
      done += n0 * n1;
    }
    return absl::OkStatus();
  }

  Emitter& e_;
  const Buffer& x_;
  const Buffer& y_;
  const int64_t es_, budget_;
  int64_t chunks_ = 0, instructions_ = 0;
};

}  // namespace

absl::Status MoveElements(Emitter& e, const Buffer& x, const Buffer& y, std::vector<MoveDim> dims,
                          int64_t in_base) {
  // Outermost output stride first; merge neighbours that are one strided run on both sides.
  std::stable_sort(dims.begin(), dims.end(),
                   [](const Dim& a, const Dim& b) { return a.out > b.out; });
  std::vector<Dim> merged;
  for (const Dim& d : dims) {
    if (d.count == 1) continue;
    if (!merged.empty() && !merged.back().explicit_offsets() && !d.explicit_offsets() &&
        merged.back().in == d.in * d.count && merged.back().out == d.out * d.count) {
      merged.back().count *= d.count;
      merged.back().in = d.in;
      merged.back().out = d.out;
      continue;
    }
    merged.push_back(d);
  }
  const int64_t budget = e.march().feature_sram_bytes.value / 32 * 16;  // half, 16-aligned
  Mover mover(e, x, y, budget);
  return mover.Move(merged, in_base);
}

// Gather with run-time indices: aae.gather (lower/gather.cc).
absl::Status LowerGatherRuntimeIndices(const ir::Node& node, LowerContext& ctx);

absl::Status LowerDataMovement(const ir::Node& node, LowerContext& ctx) {
  if (node.op() == "Gather" && node.num_inputs() > 1 && node.input(1) != nullptr &&
      !node.input(1)->is_constant()) {
    return LowerGatherRuntimeIndices(node, ctx);
  }
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node.op());
  if (schema == nullptr || schema->qkind != ir::QuantKind::kExact || schema->qinherit_input != 0 ||
      !schema->kernel) {
    return absl::UnimplementedError(absl::StrCat(node.op(), " is not a data movement op"));
  }
  absl::StatusOr<Buffer> x = ctx.BufferOf(node, node.input(0));
  if (!x.ok()) return x.status();
  // The input as a tensor of its elements' DDR element offsets, through the op's own kernel.
  const Shape& in_shape = node.input(0)->type().shape;
  const std::vector<int64_t> in_strides = LayoutStrides(in_shape);
  Tensor addresses(DType::kInt32, in_shape);
  {
    int32_t* a = addresses.data<int32_t>();
    std::vector<int64_t> coord(in_shape.size(), 0);
    for (int64_t i = 0; i < addresses.num_elements(); ++i) {
      int64_t phys = 0;
      for (size_t d = 0; d < coord.size(); ++d) phys += coord[d] * in_strides[d];
      a[i] = static_cast<int32_t>(phys);
      for (size_t d = coord.size(); d-- > 0;) {
        if (++coord[d] < in_shape[d]) break;
        coord[d] = 0;
      }
    }
  }
  std::vector<const Tensor*> inputs = {&addresses};
  for (size_t i = 1; i < node.num_inputs(); ++i) {
    const ir::Value* v = node.input(i);
    if (v != nullptr && !v->is_constant()) {
      return absl::UnimplementedError(
          absl::StrCat(node.op(), " with a run-time input '", v->name(),
                       "' (only constant indices, shapes and axes are lowered)"));
    }
    inputs.push_back(v == nullptr ? nullptr : &v->constant());
  }
  std::vector<Tensor> maps;
  if (absl::Status st = schema->kernel(node, inputs, maps); !st.ok()) return st;
  if (maps.size() != node.num_outputs()) return absl::InternalError("kernel output count");
  for (size_t o = 0; o < node.num_outputs(); ++o) {
    absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(o));
    if (!y.ok()) return y.status();
    if (y->dtype != x->dtype) return absl::UnimplementedError("a dtype change");
    const Tensor& map = maps[o];
    const Shape& shape = map.shape();
    if (map.num_elements() == 0) continue;
    const int32_t* src = map.data<int32_t>();
    const std::vector<int64_t> out_strides = LayoutStrides(shape);
    std::vector<int64_t> row_major(shape.size(), 1);
    for (size_t d = shape.size(); d-- > 1;) row_major[d - 1] = row_major[d] * shape[d];
    // Factor each output dimension alone, then check the sum of the factors is the whole map.
    std::vector<Dim> dims;
    std::vector<std::vector<int64_t>> along(shape.size());
    for (size_t d = 0; d < shape.size(); ++d) {
      along[d].resize(static_cast<size_t>(shape[d]));
      for (int64_t i = 0; i < shape[d]; ++i) along[d][i] = src[i * row_major[d]] - src[0];
      Factor(along[d], out_strides[d], dims);
    }
    // When it is not (a reshape that regroups dimensions, [2,3,4] -> [4,6]), factor the map as
    // one sequence in output layout order instead.
    std::vector<int64_t> flat(static_cast<size_t>(map.num_elements()));
    bool separable = true;
    {
      std::vector<int64_t> coord(shape.size(), 0);
      for (int64_t i = 0; i < map.num_elements(); ++i) {
        int64_t want = src[0], at = 0;
        for (size_t d = 0; d < coord.size(); ++d) {
          want += along[d][coord[d]];
          at += coord[d] * out_strides[d];
        }
        separable = separable && want == src[i];
        flat[at] = src[i] - src[0];
        for (size_t d = coord.size(); d-- > 0;) {
          if (++coord[d] < shape[d]) break;
          coord[d] = 0;
        }
      }
    }
    if (!separable) {
      dims.clear();
      Factor(flat, 1, dims);
    }
    if (absl::Status st = MoveElements(ctx.emit(), *x, *y, std::move(dims), src[0]); !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

namespace {

// Identity, and Reshape, Flatten, Squeeze and Unsqueeze, that are views never reach the lowering
// (IsAliasOp): these are the copies (a reordering, or a view that is a model output).
OPENBPU_REGISTER_LOWERING(Identity, "Identity", LowerDataMovement);
OPENBPU_REGISTER_LOWERING(Transpose, "Transpose", LowerDataMovement);
OPENBPU_REGISTER_LOWERING(Reshape, "Reshape", LowerDataMovement);
OPENBPU_REGISTER_LOWERING(Flatten, "Flatten", LowerDataMovement);
OPENBPU_REGISTER_LOWERING(Squeeze, "Squeeze", LowerDataMovement);
OPENBPU_REGISTER_LOWERING(Unsqueeze, "Unsqueeze", LowerDataMovement);
OPENBPU_REGISTER_LOWERING(Slice, "Slice", LowerDataMovement);
OPENBPU_REGISTER_LOWERING(Split, "Split", LowerDataMovement);
OPENBPU_REGISTER_LOWERING(Tile, "Tile", LowerDataMovement);
OPENBPU_REGISTER_LOWERING(Expand, "Expand", LowerDataMovement);
OPENBPU_REGISTER_LOWERING(DepthToSpace, "DepthToSpace", LowerDataMovement);
OPENBPU_REGISTER_LOWERING(SpaceToDepth, "SpaceToDepth", LowerDataMovement);
OPENBPU_REGISTER_LOWERING(ChannelShuffle, "ChannelShuffle", LowerDataMovement);
OPENBPU_REGISTER_LOWERING(Gather, "Gather", LowerDataMovement);

}  // namespace
}  // namespace openbpu::backend
