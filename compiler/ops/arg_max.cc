// ArgMax (ONNX ArgMax-13): int64 index of the largest element along an axis,
// the first or (select_last_index) last of equal maxima; NaN counts as largest.
#include <cmath>
#include <type_traits>

#include "compiler/ops/op_util.h"
#include "isa/numerics/reduce.h"

namespace openbpu::ops {
namespace {

struct ArgMaxPlan {
  int axis = 0;
  Shape shape;  // output shape
};

// Shared by shape inference and the kernel.
absl::StatusOr<ArgMaxPlan> PlanArgMax(const ir::Node& node, const Shape& in) {
  const int rank = static_cast<int>(in.size());
  if (rank == 0) return absl::InvalidArgumentError("ArgMax needs an input of rank >= 1");
  ArgMaxPlan plan;
  absl::StatusOr<int> axis = NormalizeAxis(node.attrs().GetInt("axis", 0), rank);
  if (!axis.ok()) return axis.status();
  plan.axis = *axis;
  if (in[plan.axis] == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("ArgMax over the empty axis ", plan.axis, " of ", ShapeToString(in)));
  }
  plan.shape = in;
  if (node.attrs().GetInt("keepdims", 1) != 0) {
    plan.shape[plan.axis] = 1;
  } else {
    plan.shape.erase(plan.shape.begin() + plan.axis);
  }
  return plan;
}

template <typename T>
void ArgMaxImpl(const Tensor& in, int axis, bool last, Tensor& out) {
  int64_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= in.dim(d);
  int64_t inner = 1;
  for (int d = axis + 1; d < in.rank(); ++d) inner *= in.dim(d);
  const int64_t n = in.dim(axis);
  const T* src = in.data<T>();
  int64_t* dst = out.data<int64_t>();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const T* p = src + o * n * inner + i;
      int64_t best = 0;
      for (int64_t k = 1; k < n; ++k) {
        const T v = p[k * inner];
        const T b = p[best * inner];
        bool take = last ? v >= b : v > b;
        if constexpr (std::is_floating_point_v<T>) {
          // NaN is the maximum (numpy's argmax); select_last_index finds the last one.
          if (std::isnan(b)) {
            take = last && std::isnan(v);
          } else if (std::isnan(v)) {
            take = true;
          }
        }
        if (take) best = k;
      }
      dst[o * inner + i] = best;
    }
  }
}

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
    absl::StatusOr<ArgMaxPlan> plan = PlanArgMax(node, InputType(node, 0).shape);
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = DType::kInt64;
    outputs[0].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& in = *inputs[0];
    absl::StatusOr<ArgMaxPlan> plan = PlanArgMax(node, in.shape());
    if (!plan.ok()) return plan.status();
    const bool last = node.attrs().GetInt("select_last_index", 0) != 0;
    Tensor out(DType::kInt64, plan->shape);
    switch (in.dtype()) {
      case DType::kFloat32:
        ArgMaxImpl<float>(in, plan->axis, last, out);
        break;
      case DType::kInt32:
        ArgMaxImpl<int32_t>(in, plan->axis, last, out);
        break;
      case DType::kInt64:
        ArgMaxImpl<int64_t>(in, plan->axis, last, out);
        break;
      default:
        return absl::UnimplementedError(
            absl::StrCat("dtype ", DTypeName(in.dtype()), " is not supported"));
    }
    outputs.push_back(std::move(out));
    return absl::OkStatus();
  };
  // Quantized (exact): scales are positive, so the order of q is the order of
  // q * s; numerics::ArgMax on the integers, int64 output without quantization.
  s.qkind = ir::QuantKind::kExact;
  s.qkernel = [kernel = s.kernel](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                  std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& in = *inputs[0];
    if (in.dtype() != DType::kInt8 && in.dtype() != DType::kInt16) {
      return kernel(node, inputs, outputs);
    }
    absl::StatusOr<ArgMaxPlan> plan = PlanArgMax(node, in.shape());
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
