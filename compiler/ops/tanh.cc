// Tanh: elementwise hyperbolic tangent.
#include <cmath>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Tanh, UnaryFloatSchema("Tanh", {},
                                           [](const ir::Node&, float x) { return std::tanh(x); }));

}  // namespace
}  // namespace openbpu::ops
