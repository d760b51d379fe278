// GlobalAveragePool: average over all spatial dimensions of float32 [N, C, ...]
// (rank >= 3); the output keeps the spatial dimensions as 1s. The float kernel
// is in common/kernels/pool_ops.cc.
#include "compiler/ops/pool_schema.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(GlobalAveragePool,
                    qarith::WithArithmeticQuant<qparams::Divisors>(
                        GlobalPoolSchema("GlobalAveragePool"), qarith::PrepareGlobalAveragePool,
                        qarith::GlobalAveragePoolKernel));

}  // namespace
}  // namespace openbpu::ops
