// TopK (ONNX TopK-11): the k largest (or smallest) elements along an axis and
// their int64 indices; equal values keep the lower index first, NaN ranks above
// every number. Output is always sorted (valid for sorted=0 too). The float
// kernel and kernels::PlanTopK are in common/kernels/select.cc.
#include "common/kernels/select.h"
#include "compiler/ops/op_util.h"
#include "isa/numerics/reduce.h"

namespace openbpu::ops {
namespace {

ir::OpSchema TopKSchema() {
  ir::OpSchema s;
  s.name = "TopK";
  s.min_inputs = s.max_inputs = 2;
  s.min_outputs = s.max_outputs = 2;
  s.attrs = {{"axis", ir::AttrKind::kInt},
             {"largest", ir::AttrKind::kInt},
             {"sorted", ir::AttrKind::kInt}};
  s.constant_inputs = {1};
  s.validate = [](const ir::Node& node) -> absl::Status {
    for (const char* flag : {"largest", "sorted"}) {
      const int64_t v = node.attrs().GetInt(flag, 1);
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
    absl::StatusOr<kernels::TopKPlan> plan =
        kernels::PlanTopK(node.attrs(), InputType(node, 0).shape, node.input(1)->constant());
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = plan->shape;
    outputs[1].dtype = DType::kInt64;
    outputs[1].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("TopK");  // common/kernels/select.cc
  s.kernel_from_registry = true;
  // Quantized (exact): values keep the input's quantization, indices are int64;
  // numerics::TopK orders the integers as the float kernel orders q * s.
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = [kernel = s.kernel](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                  std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& in = *inputs[0];
    if (in.dtype() != DType::kInt8 && in.dtype() != DType::kInt16) {
      return kernel(node, inputs, outputs);
    }
    absl::StatusOr<kernels::TopKPlan> plan =
        kernels::PlanTopK(node.attrs(), in.shape(), *inputs[1]);
    if (!plan.ok()) return plan.status();
    const bool largest = node.attrs().GetInt("largest", 1) != 0;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < plan->axis; ++d) outer *= in.dim(d);
    for (int d = plan->axis + 1; d < in.rank(); ++d) inner *= in.dim(d);
    Tensor values(in.dtype(), plan->shape);
    Tensor indices(DType::kInt64, plan->shape);
    if (in.dtype() == DType::kInt8) {
      numerics::TopK(in.data<int8_t>(), outer, in.dim(plan->axis), inner, plan->k, largest,
                     values.data<int8_t>(), indices.data<int64_t>());
    } else {
      numerics::TopK(in.data<int16_t>(), outer, in.dim(plan->axis), inner, plan->k, largest,
                     values.data<int16_t>(), indices.data<int64_t>());
    }
    outputs.push_back(std::move(values));
    outputs.push_back(std::move(indices));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(TopK, TopKSchema());

}  // namespace
}  // namespace openbpu::ops
