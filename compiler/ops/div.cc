// Div: broadcasting elementwise quotient. Integer division truncates toward
// zero (C++ semantics, which ONNX Runtime and the ONNX reference share); an
// integer divide by zero gives 0 as in numpy rather than trapping, and
// lowest / -1 wraps to lowest.
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

int64_t IntDiv(int64_t a, int64_t b) {
  if (b == 0) return 0;
  if (b == -1) return static_cast<int64_t>(uint64_t{0} - static_cast<uint64_t>(a));
  return a / b;
}

OPENBPU_REGISTER_OP(Div, BinarySchema(
                             "Div", [](float a, float b) { return a / b; }, IntDiv));

}  // namespace
}  // namespace openbpu::ops
