// The schema shared by ReduceSum, ReduceMean, ReduceMax and ReduceMin: axes from the
// constant `axes` input (or, for some ops, the pre-18 attribute), keepdims,
// noop_with_empty_axes; the float kernels are in common/kernels/reduce_ops.cc.
#ifndef OPENBPU_COMPILER_OPS_REDUCE_SCHEMA_H_
#define OPENBPU_COMPILER_OPS_REDUCE_SCHEMA_H_

#include <string>

#include "common/kernels/reduce.h"
#include "compiler/ir/op_registry.h"

namespace openbpu::ops {

// `axes_attribute`: the op also accepts `axes` as an attribute, as
// ReduceMean/ReduceMax/ReduceMin do before opset 18 (the importer converts ReduceSum-1..11's
// attribute into an input).
// The float kernel is common/kernels' of `name`.
ir::OpSchema ReduceSchema(std::string name, bool axes_attribute);

// ReduceSchema (with the `axes` attribute) plus the exact integer kernel of ReduceMax / ReduceMin
// (`op` kMax or kMin): the same extreme over the integers (docs/NUMERICS.md).
ir::OpSchema ExactReduceSchema(std::string name, kernels::ReduceOp op);

}  // namespace openbpu::ops

#endif  // OPENBPU_COMPILER_OPS_REDUCE_SCHEMA_H_
