// GreaterOrEqual (ONNX opset 12+): broadcasting elementwise a >= b, a bool tensor.
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

// Quantized (exact): a * s_a >= b * s_b compared exactly in integers
// (docs/NUMERICS.md, "Max/min/compare"); a bool output without quantization.
ir::OpSchema GreaterOrEqualSchema() {
  ir::OpSchema s = BinaryKernelSchema("GreaterOrEqual", /*has_int=*/true, /*bool_output=*/true);
  qexact::SetCompareQuant(s, isa::CmpPredicate::kGe);
  return s;
}

OPENBPU_REGISTER_OP(GreaterOrEqual, GreaterOrEqualSchema());

}  // namespace
}  // namespace openbpu::ops
