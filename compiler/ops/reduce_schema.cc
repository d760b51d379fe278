// ReduceSchema and ExactReduceSchema; the axes planning is kernels::PlanReduce.
#include "compiler/ops/reduce_schema.h"

#include <limits>

#include "compiler/ops/op_util.h"
#include "isa/numerics/reduce.h"

namespace openbpu::ops {
namespace {

// The exact integer max or min over the reduced dimensions of x (int8 / int16 / int32). Min is
// computed as aae.reduce computes it: -max(-x) over the input widened to int64; an empty
// reduction gives the storage maximum (fake quantization of +inf).
template <typename T>
void ExactReduce(kernels::ReduceOp op, const Tensor& x, const std::vector<bool>& reduced,
                 Tensor& y) {
  if (op == kernels::ReduceOp::kMax) {
    numerics::ReduceMax(x.data<T>(), x.shape(), reduced, y.data<T>());
    return;
  }
  std::vector<int64_t> negated(x.num_elements());
  for (int64_t i = 0; i < x.num_elements(); ++i) negated[i] = -static_cast<int64_t>(x.data<T>()[i]);
  std::vector<int64_t> max(y.num_elements());
  numerics::ReduceMax(negated.data(), x.shape(), reduced, max.data());
  for (int64_t i = 0; i < y.num_elements(); ++i) {
    y.data<T>()[i] = max[i] == std::numeric_limits<int64_t>::lowest()
                         ? std::numeric_limits<T>::max()
                         : static_cast<T>(-max[i]);
  }
}

}  // namespace

ir::OpSchema ExactReduceSchema(std::string name, kernels::ReduceOp op) {
  ir::OpSchema s = ReduceSchema(name, /*axes_attribute=*/true);
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = [op, name](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                         std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    absl::StatusOr<kernels::ReducePlan> plan =
        kernels::PlanReduce(node.attrs(), x.shape(), inputs.size() > 1 ? inputs[1] : nullptr,
                            /*axes_attribute=*/true);
    if (!plan.ok()) return plan.status();
    if (plan->identity) {
      outputs.push_back(x);
      return absl::OkStatus();
    }
    Tensor y(x.dtype(), plan->shape);
    switch (x.dtype()) {
      case DType::kInt8:
        ExactReduce<int8_t>(op, x, plan->reduced, y);
        break;
      case DType::kInt16:
        ExactReduce<int16_t>(op, x, plan->reduced, y);
        break;
      case DType::kInt32:
        ExactReduce<int32_t>(op, x, plan->reduced, y);
        break;
      default:
        return absl::InvalidArgumentError(absl::StrCat("quantized ", name, " of dtype ",
                                                       DTypeName(x.dtype()), " is not supported"));
    }
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  return s;
}

ir::OpSchema ReduceSchema(std::string name, bool axes_attribute) {
  ir::OpSchema s;
  s.name = name;
  s.min_inputs = 1;
  s.max_inputs = 2;
  s.attrs = {{"keepdims", ir::AttrKind::kInt}, {"noop_with_empty_axes", ir::AttrKind::kInt}};
  if (axes_attribute) s.attrs.push_back({"axes", ir::AttrKind::kInts});
  s.constant_inputs = {1};
  s.validate = [](const ir::Node& node) -> absl::Status {
    for (const char* flag : {"keepdims", "noop_with_empty_axes"}) {
      const int64_t v = node.attrs().GetInt(flag, 0);
      if (v != 0 && v != 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("attribute '", flag, "' = ", v, " is invalid"));
      }
    }
    if (node.attrs().Has("axes") && node.input(1) != nullptr) {
      return absl::InvalidArgumentError("'axes' is given both as attribute and as input");
    }
    return absl::OkStatus();
  };
  s.infer = [axes_attribute](const ir::Node& node,
                             std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kFloat32, DType::kInt32, DType::kInt64});
        !st.ok()) {
      return st;
    }
    const ir::Value* axes = node.input(1);
    absl::StatusOr<kernels::ReducePlan> plan =
        kernels::PlanReduce(node.attrs(), InputType(node, 0).shape,
                            axes == nullptr ? nullptr : &axes->constant(), axes_attribute);
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = plan->shape;
    return absl::OkStatus();
  };
  // common/kernels/reduce_ops.cc, registered with the same axes_attribute.
  s.kernel = RegistryKernel(std::move(name));
  s.kernel_from_registry = true;
  return s;
}

}  // namespace openbpu::ops
