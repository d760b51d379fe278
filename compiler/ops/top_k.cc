// TopK (ONNX TopK-11): the k largest (or smallest) elements along an axis and
// their int64 indices; equal values keep the lower index first, NaN ranks above
// every number. Output is always sorted (valid for sorted=0 too).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <type_traits>

#include "compiler/ops/op_util.h"
#include "isa/numerics/reduce.h"

namespace openbpu::ops {
namespace {

struct TopKPlan {
  int axis = 0;
  int64_t k = 0;
  Shape shape;  // shape of both outputs
};

// Shared by shape inference and the kernel.
absl::StatusOr<TopKPlan> PlanTopK(const ir::Node& node, const Shape& in, const Tensor& k) {
  if (k.dtype() != DType::kInt64) {
    return absl::InvalidArgumentError(
        absl::StrCat("input 'K' must be int64, got ", DTypeName(k.dtype())));
  }
  if (k.num_elements() != 1 || k.rank() > 1) {
    return absl::InvalidArgumentError("input 'K' must hold exactly one value");
  }
  const int rank = static_cast<int>(in.size());
  if (rank == 0) return absl::InvalidArgumentError("TopK needs an input of rank >= 1");
  TopKPlan plan;
  absl::StatusOr<int> axis = NormalizeAxis(node.attrs().GetInt("axis", -1), rank);
  if (!axis.ok()) return axis.status();
  plan.axis = *axis;
  plan.k = k.GetAsInt64(0);
  if (plan.k < 0 || plan.k > in[plan.axis]) {
    return absl::InvalidArgumentError(absl::StrCat("K = ", plan.k, " is out of range for axis ",
                                                   plan.axis, " of size ", in[plan.axis]));
  }
  plan.shape = in;
  plan.shape[plan.axis] = plan.k;
  return plan;
}

// Strict weak order "a ranks above b" for largest=1, with NaN above all numbers
// (std::sort needs a proper order; plain < on NaN is not one).
template <typename T>
bool Above(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return !std::isnan(b);
    if (std::isnan(b)) return false;
  }
  return a > b;
}

template <typename T>
void TopKImpl(const Tensor& in, const TopKPlan& plan, bool largest, Tensor& values,
              Tensor& indices) {
  const int axis = plan.axis;
  int64_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= in.dim(d);
  int64_t inner = 1;
  for (int d = axis + 1; d < in.rank(); ++d) inner *= in.dim(d);
  const int64_t n = in.dim(axis);
  const int64_t k = plan.k;
  const T* src = in.data<T>();
  T* vals = values.data<T>();
  int64_t* idx = indices.data<int64_t>();
  std::vector<int64_t> order(n);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const T* p = src + o * n * inner + i;
      std::iota(order.begin(), order.end(), int64_t{0});
      std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
        const T va = p[a * inner];
        const T vb = p[b * inner];
        const bool a_first = largest ? Above(va, vb) : Above(vb, va);
        const bool b_first = largest ? Above(vb, va) : Above(va, vb);
        if (a_first != b_first) return a_first;
        return a < b;
      });
      for (int64_t j = 0; j < k; ++j) {
        const int64_t out = (o * k + j) * inner + i;
        vals[out] = p[order[j] * inner];
        idx[out] = order[j];
      }
    }
  }
}

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
    absl::StatusOr<TopKPlan> plan =
        PlanTopK(node, InputType(node, 0).shape, node.input(1)->constant());
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = plan->shape;
    outputs[1].dtype = DType::kInt64;
    outputs[1].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& in = *inputs[0];
    absl::StatusOr<TopKPlan> plan = PlanTopK(node, in.shape(), *inputs[1]);
    if (!plan.ok()) return plan.status();
    const bool largest = node.attrs().GetInt("largest", 1) != 0;
    Tensor values(in.dtype(), plan->shape);
    Tensor indices(DType::kInt64, plan->shape);
    switch (in.dtype()) {
      case DType::kFloat32:
        TopKImpl<float>(in, *plan, largest, values, indices);
        break;
      case DType::kInt32:
        TopKImpl<int32_t>(in, *plan, largest, values, indices);
        break;
      case DType::kInt64:
        TopKImpl<int64_t>(in, *plan, largest, values, indices);
        break;
      default:
        return absl::UnimplementedError(
            absl::StrCat("dtype ", DTypeName(in.dtype()), " is not supported"));
    }
    outputs.push_back(std::move(values));
    outputs.push_back(std::move(indices));
    return absl::OkStatus();
  };
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
    absl::StatusOr<TopKPlan> plan = PlanTopK(node, in.shape(), *inputs[1]);
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
