// HardSwish: x * max(0, min(1, x / 6 + 0.5)) (ONNX fixes alpha = 1/6, beta = 0.5).
#include <algorithm>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(HardSwish, UnaryFloatSchema("HardSwish", {}, [](const ir::Node&, float x) {
                      return x * std::max(0.f, std::min(1.f, x * (1.f / 6.f) + 0.5f));
                    }));

}  // namespace
}  // namespace openbpu::ops
