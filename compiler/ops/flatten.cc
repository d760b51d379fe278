// Flatten (ONNX Flatten-13): reshapes to 2-D, splitting the dimensions at
// `axis`; any dtype. The float kernel and kernels::FlattenShape are in
// common/kernels/reshape.cc.
#include "common/kernels/data_movement.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema FlattenSchema() {
  ir::OpSchema s;
  s.name = "Flatten";
  s.attrs = {{"axis", ir::AttrKind::kInt}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    absl::StatusOr<Shape> shape = kernels::FlattenShape(node.attrs(), InputType(node, 0).shape);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Flatten");
  s.kernel_from_registry = true;
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Flatten, FlattenSchema());

}  // namespace
}  // namespace openbpu::ops
