// ReduceSum (ONNX ReduceSum-13): sums over the axes of the constant `axes`
// input (all axes when empty, unless noop_with_empty_axes).
#include "compiler/ops/reduce_schema.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(ReduceSum, ReduceSchema("ReduceSum", kernels::ReduceOp::kSum,
                                            /*axes_attribute=*/false));

}  // namespace
}  // namespace openbpu::ops
