// The epilogue of the fused ops (FusedConv, FusedLinear: conv / linear + sumin + activation),
// shared by their float kernels and the op schemas' validation and shape inference.
#ifndef OPENBPU_COMMON_KERNELS_FUSED_H_
#define OPENBPU_COMMON_KERNELS_FUSED_H_

#include "absl/status/status.h"
#include "common/attribute.h"
#include "common/tensor.h"

namespace openbpu::kernels {

// Attribute `activation` is none (default), relu or relu6 (UNIMPLEMENTED otherwise).
absl::Status CheckFusedActivation(const AttributeMap& attrs);

// The optional sumin input (null when omitted) has exactly the output's shape.
absl::Status CheckSuminShape(const Shape& output, const Shape* sumin);

// y += sumin (when given), then the activation of `attrs`.
void ApplyFusedEpilogue(const AttributeMap& attrs, const Tensor* sumin, Tensor& y);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_FUSED_H_
