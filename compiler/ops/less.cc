// Less: broadcasting elementwise a < b, a bool tensor.
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

// Quantized (exact): a * s_a < b * s_b compared exactly in integers
// (docs/NUMERICS.md, "Max/min/compare"); a bool output without quantization.
ir::OpSchema LessSchema() {
  ir::OpSchema s = BinaryKernelSchema("Less", /*has_int=*/true, /*bool_output=*/true);
  qexact::SetCompareQuant(s, isa::CmpPredicate::kLt);
  return s;
}

OPENBPU_REGISTER_OP(Less, LessSchema());

}  // namespace
}  // namespace openbpu::ops
