// Softplus: elementwise log(1 + e^x), rewritten as max(x, 0) + log1p(e^-|x|) so large |x| neither
// overflows nor loses the linear part.
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_table_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema SoftplusSchema() {
  ir::OpSchema s = UnaryKernelSchema("Softplus", {});
  // Quantized: int8 256-entry table, int16 SegmentLUT (docs/NUMERICS.md, "Lookup tables").
  qtable::MakeUnaryTableOp(s, qtable::Fixed([](double x) {
                             return (x > 0 ? x : 0.0) + std::log1p(std::exp(-std::fabs(x)));
                           }),
                           numerics::SegmentLutMirror::kNone);
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 4;
  return s;
}

OPENBPU_REGISTER_OP(Softplus, SoftplusSchema());

}  // namespace
}  // namespace openbpu::ops
