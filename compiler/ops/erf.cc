// Erf: elementwise the Gauss error function (used by exact GELU).
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_table_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema ErfSchema() {
  ir::OpSchema s = UnaryKernelSchema("Erf", {});
  // Quantized: int8 256-entry table, int16 SegmentLUT (docs/NUMERICS.md, "Lookup tables").
  qtable::MakeUnaryTableOp(s, qtable::Fixed([](double x) { return std::erf(x); }),
                           numerics::SegmentLutMirror::kOdd);
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 4;
  return s;
}

OPENBPU_REGISTER_OP(Erf, ErfSchema());

}  // namespace
}  // namespace openbpu::ops
