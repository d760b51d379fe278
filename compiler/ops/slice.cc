// Slice (ONNX Slice-13): strided, possibly reversed sub-tensor of any dtype;
// starts/ends/axes/steps are constant inputs, clamped exactly as ONNX does.
#include <algorithm>
#include <cstring>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

struct SlicePlan {
  Shape shape;                 // output shape
  std::vector<int64_t> start;  // first input index per dimension
  std::vector<int64_t> step;   // input index increment per dimension
};

absl::StatusOr<std::vector<int64_t>> IndexValues(const Tensor* t, absl::string_view what) {
  if (t == nullptr) return std::vector<int64_t>{};
  if (t->dtype() != DType::kInt64 && t->dtype() != DType::kInt32) {
    return absl::InvalidArgumentError(
        absl::StrCat("input '", what, "' must be int32 or int64, got ", DTypeName(t->dtype())));
  }
  if (t->rank() != 1) {
    return absl::InvalidArgumentError(absl::StrCat("input '", what, "' must be 1-D"));
  }
  return t->ToInt64Vector();
}

// inputs: starts, ends, axes (may be null), steps (may be null). Shared by
// shape inference and the kernel.
absl::StatusOr<SlicePlan> PlanSlice(const Shape& shape, const Tensor* starts_t,
                                    const Tensor* ends_t, const Tensor* axes_t,
                                    const Tensor* steps_t) {
  absl::StatusOr<std::vector<int64_t>> starts = IndexValues(starts_t, "starts");
  if (!starts.ok()) return starts.status();
  absl::StatusOr<std::vector<int64_t>> ends = IndexValues(ends_t, "ends");
  if (!ends.ok()) return ends.status();
  absl::StatusOr<std::vector<int64_t>> axes = IndexValues(axes_t, "axes");
  if (!axes.ok()) return axes.status();
  absl::StatusOr<std::vector<int64_t>> steps = IndexValues(steps_t, "steps");
  if (!steps.ok()) return steps.status();
  const size_t n = starts->size();
  if (ends->size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("'starts' has ", n, " values, 'ends' has ", ends->size()));
  }
  if (axes_t == nullptr) {
    for (size_t i = 0; i < n; ++i) axes->push_back(static_cast<int64_t>(i));
  } else if (axes->size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("'starts' has ", n, " values, 'axes' has ", axes->size()));
  }
  if (steps_t == nullptr) {
    steps->assign(n, 1);
  } else if (steps->size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("'starts' has ", n, " values, 'steps' has ", steps->size()));
  }
  const int rank = static_cast<int>(shape.size());
  SlicePlan plan;
  plan.shape = shape;
  plan.start.assign(rank, 0);
  plan.step.assign(rank, 1);
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < n; ++i) {
    if ((*axes)[i] < -rank || (*axes)[i] >= rank) {
      return absl::InvalidArgumentError(
          absl::StrCat("axis ", (*axes)[i], " is out of range for rank ", rank));
    }
    const int axis = static_cast<int>((*axes)[i] < 0 ? (*axes)[i] + rank : (*axes)[i]);
    if (seen[axis]) return absl::InvalidArgumentError(absl::StrCat("axis ", axis, " repeats"));
    seen[axis] = true;
    const int64_t dim = shape[axis];
    int64_t step = (*steps)[i];
    if (step == 0) return absl::InvalidArgumentError("slice step must not be 0");
    // Adding dim to a negative value cannot overflow; INT64_MAX/MIN then clamp.
    int64_t start = (*starts)[i] < 0 ? (*starts)[i] + dim : (*starts)[i];
    int64_t end = (*ends)[i] < 0 ? (*ends)[i] + dim : (*ends)[i];
    int64_t count = 0;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      // A step beyond dim selects at most one element, like a step of dim.
      step = std::min(step, std::max<int64_t>(dim, 1));
      if (end > start) count = (end - start + step - 1) / step;
    } else {
      start = std::clamp<int64_t>(start, 0, std::max<int64_t>(dim - 1, 0));
      end = std::clamp<int64_t>(end, -1, dim - 1);
      step = std::max(step, -std::max<int64_t>(dim, 1));
      if (dim > 0 && start > end) count = (start - end - step - 1) / -step;
    }
    plan.shape[axis] = count;
    plan.start[axis] = count > 0 ? start : 0;
    plan.step[axis] = step;
  }
  return plan;
}

const Tensor* ConstantInput(const ir::Node& node, int i) {
  const ir::Value* v = node.input(i);
  return v == nullptr ? nullptr : &v->constant();
}

// Copies one element of `Word` size per output element; `Word` is an unsigned
// integer as wide as the dtype, so every dtype moves bit-exactly.
template <typename Word>
void SliceCopy(const Tensor& in, const SlicePlan& plan, Tensor& out) {
  const int rank = in.rank();
  const int64_t n = out.num_elements();
  if (n == 0) return;
  const std::vector<int64_t> strides = RowMajorStrides(in.shape());
  std::vector<int64_t> delta(rank);  // input offset change per output index step
  int64_t offset = 0;
  for (int d = 0; d < rank; ++d) {
    delta[d] = plan.step[d] * strides[d];
    offset += plan.start[d] * strides[d];
  }
  const Word* src = reinterpret_cast<const Word*>(in.raw());
  Word* dst = reinterpret_cast<Word*>(out.raw());
  std::vector<int64_t> coord(rank, 0);
  for (int64_t i = 0; i < n; ++i) {
    dst[i] = src[offset];
    for (int d = rank - 1; d >= 0; --d) {
      offset += delta[d];
      if (++coord[d] < plan.shape[d]) break;
      offset -= delta[d] * coord[d];
      coord[d] = 0;
    }
  }
}

ir::OpSchema SliceSchema() {
  ir::OpSchema s;
  s.name = "Slice";
  s.min_inputs = 3;
  s.max_inputs = 5;
  s.constant_inputs = {1, 2, 3, 4};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    absl::StatusOr<SlicePlan> plan =
        PlanSlice(InputType(node, 0).shape, ConstantInput(node, 1), ConstantInput(node, 2),
                  ConstantInput(node, 3), ConstantInput(node, 4));
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& /*node*/, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    auto input = [&](size_t i) { return i < inputs.size() ? inputs[i] : nullptr; };
    const Tensor& in = *inputs[0];
    absl::StatusOr<SlicePlan> plan = PlanSlice(in.shape(), input(1), input(2), input(3), input(4));
    if (!plan.ok()) return plan.status();
    Tensor out(in.dtype(), plan->shape);
    if (absl::Status st = WithElementWord(
            in.dtype(), [&](auto word) { SliceCopy<decltype(word)>(in, *plan, out); });
        !st.ok()) {
      return st;
    }
    outputs.push_back(std::move(out));
    return absl::OkStatus();
  };
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
