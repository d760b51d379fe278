// Sqrt: elementwise square root (NaN for negative inputs, as numpy).
#include <cmath>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Sqrt, UnaryFloatSchema("Sqrt", {},
                                           [](const ir::Node&, float x) { return std::sqrt(x); }));

}  // namespace
}  // namespace openbpu::ops
