// The strided views of the data-movement ops (docs/NUMERICS.md, "Exact ops").
#include "isa/numerics/movement.h"

namespace openbpu::numerics {

std::vector<int64_t> ElementStrides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int d = static_cast<int>(shape.size()) - 2; d >= 0; --d) {
    strides[d] = strides[d + 1] * shape[d + 1];
  }
  return strides;
}

StridedView TransposeView(const std::vector<int64_t>& in_shape, const std::vector<int>& perm) {
  const std::vector<int64_t> strides = ElementStrides(in_shape);
  StridedView v;
  for (int p : perm) {
    v.shape.push_back(in_shape[p]);
    v.deltas.push_back(strides[p]);
  }
  return v;
}

StridedView SliceView(const std::vector<int64_t>& in_shape, const std::vector<int64_t>& start,
                      const std::vector<int64_t>& step, const std::vector<int64_t>& count) {
  const std::vector<int64_t> strides = ElementStrides(in_shape);
  StridedView v;
  v.shape = count;
  for (size_t d = 0; d < in_shape.size(); ++d) {
    v.deltas.push_back(step[d] * strides[d]);
    v.base += start[d] * strides[d];
  }
  return v;
}

StridedView BroadcastView(const std::vector<int64_t>& in_shape,
                          const std::vector<int64_t>& out_shape) {
  const std::vector<int64_t> strides = ElementStrides(in_shape);
  const size_t lead = out_shape.size() - in_shape.size();
  StridedView v;
  v.shape = out_shape;
  v.deltas.assign(out_shape.size(), 0);
  for (size_t d = 0; d < in_shape.size(); ++d) {
    if (in_shape[d] != 1) v.deltas[lead + d] = strides[d];
  }
  return v;
}

StridedView TileView(const std::vector<int64_t>& in_shape, const std::vector<int64_t>& repeats) {
  const std::vector<int64_t> strides = ElementStrides(in_shape);
  StridedView v;
  for (size_t d = 0; d < in_shape.size(); ++d) {
    v.shape.push_back(repeats[d]);
    v.deltas.push_back(0);
    v.shape.push_back(in_shape[d]);
    v.deltas.push_back(strides[d]);
  }
  return v;
}

StridedView DepthToSpaceView(const std::vector<int64_t>& in_shape, int64_t block, bool crd) {
  const std::vector<int64_t> s = ElementStrides(in_shape);
  const int64_t b = block;
  const int64_t c_out = in_shape[1] / (b * b);
  StridedView v;
  // Output as [N, C', H, b(i), W, b(j)].
  v.shape = {in_shape[0], c_out, in_shape[2], b, in_shape[3], b};
  if (crd) {  // channel (c * b + i) * b + j
    v.deltas = {s[0], b * b * s[1], s[2], b * s[1], s[3], s[1]};
  } else {  // channel (i * b + j) * C' + c
    v.deltas = {s[0], s[1], s[2], b * c_out * s[1], s[3], c_out * s[1]};
  }
  return v;
}

StridedView SpaceToDepthView(const std::vector<int64_t>& in_shape, int64_t block) {
  const std::vector<int64_t> s = ElementStrides(in_shape);
  const int64_t b = block;
  StridedView v;
  // Output as [N, b(i), b(j), C, H / b, W / b], reading (n, c, h * b + i, w * b + j).
  v.shape = {in_shape[0], b, b, in_shape[1], in_shape[2] / b, in_shape[3] / b};
  v.deltas = {s[0], s[2], s[3], s[1], b * s[2], b * s[3]};
  return v;
}

}  // namespace openbpu::numerics
