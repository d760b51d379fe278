// Reciprocal: elementwise 1 / x (inf at 0, as numpy).
#include <cmath>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Reciprocal, UnaryFloatSchema("Reciprocal", {},
                                                 [](const ir::Node&, float x) { return 1.f / x; }));

}  // namespace
}  // namespace openbpu::ops
