// Ceil: elementwise round toward +inf.
#include <cmath>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Ceil, UnaryFloatSchema("Ceil", {},
                                           [](const ir::Node&, float x) { return std::ceil(x); }));

}  // namespace
}  // namespace openbpu::ops
