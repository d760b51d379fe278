// HardSwish: x * max(0, min(1, x / 6 + 0.5)) (ONNX fixes alpha = 1/6, beta = 0.5).
#include <algorithm>
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_table_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema HardSwishSchema() {
  ir::OpSchema s = UnaryKernelSchema("HardSwish", {});
  // Quantized: int8 256-entry table, int16 SegmentLUT (docs/NUMERICS.md, "Lookup tables").
  qtable::MakeUnaryTableOp(
      s, qtable::Fixed([](double x) { return x * std::max(0.0, std::min(1.0, x / 6 + 0.5)); }),
      numerics::SegmentLutMirror::kNone);
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 4;
  return s;
}

OPENBPU_REGISTER_OP(HardSwish, HardSwishSchema());

}  // namespace
}  // namespace openbpu::ops
