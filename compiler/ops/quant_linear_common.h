// Shape inference shared by QuantizeLinear and DequantizeLinear: the scale / zero-point checks
// (the axis rule and the kernels are common/kernels/qdq.h's).
#ifndef OPENBPU_COMPILER_OPS_QUANT_LINEAR_COMMON_H_
#define OPENBPU_COMPILER_OPS_QUANT_LINEAR_COMMON_H_

#include <initializer_list>

#include "common/kernels/qdq.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {

// Scale float32; zero point (when given) of dtype `zp_dtype` (one of `allowed`) and the scale's
// shape; the scale fits the input (kernels::QdqAxis).
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
  return kernels::QdqAxis(node.attrs(), InputType(node, 0).shape, InputType(node, 1).shape)
      .status();
}

}  // namespace openbpu::ops

#endif  // OPENBPU_COMPILER_OPS_QUANT_LINEAR_COMMON_H_
