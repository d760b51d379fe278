// The schema shared by Conv, ConvTranspose and FusedConv, and node forms of the conv attribute
// planning (common/kernels/conv.h, where the float kernels are) for shape inference, the integer
// kernels and the back end.
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

using kernels::ConvPlan;

// The conv ops' validator: a known auto_pad and group >= 1.
absl::Status ValidateConvAttrs(const ir::Node& node);

// kernels::ReadConvAttrs of the node's attributes.
absl::StatusOr<kernels::ConvAttrs> ReadConvAttrs(const ir::Node& node,
                                                 const std::vector<int64_t>& kernel,
                                                 const Shape* bias, int64_t out_channels);

// kernels::PlanConv of the node's attributes (Conv / FusedConv).
absl::StatusOr<ConvPlan> PlanConv(const ir::Node& node, const Shape& x, const Shape& w,
                                  const Shape* bias);

using ConvPlanFn = absl::StatusOr<ConvPlan> (*)(const ir::Node& node, const Shape& x,
                                                const Shape& w, const Shape* bias);

// Schema of a float32 op y = math(X, W) + B with B optional (Conv,
// ConvTranspose): Conv's attributes plus `extra_attrs`, ValidateConvAttrs, `plan`
// for shape inference, and the float kernel of `name` in common/kernels/conv_ops.cc.
ir::OpSchema ConvLikeSchema(std::string name, std::vector<ir::AttrSpec> extra_attrs,
                            ConvPlanFn plan);

}  // namespace openbpu::ops

#endif  // OPENBPU_COMPILER_OPS_CONV_ATTRS_H_
