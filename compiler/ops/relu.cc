// Relu: max(x, 0).
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Relu, UnaryFloatSchema("Relu", {}, [](const ir::Node&, float x) {
                      return x > 0.f ? x : 0.f;
                    }));

}  // namespace
}  // namespace openbpu::ops
