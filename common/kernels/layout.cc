// Float kernels of the ops that rearrange elements of any dtype: Transpose, DepthToSpace,
// SpaceToDepth, Tile, Expand, with their planning (data_movement.h). Elements move as unsigned
// words as wide as the dtype (WithElementWord), so every dtype moves bit-exactly.
#include "absl/strings/str_cat.h"
#include "common/kernels/broadcast.h"
#include "common/kernels/data_movement.h"
#include "common/kernels/kernel_util.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {

absl::StatusOr<std::vector<int>> TransposePermutation(const AttributeMap& attrs, int rank) {
  std::vector<int> perm(rank);
  if (!attrs.Has("perm")) {
    for (int i = 0; i < rank; ++i) perm[i] = rank - 1 - i;
    return perm;
  }
  const std::vector<int64_t> given = attrs.GetInts("perm");
  if (static_cast<int>(given.size()) != rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("attribute 'perm' has ", given.size(), " values for rank ", rank));
  }
  std::vector<bool> seen(rank, false);
  for (int i = 0; i < rank; ++i) {
    if (given[i] < 0 || given[i] >= rank || seen[given[i]]) {
      return absl::InvalidArgumentError(
          absl::StrCat("attribute 'perm' is not a permutation of 0..", rank - 1));
    }
    seen[given[i]] = true;
    perm[i] = static_cast<int>(given[i]);
  }
  return perm;
}

Shape PermutedShape(const Shape& in, const std::vector<int>& perm) {
  Shape out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = in[perm[i]];
  return out;
}

absl::Status CheckDepthToSpaceMode(const AttributeMap& attrs) {
  const std::string mode = attrs.GetString("mode", "DCR");
  if (mode != "DCR" && mode != "CRD") {
    return absl::InvalidArgumentError(absl::StrCat("invalid attribute 'mode' = '", mode, "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DepthToSpacePlan> PlanDepthToSpace(const AttributeMap& attrs, const Shape& in) {
  DepthToSpacePlan plan;
  if (absl::Status st = CheckDepthToSpaceMode(attrs); !st.ok()) return st;
  plan.crd = attrs.GetString("mode", "DCR") == "CRD";
  if (!attrs.Has("blocksize")) {
    return absl::InvalidArgumentError("attribute 'blocksize' is required");
  }
  plan.block = attrs.GetInt("blocksize", 0);
  if (plan.block < 1 || plan.block > (int64_t{1} << 15)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid blocksize ", plan.block));
  }
  if (in.size() != 4) {
    return absl::InvalidArgumentError(absl::StrCat("input must be 4-D, got ", ShapeToString(in)));
  }
  const int64_t bb = plan.block * plan.block;
  if (in[1] % bb != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("channels ", in[1], " are not a multiple of blocksize^2 = ", bb));
  }
  plan.shape = {in[0], in[1] / bb, in[2] * plan.block, in[3] * plan.block};
  return plan;
}

absl::StatusOr<Shape> SpaceToDepthShape(const AttributeMap& attrs, const Shape& in) {
  if (!attrs.Has("blocksize")) {
    return absl::InvalidArgumentError("attribute 'blocksize' is required");
  }
  const int64_t b = attrs.GetInt("blocksize", 0);
  if (b < 1 || b > (int64_t{1} << 15)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid blocksize ", b));
  }
  if (in.size() != 4) {
    return absl::InvalidArgumentError(absl::StrCat("input must be 4-D, got ", ShapeToString(in)));
  }
  if (in[2] % b != 0 || in[3] % b != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("spatial dims of ", ShapeToString(in), " are not multiples of blocksize ", b));
  }
  return Shape{in[0], in[1] * b * b, in[2] / b, in[3] / b};
}

absl::StatusOr<Shape> TileShape(const Shape& in, const Tensor& repeats_t) {
  if (repeats_t.dtype() != DType::kInt64) {
    return absl::InvalidArgumentError(
        absl::StrCat("input 'repeats' must be int64, got ", DTypeName(repeats_t.dtype())));
  }
  if (repeats_t.rank() != 1) return absl::InvalidArgumentError("input 'repeats' must be 1-D");
  const std::vector<int64_t> repeats = repeats_t.ToInt64Vector();
  if (repeats.size() != in.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'repeats' has ", repeats.size(), " values for an input of rank ", in.size()));
  }
  Shape out(in.size());
  int64_t count = 1;
  for (size_t d = 0; d < in.size(); ++d) {
    if (repeats[d] < 0) {
      return absl::InvalidArgumentError(absl::StrCat("repeat ", repeats[d], " is negative"));
    }
    // Both factors are capped before multiplying, so nothing overflows.
    if (repeats[d] > kMaxShapeElements || in[d] > kMaxShapeElements ||
        (out[d] = in[d] * repeats[d]) > kMaxShapeElements ||
        (count *= out[d]) > kMaxShapeElements) {
      return absl::InvalidArgumentError(absl::StrCat("tiling ", ShapeToString(in), " by ",
                                                     ShapeToString(repeats), " is too large"));
    }
  }
  return out;
}

absl::StatusOr<Shape> ExpandShape(const Shape& in, const Tensor& spec) {
  if (spec.dtype() != DType::kInt64) {
    return absl::InvalidArgumentError(
        absl::StrCat("input 'shape' must be int64, got ", DTypeName(spec.dtype())));
  }
  if (spec.rank() != 1) return absl::InvalidArgumentError("input 'shape' must be 1-D");
  const Shape target = spec.ToInt64Vector();
  for (int64_t d : target) {
    if (d < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("input 'shape' ", ShapeToString(target), " has a negative dimension"));
    }
  }
  absl::StatusOr<Shape> out = BroadcastShapes(in, target);
  if (!out.ok()) return out.status();
  int64_t count = 1;
  for (int64_t d : *out) {
    // Each factor is capped first, so the product stays below 2^62.
    if (d > kMaxShapeElements || (count *= d) > kMaxShapeElements) {
      return absl::InvalidArgumentError(
          absl::StrCat("output shape ", ShapeToString(*out), " has too many elements"));
    }
  }
  return out;
}

