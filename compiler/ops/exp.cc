// Exp: elementwise e^x.
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_table_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema ExpSchema() {
  ir::OpSchema s = UnaryKernelSchema("Exp", {});
  // Quantized: int8 256-entry table, int16 SegmentLUT (docs/NUMERICS.md, "Lookup tables").
  qtable::MakeUnaryTableOp(s, qtable::Fixed([](double x) { return std::exp(x); }),
                           numerics::SegmentLutMirror::kNone);
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 8;
  return s;
}

OPENBPU_REGISTER_OP(Exp, ExpSchema());

}  // namespace
}  // namespace openbpu::ops
