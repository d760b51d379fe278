// Sqrt: elementwise square root (NaN for negative inputs, as numpy).
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_table_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema SqrtSchema() {
  ir::OpSchema s = UnaryKernelSchema("Sqrt", {});
  // Quantized: int8 256-entry table, int16 normalized table (docs/NUMERICS.md, "Lookup tables").
  // Inputs < 0 give 0 (docs/NUMERICS.md, "Lookup tables").
  qtable::MakeNormalizedInt16Op(
      s, qtable::Fixed([](double x) { return x > 0 ? std::sqrt(x) : 0.0; }),
      numerics::SegmentLutMirror::kNone, qtable::NormalizedFunction::kSqrt);
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 2;
  return s;
}

OPENBPU_REGISTER_OP(Sqrt, SqrtSchema());

}  // namespace
}  // namespace openbpu::ops
