// SpaceToDepth (ONNX SpaceToDepth-13): moves blocksize x blocksize spatial
// blocks of a 4-D tensor of any dtype into channels (block row, block column,
// channel order: the inverse of DepthToSpace DCR). The float kernel and
// kernels::SpaceToDepthShape are in common/kernels/layout.cc.
#include "common/kernels/data_movement.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema SpaceToDepthSchema() {
  ir::OpSchema s;
  s.name = "SpaceToDepth";
  s.attrs = {{"blocksize", ir::AttrKind::kInt}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const DType dtype = InputType(node, 0).dtype;
    if (DTypeSize(dtype) == 0) return RequireDType(node, 0, {});
    absl::StatusOr<Shape> shape =
        kernels::SpaceToDepthShape(node.attrs(), InputType(node, 0).shape);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = dtype;
    outputs[0].shape = *std::move(shape);
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("SpaceToDepth");
  s.kernel_from_registry = true;
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(SpaceToDepth, SpaceToDepthSchema());

}  // namespace
}  // namespace openbpu::ops
