// LessOrEqual (ONNX opset 12+): broadcasting elementwise a <= b, a bool tensor.
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

// Quantized (exact): a * s_a <= b * s_b compared exactly in integers
// (docs/NUMERICS.md, "Max/min/compare"); a bool output without quantization.
ir::OpSchema LessOrEqualSchema() {
  ir::OpSchema s = BinaryKernelSchema("LessOrEqual", /*has_int=*/true, /*bool_output=*/true);
  qexact::SetCompareQuant(s, isa::CmpPredicate::kLe);
  return s;
}

OPENBPU_REGISTER_OP(LessOrEqual, LessOrEqualSchema());

}  // namespace
}  // namespace openbpu::ops
