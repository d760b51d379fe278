// Exp: elementwise e^x.
#include <cmath>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Exp, UnaryFloatSchema("Exp", {},
                                          [](const ir::Node&, float x) { return std::exp(x); }));

}  // namespace
}  // namespace openbpu::ops
