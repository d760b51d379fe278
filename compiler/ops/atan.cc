// Atan: elementwise arctangent.
#include <cmath>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Atan, UnaryFloatSchema("Atan", {},
                                           [](const ir::Node&, float x) { return std::atan(x); }));

}  // namespace
}  // namespace openbpu::ops
