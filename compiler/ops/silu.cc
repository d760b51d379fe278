// SiLU (swish): x * sigmoid(x). ONNX has no such op: torch exports nn.SiLU as Sigmoid then Mul,
// and the march rewrite (compiler/passes/march_rewrites.h) folds that pair into one SiLU, which the
// BPU runs as one lookup table (the vendor's op table: torch.nn.SiLU, "lookup-table
// implementation") instead of a table and an integer multiply with a requantized sigmoid between.
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_table_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema SiluSchema() {
  ir::OpSchema s = UnaryKernelSchema("SiLU", {});
  // Quantized: int8 256-entry table, int16 SegmentLUT (docs/NUMERICS.md, "Lookup tables").
  qtable::MakeUnaryTableOp(s, qtable::Fixed([](double x) { return x / (1.0 + std::exp(-x)); }),
                           numerics::SegmentLutMirror::kNone);
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 4;
  return s;
}

OPENBPU_REGISTER_OP(SiLU, SiluSchema());

}  // namespace
}  // namespace openbpu::ops
