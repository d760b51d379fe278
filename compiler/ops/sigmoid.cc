// Sigmoid: elementwise 1 / (1 + e^-x), in the form that cannot overflow exp for either sign.
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_table_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema SigmoidSchema() {
  ir::OpSchema s = UnaryKernelSchema("Sigmoid", {});
  // Quantized: int8 256-entry table, int16 SegmentLUT (docs/NUMERICS.md, "Lookup tables").
  qtable::MakeUnaryTableOp(s, qtable::Fixed([](double x) { return 1.0 / (1.0 + std::exp(-x)); }),
                           numerics::SegmentLutMirror::kOdd);
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 4;
  return s;
}

OPENBPU_REGISTER_OP(Sigmoid, SigmoidSchema());

}  // namespace
}  // namespace openbpu::ops
