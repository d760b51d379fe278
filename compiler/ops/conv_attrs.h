// Operand checks and attribute reading shared by Conv, ConvTranspose and
// FusedConv (the conv math is in common/kernels/conv.h).
#ifndef OPENBPU_COMPILER_OPS_CONV_ATTRS_H_
#define OPENBPU_COMPILER_OPS_CONV_ATTRS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/kernels/conv.h"
#include "common/tensor.h"
#include "compiler/ir/graph.h"
#include "compiler/ir/op_registry.h"

namespace openbpu::ops {

struct ConvPlan {
  kernels::ConvGeometry geometry;
  int64_t group = 1;
  Shape output;  // [N, M, spatial...]
};

// The conv ops' validator: a known auto_pad and group >= 1.
absl::Status ValidateConvAttrs(const ir::Node& node);

// X is [N, C, spatial...] and W has X's rank.
absl::Status CheckConvRanks(const Shape& x, const Shape& w);

// Checks kernel_shape against the weight's spatial shape `kernel` and `bias`
// (null when omitted) against [out_channels], then reads strides, dilations,
// pads and auto_pad (not the ConvTranspose-only attributes).
absl::StatusOr<kernels::ConvAttrs> ReadConvAttrs(const ir::Node& node,
                                                 const std::vector<int64_t>& kernel,
                                                 const Shape* bias, int64_t out_channels);

// [batch, channels, spatial...]
Shape ConvOutputShape(int64_t batch, int64_t channels, const std::vector<int64_t>& spatial);

// Conv / FusedConv: X [N, C, spatial...], W [M, C/group, kernel...], bias [M]
// (null when omitted). Shared by shape inference and the kernels.
absl::StatusOr<ConvPlan> PlanConv(const ir::Node& node, const Shape& x, const Shape& w,
                                  const Shape* bias);

using ConvPlanFn = absl::StatusOr<ConvPlan> (*)(const ir::Node& node, const Shape& x,
                                                const Shape& w, const Shape* bias);
// kernels::Conv or kernels::ConvTranspose.
using ConvMathFn = void (*)(const float* x, int64_t batch, int64_t in_channels, const float* w,
                            int64_t out_channels, int64_t group, const float* bias,
                            const kernels::ConvGeometry& geometry, float* y);

// Schema of a float32 op y = math(X, W) + B with B optional (Conv,
// ConvTranspose): Conv's attributes plus `extra_attrs`, ValidateConvAttrs, and
// `plan` for shape inference and the kernel.
ir::OpSchema ConvLikeSchema(std::string name, std::vector<ir::AttrSpec> extra_attrs,
                            ConvPlanFn plan, ConvMathFn math);

}  // namespace openbpu::ops

#endif  // OPENBPU_COMPILER_OPS_CONV_ATTRS_H_
