// Multidirectional (numpy) broadcasting for the float kernels and the ops' kernels.
#ifndef OPENBPU_COMMON_KERNELS_BROADCAST_H_
#define OPENBPU_COMMON_KERNELS_BROADCAST_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/tensor.h"

namespace openbpu::kernels {

// The broadcast shape of two shapes, or INVALID_ARGUMENT naming both.
absl::StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b);

// The broadcast shape of any number of shapes (the scalar shape for none).
absl::StatusOr<Shape> BroadcastShapesN(const std::vector<Shape>& shapes);

// Where's output shape: a bool condition, X and Y of one dtype, the three broadcast together.
absl::StatusOr<Shape> WhereOutputShape(DType cond, DType x, DType y, const Shape& cs,
                                       const Shape& xs, const Shape& ys);

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

// out[i] = fn(out[i] so far, input k's broadcast element) folded over inputs 1..n-1,
// starting from input 0; all inputs have element type T.
template <typename T, typename Fn>
Tensor BroadcastFold(absl::Span<const Tensor* const> inputs, const Shape& out_shape, Fn fn) {
  Tensor out(DTypeOf<T>::value, out_shape);
  T* po = out.data<T>();
  for (size_t k = 0; k < inputs.size(); ++k) {
    const std::vector<int64_t> index = BroadcastIndex(inputs[k]->shape(), out_shape);
    const T* pi = inputs[k]->data<T>();
    for (size_t i = 0; i < index.size(); ++i)
      po[i] = k == 0 ? pi[index[i]] : fn(po[i], pi[index[i]]);
  }
  return out;
}

// A Clip bound (input `index`) is a scalar of the data's dtype (common/kernels/elementwise.cc).
absl::Status CheckClipBound(DType data, const Shape& shape, DType dtype, int index);

// PRelu's slope must broadcast to the input's shape (one slope per channel, or any broadcastable
// shape), or INVALID_ARGUMENT naming both.
absl::Status CheckPReluSlope(const Shape& x, const Shape& slope);

// The exponent dtypes of Pow (common/kernels/binary.cc); the base is float32, int32 or int64.
inline constexpr DType kPowExponentDTypes[] = {DType::kFloat32, DType::kFloat64, DType::kInt8,
                                               DType::kInt16,   DType::kInt32,   DType::kInt64,
                                               DType::kUInt8};

// Input dtypes of a variadic op must agree; then the broadcast of their shapes.
absl::StatusOr<Shape> VariadicOutputShape(const std::vector<DType>& dtypes,
                                          const std::vector<Shape>& shapes);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_BROADCAST_H_
