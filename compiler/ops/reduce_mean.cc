// ReduceMean (ONNX ReduceMean-18): averages over the constant `axes` input or the
// pre-18 `axes` attribute (all axes when empty, unless noop_with_empty_axes).
#include "compiler/ops/reduce_schema.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(ReduceMean, ReduceSchema("ReduceMean", kernels::ReduceOp::kMean,
                                             /*axes_attribute=*/true));

}  // namespace
}  // namespace openbpu::ops
