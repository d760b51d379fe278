// Slice (ONNX Slice-13): strided, possibly reversed sub-tensor of any dtype;
// starts/ends/axes/steps are constant inputs, clamped exactly as ONNX does. The
// float kernel and kernels::PlanSlice are in common/kernels/slice_pad.cc.
#include "common/kernels/data_movement.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema SliceSchema() {
  ir::OpSchema s;
  s.name = "Slice";
  s.min_inputs = 3;
  s.max_inputs = 5;
  s.constant_inputs = {1, 2, 3, 4};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    absl::StatusOr<kernels::SlicePlan> plan =
        kernels::PlanSlice(InputType(node, 0).shape, ConstantInput(node, 1), ConstantInput(node, 2),
                           ConstantInput(node, 3), ConstantInput(node, 4));
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Slice");
  s.kernel_from_registry = true;
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Slice, SliceSchema());

}  // namespace
}  // namespace openbpu::ops
