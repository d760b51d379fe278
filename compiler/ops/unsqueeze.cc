// Unsqueeze (ONNX Unsqueeze-13): inserts size-1 dimensions at the constant
// `axes` (positions in the output, negative ones counted from its end); any
// dtype. The float kernel and kernels::UnsqueezeShape are in common/kernels/reshape.cc.
#include "common/kernels/data_movement.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema UnsqueezeSchema() {
  ir::OpSchema s;
  s.name = "Unsqueeze";
  s.min_inputs = s.max_inputs = 2;
  s.constant_inputs = {1};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    absl::StatusOr<Shape> shape =
        kernels::UnsqueezeShape(InputType(node, 0).shape, node.input(1)->constant());
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Unsqueeze");
  s.kernel_from_registry = true;
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Unsqueeze, UnsqueezeSchema());

}  // namespace
}  // namespace openbpu::ops
