// Cos: elementwise cosine.
#include <cmath>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Cos, UnaryFloatSchema("Cos", {},
                                          [](const ir::Node&, float x) { return std::cos(x); }));

}  // namespace
}  // namespace openbpu::ops
