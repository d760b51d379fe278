// Expand (ONNX Expand-13): broadcasts a tensor of any dtype against a constant
// int64 shape (bidirectionally: the shape's 1s keep larger input dimensions).
// The float kernel and kernels::ExpandShape are in common/kernels/layout.cc.
#include "common/kernels/data_movement.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema ExpandSchema() {
  ir::OpSchema s = ConstantArgCopySchema("Expand", kernels::ExpandShape);
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Expand, ExpandSchema());

}  // namespace
}  // namespace openbpu::ops
