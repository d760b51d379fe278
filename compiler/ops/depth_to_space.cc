// DepthToSpace (ONNX DepthToSpace-13): moves blocksize x blocksize groups of
// channels into spatial blocks of a 4-D tensor of any dtype, in DCR or CRD order.
// The float kernel and kernels::PlanDepthToSpace are in common/kernels/layout.cc.
#include "common/kernels/data_movement.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema DepthToSpaceSchema() {
  ir::OpSchema s;
  s.name = "DepthToSpace";
  s.attrs = {{"blocksize", ir::AttrKind::kInt}, {"mode", ir::AttrKind::kString}};
  s.validate = [](const ir::Node& node) -> absl::Status {
    return kernels::CheckDepthToSpaceMode(node.attrs());
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const DType dtype = InputType(node, 0).dtype;
    if (DTypeSize(dtype) == 0) return RequireDType(node, 0, {});
    absl::StatusOr<kernels::DepthToSpacePlan> plan =
        kernels::PlanDepthToSpace(node.attrs(), InputType(node, 0).shape);
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = dtype;
    outputs[0].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("DepthToSpace");
  s.kernel_from_registry = true;
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(DepthToSpace, DepthToSpaceSchema());

}  // namespace
}  // namespace openbpu::ops