namespace {

// Walks the output in order.
template <typename Word>
void TransposeCopy(const Tensor& in, const std::vector<int>& perm, Tensor& out) {
  const int rank = in.rank();
  const int64_t n = out.num_elements();
  if (n == 0) return;
  const std::vector<int64_t> in_strides = RowMajorStrides(in.shape());
  std::vector<int64_t> delta(rank);
  for (int d = 0; d < rank; ++d) delta[d] = in_strides[perm[d]];
  const Word* src = reinterpret_cast<const Word*>(in.raw());
  Word* dst = reinterpret_cast<Word*>(out.raw());
  std::vector<int64_t> coord(rank, 0);
  int64_t offset = 0;
  for (int64_t i = 0; i < n; ++i) {
    dst[i] = src[offset];
    for (int d = rank - 1; d >= 0; --d) {
      offset += delta[d];
      if (++coord[d] < out.dim(d)) break;
      offset -= delta[d] * coord[d];
      coord[d] = 0;
    }
  }
}

absl::Status Transpose(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                       std::vector<Tensor>& outputs) {
  const Tensor& in = *inputs[0];
  absl::StatusOr<std::vector<int>> perm = TransposePermutation(attrs, in.rank());
  if (!perm.ok()) return perm.status();
  Tensor out(in.dtype(), PermutedShape(in.shape(), *perm));
  if (absl::Status st = WithElementWord(
          in.dtype(), [&](auto word) { TransposeCopy<decltype(word)>(in, *perm, out); });
      !st.ok()) {
    return st;
  }
  outputs.push_back(std::move(out));
  return absl::OkStatus();
}

template <typename Word>
void DepthToSpaceCopy(const Tensor& x, const DepthToSpacePlan& plan, Tensor& y) {
  const Word* src = reinterpret_cast<const Word*>(x.raw());
  Word* dst = reinterpret_cast<Word*>(y.raw());
  const int64_t b = plan.block;
  const int64_t n = x.dim(0), c_in = x.dim(1), h = x.dim(2), w = x.dim(3);
  const int64_t c_out = c_in / (b * b);
  for (int64_t in_n = 0; in_n < n; ++in_n) {
    for (int64_t c = 0; c < c_out; ++c) {
      for (int64_t oh = 0; oh < h * b; ++oh) {
        for (int64_t ow = 0; ow < w * b; ++ow) {
          const int64_t i = oh % b, j = ow % b;
          // DCR: channel (i, j, c); CRD: channel (c, i, j).
          const int64_t ch = plan.crd ? (c * b + i) * b + j : (i * b + j) * c_out + c;
          *dst++ = src[((in_n * c_in + ch) * h + oh / b) * w + ow / b];
        }
      }
    }
  }
}

absl::Status DepthToSpace(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  absl::StatusOr<DepthToSpacePlan> plan = PlanDepthToSpace(attrs, x.shape());
  if (!plan.ok()) return plan.status();
  Tensor y(x.dtype(), plan->shape);
  if (absl::Status st = WithElementWord(
          x.dtype(), [&](auto word) { DepthToSpaceCopy<decltype(word)>(x, *plan, y); });
      !st.ok()) {
    return st;
  }
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

// Block row, block column, channel order: the inverse of DepthToSpace DCR.
template <typename Word>
void SpaceToDepthCopy(const Tensor& x, int64_t b, Tensor& y) {
  const Word* src = reinterpret_cast<const Word*>(x.raw());
  Word* dst = reinterpret_cast<Word*>(y.raw());
  const int64_t n = x.dim(0), c_in = x.dim(1), h = x.dim(2), w = x.dim(3);
  const int64_t oh_size = h / b, ow_size = w / b;
  for (int64_t in_n = 0; in_n < n; ++in_n) {
    for (int64_t ch = 0; ch < c_in * b * b; ++ch) {
      const int64_t i = ch / (b * c_in), j = ch / c_in % b, c = ch % c_in;
      for (int64_t oh = 0; oh < oh_size; ++oh) {
        for (int64_t ow = 0; ow < ow_size; ++ow) {
          *dst++ = src[((in_n * c_in + c) * h + oh * b + i) * w + ow * b + j];
        }
      }
    }
  }
}

absl::Status SpaceToDepth(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  absl::StatusOr<Shape> shape = SpaceToDepthShape(attrs, x.shape());
  if (!shape.ok()) return shape.status();
  Tensor y(x.dtype(), *shape);
  const int64_t b = attrs.GetInt("blocksize", 1);
  if (absl::Status st =
          WithElementWord(x.dtype(), [&](auto word) { SpaceToDepthCopy<decltype(word)>(x, b, y); });
      !st.ok()) {
    return st;
  }
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

template <typename Word>
void TileCopy(const Tensor& in, Tensor& out) {
  const int rank = in.rank();
  const int64_t n = out.num_elements();
  if (n == 0) return;
  const std::vector<int64_t> strides = RowMajorStrides(in.shape());
  const Word* src = reinterpret_cast<const Word*>(in.raw());
  Word* dst = reinterpret_cast<Word*>(out.raw());
  std::vector<int64_t> coord(rank, 0);     // output coordinate
  std::vector<int64_t> in_coord(rank, 0);  // coord modulo the input shape
  int64_t offset = 0;
  for (int64_t i = 0; i < n; ++i) {
    dst[i] = src[offset];
    for (int d = rank - 1; d >= 0; --d) {
      ++coord[d];
      offset += strides[d];
      if (++in_coord[d] == in.dim(d)) {
        offset -= strides[d] * in_coord[d];
        in_coord[d] = 0;
      }
      if (coord[d] < out.dim(d)) break;
      coord[d] = 0;
      offset -= strides[d] * in_coord[d];
      in_coord[d] = 0;
    }
  }
}

template <typename Word>
void ExpandCopy(const Tensor& in, Tensor& out) {
  const std::vector<int64_t> index = BroadcastIndex(in.shape(), out.shape());
  const Word* src = reinterpret_cast<const Word*>(in.raw());
  Word* dst = reinterpret_cast<Word*>(out.raw());
  for (size_t i = 0; i < index.size(); ++i) dst[i] = src[index[i]];
}

// Tile and Expand: inputs (data of any dtype, argument); the output, of the data's dtype, has
// shape `shape_fn(data shape, argument)` and is filled by `copy`.
template <absl::StatusOr<Shape> (*shape_fn)(const Shape&, const Tensor&),
          template <typename> class Copy>
absl::Status ArgumentCopy(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs) {
  if (inputs.size() < 2 || inputs[1] == nullptr) {
    return absl::InvalidArgumentError("input 1 is missing");
  }
  const Tensor& in = *inputs[0];
  absl::StatusOr<Shape> shape = shape_fn(in.shape(), *inputs[1]);
  if (!shape.ok()) return shape.status();
  Tensor out(in.dtype(), *shape);
  if (absl::Status st =
          WithElementWord(in.dtype(), [&](auto word) { Copy<decltype(word)>::Run(in, out); });
      !st.ok()) {
    return st;
  }
  outputs.push_back(std::move(out));
  return absl::OkStatus();
}

template <typename Word>
struct TileWords {
  static void Run(const Tensor& in, Tensor& out) { TileCopy<Word>(in, out); }
};
template <typename Word>
struct ExpandWords {
  static void Run(const Tensor& in, Tensor& out) { ExpandCopy<Word>(in, out); }
};

OPENBPU_REGISTER_FLOAT_KERNEL(Transpose, "Transpose", Transpose);
OPENBPU_REGISTER_FLOAT_KERNEL(DepthToSpace, "DepthToSpace", DepthToSpace);
OPENBPU_REGISTER_FLOAT_KERNEL(SpaceToDepth, "SpaceToDepth", SpaceToDepth);
OPENBPU_REGISTER_FLOAT_KERNEL(Tile, "Tile", (ArgumentCopy<TileShape, TileWords>));
OPENBPU_REGISTER_FLOAT_KERNEL(Expand, "Expand", (ArgumentCopy<ExpandShape, ExpandWords>));

}  // namespace
}  // namespace openbpu::kernels
