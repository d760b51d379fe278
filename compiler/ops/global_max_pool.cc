// GlobalMaxPool: max over all spatial dimensions of float32 [N, C, ...]
// (rank >= 3); the output keeps the spatial dimensions as 1s.
#include "compiler/ops/pool_schema.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(GlobalMaxPool, GlobalPoolSchema("GlobalMaxPool", kernels::GlobalMaxPool));

}  // namespace
}  // namespace openbpu::ops
