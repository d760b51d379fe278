// ReduceMin (ONNX ReduceMin-18): minimum over the constant `axes` input or the
// pre-18 `axes` attribute (all axes when empty, unless noop_with_empty_axes).
// Quantized (exact): the same minimum over the integers, computed as aae.reduce
// computes min: -max(-x) over the input widened to int64 (ExactReduceSchema).
#include "compiler/ops/reduce_schema.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(ReduceMin, ExactReduceSchema("ReduceMin", kernels::ReduceOp::kMin));

}  // namespace
}  // namespace openbpu::ops
