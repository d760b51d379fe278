// Shared parts of QuantizeLinear and DequantizeLinear: the axis rule, scale/zero-point checks and
// the per-element channel index.
#ifndef OPENBPU_COMPILER_OPS_QUANT_LINEAR_COMMON_H_
#define OPENBPU_COMPILER_OPS_QUANT_LINEAR_COMMON_H_

#include <cmath>
#include <initializer_list>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {

// Per-tensor (one scale) or per-channel along `axis`: channel of flat index i.
struct QdqLayout {
  int64_t inner = 1;     // product of dims after axis
  int64_t channels = 1;  // 1 for per-tensor
  int64_t Channel(int64_t i) const { return channels == 1 ? 0 : (i / inner) % channels; }
};

inline QdqLayout MakeQdqLayout(const Shape& shape, int64_t num_scales, int axis) {
  QdqLayout layout;
  if (num_scales == 1 || axis < 0) return layout;
  layout.channels = num_scales;
  for (size_t d = axis + 1; d < shape.size(); ++d) layout.inner *= shape[d];
  return layout;
}

// A scalar or one-element scale is per tensor; a longer 1-D scale is per `axis` (default 1) and
// must have dim(axis) entries. Returns the normalized axis, -1 for per tensor.
inline absl::StatusOr<int> QdqAxis(const ir::Node& node, const Shape& x, int64_t num_scales) {
  const ir::Value* scale = node.input(1);
  if (num_scales == 1 && scale->type().shape.size() <= 1) return -1;
  if (scale->type().shape.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat("the scale must be a scalar or 1-D, got ",
                                                   ShapeToString(scale->type().shape)));
  }
  absl::StatusOr<int> axis =
      NormalizeAxis(node.attrs().GetInt("axis", 1), static_cast<int>(x.size()));
  if (!axis.ok()) return axis.status();
  if (x[*axis] != num_scales) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the scale has ", num_scales, " entries but input dimension ", *axis, " is ", x[*axis]));
  }
  return *axis;
}

// Scale float32; zero point (when given) of dtype `zp_dtype` (one of `allowed`) and the scale's
// shape.
inline absl::Status CheckQdqParams(const ir::Node& node, DType zp_dtype,
                                   std::initializer_list<DType> allowed) {
  if (absl::Status st = RequireDType(node, 1, {DType::kFloat32}); !st.ok()) return st;
  bool ok = false;
  for (DType a : allowed) ok = ok || a == zp_dtype;
  if (!ok) {
    return absl::UnimplementedError(
        absl::StrCat("zero point dtype ", DTypeName(zp_dtype), " is not supported"));
  }
  if (node.input(2) != nullptr && InputType(node, 2).dtype != zp_dtype) {
    return absl::InvalidArgumentError(absl::StrCat("the zero point has dtype ",
                                                   DTypeName(InputType(node, 2).dtype),
                                                   ", expected ", DTypeName(zp_dtype)));
  }
  if (node.input(2) != nullptr && InputType(node, 2).shape != InputType(node, 1).shape) {
    return absl::InvalidArgumentError(
        absl::StrCat("the zero point has shape ", ShapeToString(InputType(node, 2).shape),
                     ", the scale ", ShapeToString(InputType(node, 1).shape)));
  }
  absl::StatusOr<int> axis =
      QdqAxis(node, InputType(node, 0).shape, NumElements(InputType(node, 1).shape));
  return axis.status();
}

// Scales must be finite and positive (ONNX leaves others undefined; we refuse them).
inline absl::Status CheckScaleValues(const Tensor& scale) {
  for (float s : scale.span<float>()) {
    if (!(s > 0.0f) || !std::isfinite(s)) {
      return absl::InvalidArgumentError(absl::StrCat("scale ", s, " is not finite and > 0"));
    }
  }
  return absl::OkStatus();
}

}  // namespace openbpu::ops

#endif  // OPENBPU_COMPILER_OPS_QUANT_LINEAR_COMMON_H_
