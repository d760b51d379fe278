// Erf: elementwise the Gauss error function (used by exact GELU).
#include <cmath>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Erf, UnaryFloatSchema("Erf", {},
                                          [](const ir::Node&, float x) { return std::erf(x); }));

}  // namespace
}  // namespace openbpu::ops
