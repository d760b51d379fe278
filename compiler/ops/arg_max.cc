// ArgMax (ONNX ArgMax-13): int64 index of the largest element along an axis,
// the first or (select_last_index) last of equal maxima; NaN counts as largest.
// The float kernel and kernels::PlanArgMax are in common/kernels/select.cc.
#include "common/kernels/select.h"
#include "compiler/ops/op_util.h"
#include "isa/numerics/reduce.h"

namespace openbpu::ops {
namespace {

ir::OpSchema ArgMaxSchema() {
  ir::OpSchema s;
  s.name = "ArgMax";
  s.attrs = {{"axis", ir::AttrKind::kInt},
             {"keepdims", ir::AttrKind::kInt},
             {"select_last_index", ir::AttrKind::kInt}};
  s.validate = [](const ir::Node& node) -> absl::Status {
    for (const char* flag : {"keepdims", "select_last_index"}) {
      const int64_t v = node.attrs().GetInt(flag, 0);
      if (v != 0 && v != 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("attribute '", flag, "' = ", v, " is invalid"));
      }
    }
    return absl::OkStatus();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kFloat32, DType::kInt32, DType::kInt64});
        !st.ok()) {
      return st;
    }
    absl::StatusOr<kernels::ArgMaxPlan> plan =
        kernels::PlanArgMax(node.attrs(), InputType(node, 0).shape);
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = DType::kInt64;
    outputs[0].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("ArgMax");  // common/kernels/select.cc
  s.kernel_from_registry = true;
  // Quantized (exact): scales are positive, so the order of q is the order of
  // q * s; numerics::ArgMax on the integers, int64 output without quantization.
  s.qkind = ir::QuantKind::kExact;
  s.qkernel = [kernel = s.kernel](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                  std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& in = *inputs[0];
    if (in.dtype() != DType::kInt8 && in.dtype() != DType::kInt16) {
      return kernel(node, inputs, outputs);
    }
    absl::StatusOr<kernels::ArgMaxPlan> plan = kernels::PlanArgMax(node.attrs(), in.shape());
    if (!plan.ok()) return plan.status();
    const bool last = node.attrs().GetInt("select_last_index", 0) != 0;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < plan->axis; ++d) outer *= in.dim(d);
    for (int d = plan->axis + 1; d < in.rank(); ++d) inner *= in.dim(d);
    Tensor out(DType::kInt64, plan->shape);
    if (in.dtype() == DType::kInt8) {
      numerics::ArgMax(in.data<int8_t>(), outer, in.dim(plan->axis), inner, last,
                       out.data<int64_t>());
    } else {
      numerics::ArgMax(in.data<int16_t>(), outer, in.dim(plan->axis), inner, last,
                       out.data<int64_t>());
    }
    outputs.push_back(std::move(out));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(ArgMax, ArgMaxSchema());

}  // namespace
}  // namespace openbpu::ops
