// Floor: elementwise round toward -inf. Quantized: docs/NUMERICS.md, "Lookup tables".
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_table_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema FloorSchema() {
  ir::OpSchema s = UnaryKernelSchema("Floor", {});
  qtable::MakeRoundingOp(s, /*ceil=*/false);
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 1;
  return s;
}

OPENBPU_REGISTER_OP(Floor, FloorSchema());

}  // namespace
}  // namespace openbpu::ops
