// Softplus: elementwise log(1 + e^x), rewritten as max(x, 0) + log1p(e^-|x|) so large |x| neither
// overflows nor loses the linear part.
#include <cmath>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Softplus, UnaryFloatSchema("Softplus", {}, [](const ir::Node&, float x) {
                      return (x > 0.f ? x : 0.f) + std::log1p(std::exp(-std::fabs(x)));
                    }));

}  // namespace
}  // namespace openbpu::ops
