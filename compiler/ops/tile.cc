// Tile (ONNX Tile-13): repeats a tensor of any dtype along each dimension by
// the constant int64 `repeats`. The float kernel and kernels::TileShape are in
// common/kernels/layout.cc.
#include "common/kernels/data_movement.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema TileSchema() {
  ir::OpSchema s = ConstantArgCopySchema("Tile", kernels::TileShape);
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Tile, TileSchema());

}  // namespace
}  // namespace openbpu::ops
