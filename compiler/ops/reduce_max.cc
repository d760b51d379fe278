// ReduceMax (ONNX ReduceMax-18): maximum over the constant `axes` input or the
// pre-18 `axes` attribute (all axes when empty, unless noop_with_empty_axes).
// Quantized (exact): the same maximum over the integers (ExactReduceSchema).
#include "compiler/ops/reduce_schema.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(ReduceMax, ExactReduceSchema("ReduceMax", kernels::ReduceOp::kMax));

}  // namespace
}  // namespace openbpu::ops
