// Tile (ONNX Tile-13): repeats a tensor of any dtype along each dimension by
// the constant int64 `repeats`.
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 31;

// Shared by shape inference and the kernel.
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
    if (repeats[d] > kMaxElements || in[d] > kMaxElements ||
        (out[d] = in[d] * repeats[d]) > kMaxElements || (count *= out[d]) > kMaxElements) {
      return absl::InvalidArgumentError(absl::StrCat("tiling ", ShapeToString(in), " by ",
                                                     ShapeToString(repeats), " is too large"));
    }
  }
  return out;
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

absl::Status Tile(const Tensor& in, Tensor& out) {
  return WithElementWord(in.dtype(), [&](auto word) { TileCopy<decltype(word)>(in, out); });
}

ir::OpSchema TileSchema() {
  ir::OpSchema s = ConstantArgCopySchema("Tile", TileShape, Tile);
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Tile, TileSchema());

}  // namespace
}  // namespace openbpu::ops
