// Reciprocal: elementwise 1 / x (inf at 0, as numpy).
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_table_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema ReciprocalSchema() {
  ir::OpSchema s = UnaryKernelSchema("Reciprocal", {});
  // Quantized: int8 256-entry table, int16 normalized table (docs/NUMERICS.md, "Lookup tables").
  // Input 0 gives the highest output (1 / +0 = +inf).
  qtable::MakeNormalizedInt16Op(
      s, qtable::Fixed([](double x) { return x != 0 ? 1.0 / x : HUGE_VAL; }),
      numerics::SegmentLutMirror::kOdd, qtable::NormalizedFunction::kReciprocal);
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 2;
  return s;
}

OPENBPU_REGISTER_OP(Reciprocal, ReciprocalSchema());

}  // namespace
}  // namespace openbpu::ops
