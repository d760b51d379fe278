// Multidirectional (numpy) broadcasting for the float kernels and the ops' kernels.
#ifndef OPENBPU_COMMON_KERNELS_BROADCAST_H_
#define OPENBPU_COMMON_KERNELS_BROADCAST_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "common/tensor.h"

namespace openbpu::kernels {

// The broadcast shape of two shapes, or INVALID_ARGUMENT naming both.
absl::StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b);

// For every output element, the flat index of the broadcast element of an input of shape `in`
// (rank <= out rank).
std::vector<int64_t> BroadcastIndex(const Shape& in, const Shape& out);

// out[i] = fn(a[bi], b[bi]) with broadcasting; In and Out are C++ element types.
template <typename In, typename Out, typename Fn>
Tensor BroadcastBinary(const Tensor& a, const Tensor& b, const Shape& out_shape, Fn fn) {
  Tensor out(DTypeOf<Out>::value, out_shape);
  const std::vector<int64_t> ia = BroadcastIndex(a.shape(), out_shape);
  const std::vector<int64_t> ib = BroadcastIndex(b.shape(), out_shape);
  const In* pa = a.data<In>();
  const In* pb = b.data<In>();
  Out* po = out.data<Out>();
  for (size_t i = 0; i < ia.size(); ++i) po[i] = fn(pa[ia[i]], pb[ib[i]]);
  return out;
}

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_BROADCAST_H_
