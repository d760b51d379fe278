// Floor: elementwise round toward -inf.
#include <cmath>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Floor, UnaryFloatSchema("Floor", {}, [](const ir::Node&, float x) {
                      return std::floor(x);
                    }));

}  // namespace
}  // namespace openbpu::ops
