// Less: broadcasting elementwise a < b, a bool tensor.
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Less, BinarySchema(
                              "Less", [](float a, float b) { return a < b ? 1.f : 0.f; },
                              [](int64_t a, int64_t b) -> int64_t { return a < b; },
                              /*bool_output=*/true));

}  // namespace
}  // namespace openbpu::ops
