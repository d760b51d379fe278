// Sigmoid: elementwise 1 / (1 + e^-x), in the form that cannot overflow exp for either sign.
#include <cmath>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Sigmoid, UnaryFloatSchema("Sigmoid", {}, [](const ir::Node&, float x) {
                      return x >= 0.f ? 1.f / (1.f + std::exp(-x))
                                      : std::exp(x) / (1.f + std::exp(x));
                    }));

}  // namespace
}  // namespace openbpu::ops
