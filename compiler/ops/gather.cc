// Gather (ONNX Gather-13): picks slices of `data` (any dtype) along an axis at
// int32/int64 `indices`; negative indices count from the end, out-of-range
// ones are an InvalidArgument error. The float kernel and kernels::PlanGather
// are in common/kernels/concat_split.cc.
#include "common/kernels/data_movement.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema GatherSchema() {
  ir::OpSchema s;
  s.name = "Gather";
  s.min_inputs = s.max_inputs = 2;
  s.attrs = {{"axis", ir::AttrKind::kInt}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 1, {DType::kInt32, DType::kInt64}); !st.ok()) {
      return st;
    }
    absl::StatusOr<kernels::GatherPlan> plan =
        kernels::PlanGather(node.attrs(), InputType(node, 0).shape, InputType(node, 1).shape);
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Gather");
  s.kernel_from_registry = true;
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Gather, GatherSchema());

}  // namespace
}  // namespace openbpu::ops
