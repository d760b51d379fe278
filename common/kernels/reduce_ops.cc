// Float kernels of ReduceSum, ReduceMean, ReduceMax and ReduceMin (float32, int32, int64) with
// their axes planning (reduce.h); the math is kernels::Reduce.
#include "absl/strings/str_cat.h"
#include "common/kernels/reduce.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {

absl::StatusOr<ReducePlan> PlanReduce(const AttributeMap& attrs, const Shape& in,
                                      const Tensor* axes, bool axes_attribute) {
  std::vector<int64_t> values;
  if (axes != nullptr) {
    if (axes->dtype() != DType::kInt64) {
      return absl::InvalidArgumentError(
          absl::StrCat("input 'axes' must be int64, got ", DTypeName(axes->dtype())));
    }
    if (axes->rank() != 1) return absl::InvalidArgumentError("input 'axes' must be 1-D");
    values = axes->ToInt64Vector();
  } else if (axes_attribute) {
    values = attrs.GetInts("axes");
  }
  const int rank = static_cast<int>(in.size());
  ReducePlan plan;
  if (values.empty()) {
    if (attrs.GetInt("noop_with_empty_axes", 0) != 0) {
      plan.identity = true;
      plan.shape = in;
      return plan;
    }
    plan.reduced.assign(rank, true);
  } else {
    absl::StatusOr<std::vector<bool>> mask = ReduceAxesMask(rank, values);
    if (!mask.ok()) return mask.status();
    plan.reduced = *std::move(mask);
  }
  plan.shape = ReducedShape(in, plan.reduced, attrs.GetInt("keepdims", 1) != 0);
  return plan;
}

namespace {

// `axes_attribute`: the op also takes attribute `axes` (ReduceSum takes the input only).
FloatKernel ReduceKernel(ReduceOp op, bool axes_attribute) {
  return [op, axes_attribute](const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                              std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& in = *inputs[0];
    absl::StatusOr<ReducePlan> plan =
        PlanReduce(attrs, in.shape(), inputs.size() > 1 ? inputs[1] : nullptr, axes_attribute);
    if (!plan.ok()) return plan.status();
    if (plan->identity) {
      outputs.push_back(in);
      return absl::OkStatus();
    }
    Tensor out(in.dtype(), plan->shape);
    absl::Status st;
    switch (in.dtype()) {
      case DType::kFloat32:
        st = Reduce(op, in.data<float>(), in.shape(), plan->reduced, out.data<float>());
        break;
      case DType::kInt32:
        st = Reduce(op, in.data<int32_t>(), in.shape(), plan->reduced, out.data<int32_t>());
        break;
      case DType::kInt64:
        st = Reduce(op, in.data<int64_t>(), in.shape(), plan->reduced, out.data<int64_t>());
        break;
      default:
        return absl::UnimplementedError(
            absl::StrCat("dtype ", DTypeName(in.dtype()), " is not supported"));
    }
    if (!st.ok()) return st;
    outputs.push_back(std::move(out));
    return absl::OkStatus();
  };
}

OPENBPU_REGISTER_FLOAT_KERNEL(ReduceSum, "ReduceSum", ReduceKernel(ReduceOp::kSum, false));
OPENBPU_REGISTER_FLOAT_KERNEL(ReduceMean, "ReduceMean", ReduceKernel(ReduceOp::kMean, true));
OPENBPU_REGISTER_FLOAT_KERNEL(ReduceMax, "ReduceMax", ReduceKernel(ReduceOp::kMax, true));
OPENBPU_REGISTER_FLOAT_KERNEL(ReduceMin, "ReduceMin", ReduceKernel(ReduceOp::kMin, true));

}  // namespace
}  // namespace openbpu::kernels
