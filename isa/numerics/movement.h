// Data movement shared by the quantized reference and the simulator
// (docs/NUMERICS.md, "Exact ops"): one strided copy and the index views that
// express transpose, slice, broadcast (Expand), Tile, DepthToSpace and
// SpaceToDepth with it. Elements are moved as opaque words.
#ifndef OPENBPU_ISA_NUMERICS_MOVEMENT_H_
#define OPENBPU_ISA_NUMERICS_MOVEMENT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace openbpu::numerics {

// A strided view of a row-major source: output element at coordinate c (over
// `shape`, row-major) reads source[base + sum_d c[d] * deltas[d]].
struct StridedView {
  std::vector<int64_t> shape;
  std::vector<int64_t> deltas;
  int64_t base = 0;
};

template <typename Word>
void StridedCopy(const Word* src, const StridedView& view, Word* dst) {
  const int rank = static_cast<int>(view.shape.size());
  int64_t n = 1;
  for (int64_t d : view.shape) n *= d;
  if (n == 0) return;
  std::vector<int64_t> coord(rank, 0);
  int64_t offset = view.base;
  for (int64_t i = 0; i < n; ++i) {
    dst[i] = src[offset];
    for (int d = rank - 1; d >= 0; --d) {
      offset += view.deltas[d];
      if (++coord[d] < view.shape[d]) break;
      offset -= view.deltas[d] * coord[d];
      coord[d] = 0;
    }
  }
}

// Row-major element strides of `shape`.
std::vector<int64_t> ElementStrides(const std::vector<int64_t>& shape);

// Output dimension i is input dimension perm[i] (perm a permutation).
StridedView TransposeView(const std::vector<int64_t>& in_shape, const std::vector<int>& perm);

// Output dimension d takes count[d] elements from start[d] stepping by step[d]
// (step may be negative); every selected index must lie inside the input.
StridedView SliceView(const std::vector<int64_t>& in_shape, const std::vector<int64_t>& start,
                      const std::vector<int64_t>& step, const std::vector<int64_t>& count);

// Numpy broadcast of `in_shape` to `out_shape` (rank(in) <= rank(out); every
// input dimension equals the output's or is 1).
StridedView BroadcastView(const std::vector<int64_t>& in_shape,
                          const std::vector<int64_t>& out_shape);

// Tile: a 2r-dimensional view [repeats[0], in[0], repeats[1], in[1], ...].
StridedView TileView(const std::vector<int64_t>& in_shape, const std::vector<int64_t>& repeats);

// DepthToSpace of [N, C, H, W] with block b: DCR reads channel (i, j, c), CRD
// channel (c, i, j) for output [N, C / b^2, H * b, W * b].
StridedView DepthToSpaceView(const std::vector<int64_t>& in_shape, int64_t block, bool crd);

// SpaceToDepth of [N, C, H, W] with block b: output channel (i, j, c) of
// [N, C * b^2, H / b, W / b] (the inverse of DCR).
StridedView SpaceToDepthView(const std::vector<int64_t>& in_shape, int64_t block);

}  // namespace openbpu::numerics

#endif  // OPENBPU_ISA_NUMERICS_MOVEMENT_H_
