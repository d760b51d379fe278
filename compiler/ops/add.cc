// Add: broadcasting elementwise sum.
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Add, BinarySchema(
                             "Add", [](float a, float b) { return a + b; },
                             [](int64_t a, int64_t b) { return a + b; }));

}  // namespace
}  // namespace openbpu::ops
