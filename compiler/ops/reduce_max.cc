// ReduceMax (ONNX ReduceMax-18): maximum over the constant `axes` input or the
// pre-18 `axes` attribute (all axes when empty, unless noop_with_empty_axes).
#include "compiler/ops/reduce_schema.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(ReduceMax, ReduceSchema("ReduceMax", kernels::ReduceOp::kMax,
                                            /*axes_attribute=*/true));

}  // namespace
}  // namespace openbpu::ops
