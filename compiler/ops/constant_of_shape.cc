// ConstantOfShape (ONNX ConstantOfShape-9): a tensor of the constant int64
// shape filled with the one-element `value` attribute (default float32 0). The
// float kernel and its planning are in common/kernels/shape_ops.cc.
#include "common/kernels/shape_ops.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema ConstantOfShapeSchema() {
  ir::OpSchema s;
  s.name = "ConstantOfShape";
  s.attrs = {{"value", ir::AttrKind::kTensor}};
  s.constant_inputs = {0};
  s.validate = [](const ir::Node& node) -> absl::Status {
    return kernels::ConstantOfShapeValue(node.attrs()).status();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    absl::StatusOr<Shape> shape = kernels::ConstantOfShapeShape(node.input(0)->constant());
    if (!shape.ok()) return shape.status();
    absl::StatusOr<Tensor> value = kernels::ConstantOfShapeValue(node.attrs());
    if (!value.ok()) return value.status();
    outputs[0].dtype = value->dtype();
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("ConstantOfShape");
  s.kernel_from_registry = true;
  return s;
}

OPENBPU_REGISTER_OP(ConstantOfShape, ConstantOfShapeSchema());

}  // namespace
}  // namespace openbpu::ops
