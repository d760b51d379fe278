// HardSigmoid: max(0, min(1, alpha * x + beta)), alpha 0.2 and beta 0.5 by default.
#include <algorithm>
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_table_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema HardSigmoidSchema() {
  ir::OpSchema s = UnaryKernelSchema(
      "HardSigmoid", {{"alpha", ir::AttrKind::kFloat}, {"beta", ir::AttrKind::kFloat}});
  // Quantized: int8 256-entry table, int16 SegmentLUT (docs/NUMERICS.md, "Lookup tables").
  qtable::MakeUnaryTableOp(
      s,
      [](const ir::Node& node, double) -> absl::StatusOr<std::function<double(double)>> {
        const double alpha = node.attrs().GetFloat("alpha", 0.2f);
        const double beta = node.attrs().GetFloat("beta", 0.5f);
        return [alpha, beta](double x) { return std::max(0.0, std::min(1.0, alpha * x + beta)); };
      },
      numerics::SegmentLutMirror::kNone);
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 4;
  return s;
}

OPENBPU_REGISTER_OP(HardSigmoid, HardSigmoidSchema());

}  // namespace
}  // namespace openbpu::ops
