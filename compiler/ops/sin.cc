// Sin: elementwise sine.
#include <cmath>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Sin, UnaryFloatSchema("Sin", {},
                                          [](const ir::Node&, float x) { return std::sin(x); }));

}  // namespace
}  // namespace openbpu::ops
