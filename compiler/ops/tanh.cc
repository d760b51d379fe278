// Tanh: elementwise hyperbolic tangent.
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_table_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema TanhSchema() {
  ir::OpSchema s = UnaryKernelSchema("Tanh", {});
  // Quantized: int8 256-entry table, int16 SegmentLUT (docs/NUMERICS.md, "Lookup tables").
  qtable::MakeUnaryTableOp(s, qtable::Fixed([](double x) { return std::tanh(x); }),
                           numerics::SegmentLutMirror::kOdd);
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 4;
  return s;
}

OPENBPU_REGISTER_OP(Tanh, TanhSchema());

}  // namespace
}  // namespace openbpu::ops
