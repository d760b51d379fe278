// Split (ONNX Split-18): cuts a tensor of any dtype along an axis into parts
// given by the constant `split` input, by `num_outputs`, or equal parts. The
// float kernel and kernels::PlanSplit are in common/kernels/concat_split.cc; it
// gets the node's output count (for equal parts) from RegistryKernel.
#include <limits>

#include "common/kernels/data_movement.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema SplitSchema() {
  ir::OpSchema s;
  s.name = "Split";
  s.min_inputs = 1;
  s.max_inputs = 2;
  s.min_outputs = 1;
  s.max_outputs = std::numeric_limits<int>::max();
  s.attrs = {{"axis", ir::AttrKind::kInt}, {"num_outputs", ir::AttrKind::kInt}};
  s.constant_inputs = {1};
  s.validate = [](const ir::Node& node) -> absl::Status {
    if (node.attrs().Has("num_outputs") && node.attrs().GetInt("num_outputs", 0) < 1) {
      return absl::InvalidArgumentError("attribute 'num_outputs' must be positive");
    }
    return absl::OkStatus();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const ir::Value* split = node.input(1);
    absl::StatusOr<kernels::SplitPlan> plan =
        kernels::PlanSplit(node.attrs(), node.num_outputs(), InputType(node, 0).shape,
                           split == nullptr ? nullptr : &split->constant());
    if (!plan.ok()) return plan.status();
    for (int i = 0; i < node.num_outputs(); ++i) {
      outputs[i].dtype = InputType(node, 0).dtype;
      outputs[i].shape = InputType(node, 0).shape;
      outputs[i].shape[plan->axis] = plan->sizes[i];
    }
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Split", /*pass_output_count=*/true);
  s.kernel_from_registry = true;
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Split, SplitSchema());

}  // namespace
}  // namespace openbpu::ops
