// Elu: x for x > 0, alpha * (e^x - 1) below (alpha defaults to 1).
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_table_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema EluSchema() {
  ir::OpSchema s = UnaryKernelSchema("Elu", {{"alpha", ir::AttrKind::kFloat}});
  // Quantized: int8 256-entry table, int16 SegmentLUT (docs/NUMERICS.md, "Lookup tables").
  qtable::MakeUnaryTableOp(
      s,
      [](const ir::Node& node, double) -> absl::StatusOr<std::function<double(double)>> {
        const double alpha = node.attrs().GetFloat("alpha", 1.f);
        return [alpha](double x) { return x > 0 ? x : alpha * std::expm1(x); };
      },
      numerics::SegmentLutMirror::kNone);
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 4;
  return s;
}

OPENBPU_REGISTER_OP(Elu, EluSchema());

}  // namespace
}  // namespace openbpu::ops
