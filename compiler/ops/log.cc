// Log: elementwise natural logarithm (-inf at 0, NaN below, as numpy).
#include <cmath>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Log, UnaryFloatSchema("Log", {},
                                          [](const ir::Node&, float x) { return std::log(x); }));

}  // namespace
}  // namespace openbpu::ops
