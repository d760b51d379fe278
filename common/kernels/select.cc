// Float kernels of ArgMax (ONNX ArgMax-13: the int64 index of the largest element along an axis,
// the first or, with select_last_index, last of equal maxima; NaN counts as largest) and TopK
// (ONNX TopK-11: the k largest or smallest elements and their int64 indices; equal values keep
// the lower index first, NaN ranks above every number; always sorted) of float32, int32, int64.
#include "common/kernels/select.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "common/kernels/kernel_util.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {

absl::StatusOr<ArgMaxPlan> PlanArgMax(const AttributeMap& attrs, const Shape& in) {
  const int rank = static_cast<int>(in.size());
  if (rank == 0) return absl::InvalidArgumentError("ArgMax needs an input of rank >= 1");
  ArgMaxPlan plan;
  absl::StatusOr<int> axis = NormalizeAxis(attrs.GetInt("axis", 0), rank);
  if (!axis.ok()) return axis.status();
  plan.axis = *axis;
  if (in[plan.axis] == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("ArgMax over the empty axis ", plan.axis, " of ", ShapeToString(in)));
  }
  plan.shape = in;
  if (attrs.GetInt("keepdims", 1) != 0) {
    plan.shape[plan.axis] = 1;
  } else {
    plan.shape.erase(plan.shape.begin() + plan.axis);
  }
  return plan;
}

absl::StatusOr<TopKPlan> PlanTopK(const AttributeMap& attrs, const Shape& in, const Tensor& k) {
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
  absl::StatusOr<int> axis = NormalizeAxis(attrs.GetInt("axis", -1), rank);
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

namespace {

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

absl::Status ArgMax(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                    std::vector<Tensor>& outputs) {
  const Tensor& in = *inputs[0];
  absl::StatusOr<ArgMaxPlan> plan = PlanArgMax(attrs, in.shape());
  if (!plan.ok()) return plan.status();
  const bool last = attrs.GetInt("select_last_index", 0) != 0;
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

absl::Status TopK(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                  std::vector<Tensor>& outputs) {
  const Tensor& in = *inputs[0];
  if (inputs.size() < 2 || inputs[1] == nullptr) {
    return absl::InvalidArgumentError("input 'K' is missing");
  }
  absl::StatusOr<TopKPlan> plan = PlanTopK(attrs, in.shape(), *inputs[1]);
  if (!plan.ok()) return plan.status();
  const bool largest = attrs.GetInt("largest", 1) != 0;
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
}

OPENBPU_REGISTER_FLOAT_KERNEL(ArgMax, "ArgMax", ArgMax);
OPENBPU_REGISTER_FLOAT_KERNEL(TopK, "TopK", TopK);

}  // namespace
}  // namespace openbpu::kernels
