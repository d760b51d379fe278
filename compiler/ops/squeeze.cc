// Squeeze (ONNX Squeeze-13): drops size-1 dimensions, those listed in the
// constant `axes` input or, without it, all of them; any dtype. The float
// kernel and kernels::SqueezeShape are in common/kernels/reshape.cc.
#include "common/kernels/data_movement.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema SqueezeSchema() {
  ir::OpSchema s;
  s.name = "Squeeze";
  s.min_inputs = 1;
  s.max_inputs = 2;
  s.constant_inputs = {1};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const ir::Value* axes = node.input(1);
    absl::StatusOr<Shape> shape = kernels::SqueezeShape(
        InputType(node, 0).shape, axes == nullptr ? nullptr : &axes->constant());
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Squeeze");
  s.kernel_from_registry = true;
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Squeeze, SqueezeSchema());

}  // namespace
}  // namespace openbpu::ops
