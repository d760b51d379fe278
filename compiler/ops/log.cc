// Log: elementwise natural logarithm (-inf at 0, NaN below, as numpy).
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_table_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema LogSchema() {
  ir::OpSchema s = UnaryKernelSchema("Log", {});
  // Quantized: int8 256-entry table, int16 normalized log2 table (docs/NUMERICS.md, "Lookup
  // tables"). Inputs <= 0 give log = -inf, i.e. the lowest output (docs/NUMERICS.md).
  qtable::MakeNormalizedInt16Op(
      s, qtable::Fixed([](double x) { return x > 0 ? std::log(x) : -HUGE_VAL; }),
      numerics::SegmentLutMirror::kNone, qtable::NormalizedFunction::kLog);
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 64;
  return s;
}

OPENBPU_REGISTER_OP(Log, LogSchema());

}  // namespace
}  // namespace openbpu::ops
