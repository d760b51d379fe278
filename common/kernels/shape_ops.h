// The planning of the ops that make tensors from shapes and scalars (Shape, ConstantOfShape,
// Range) and of Cast, shared by their float kernels (shape_ops.cc) and the op schemas' shape
// inference.
#ifndef OPENBPU_COMMON_KERNELS_SHAPE_OPS_H_
#define OPENBPU_COMMON_KERNELS_SHAPE_OPS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/attribute.h"
#include "common/tensor.h"

namespace openbpu::kernels {

// Shape-15: the dimensions [start, end) of `in` (attributes, clamped, never an error).
Shape ShapeSlice(const AttributeMap& attrs, const Shape& in);

// ConstantOfShape: the output shape from the int64 1-D input.
absl::StatusOr<Shape> ConstantOfShapeShape(const Tensor& spec);
// ConstantOfShape's fill: attribute `value` (a one-element tensor), default float32 0.
absl::StatusOr<Tensor> ConstantOfShapeValue(const AttributeMap& attrs);

// Range-11: the element count of start, limit, delta (scalars of one dtype: float32, int32 or
// int64).
absl::StatusOr<int64_t> RangeCount(absl::Span<const Tensor* const> in);

// Cast: the DType of attribute `to` (required), an ONNX TensorProto data type code
// (UNIMPLEMENTED for those without a DType).
absl::StatusOr<DType> CastTargetDType(const AttributeMap& attrs);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_SHAPE_OPS_H_
