// Float kernels of Slice (strided, possibly reversed sub-tensors) and Pad (constant / reflect /
// edge padding, negative pads crop) of any dtype, with their planning (data_movement.h).
#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/kernels/data_movement.h"
#include "common/kernels/kernel_util.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {
namespace {

// The values of an index input (int32 / int64, 1-D); empty when it is omitted.
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

// Input index read by padded position p of a cropped extent of size m >= 1.
int64_t SourceIndex(PadMode mode, int64_t p, int64_t m) {
  if (p >= 0 && p < m) return p;
  if (mode == PadMode::kConstant) return -1;
  if (mode == PadMode::kEdge || m == 1) return std::clamp<int64_t>(p, 0, m - 1);
  // Reflection without repeating the edge is periodic with period 2 (m - 1),
  // which is also what numpy does for pads longer than the input.
  const int64_t period = 2 * (m - 1);
  int64_t q = p % period;
  if (q < 0) q += period;
  return q < m ? q : period - q;
}

}  // namespace

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

absl::StatusOr<PadMode> ParsePadMode(const AttributeMap& attrs) {
  const std::string mode = attrs.GetString("mode", "constant");
  if (mode == "constant") return PadMode::kConstant;
  if (mode == "reflect") return PadMode::kReflect;
  if (mode == "edge") return PadMode::kEdge;
  if (mode == "wrap") {
    return absl::UnimplementedError("attribute 'mode' = 'wrap' is not supported");
  }
  return absl::InvalidArgumentError(absl::StrCat("invalid attribute 'mode' = '", mode, "'"));
}

absl::StatusOr<PadPlan> PlanPad(PadMode mode, const Shape& shape, const Tensor* pads_t,
                                const Tensor* axes_t) {
  const int rank = static_cast<int>(shape.size());
  absl::StatusOr<std::vector<int64_t>> pads = IndexValues(pads_t, "pads");
  if (!pads.ok()) return pads.status();
  absl::StatusOr<std::vector<int64_t>> axes_in = IndexValues(axes_t, "axes");
  if (!axes_in.ok()) return axes_in.status();
  std::vector<int> axes;
  if (axes_t == nullptr) {
    for (int d = 0; d < rank; ++d) axes.push_back(d);
  } else {
    std::vector<bool> seen(rank, false);
    for (int64_t a : *axes_in) {
      absl::StatusOr<int> axis = NormalizeAxis(a, rank);
      if (!axis.ok()) return axis.status();
      if (seen[*axis]) return absl::InvalidArgumentError(absl::StrCat("axis ", a, " repeats"));
      seen[*axis] = true;
      axes.push_back(*axis);
    }
  }
  const size_t n = axes.size();
  if (pads->size() != 2 * n) {
    return absl::InvalidArgumentError(
        absl::StrCat("'pads' has ", pads->size(), " values, expected ", 2 * n));
  }
  std::vector<int64_t> begin(rank, 0), end(rank, 0);
  for (size_t i = 0; i < n; ++i) {
    begin[axes[i]] = (*pads)[i];
    end[axes[i]] = (*pads)[n + i];
  }
  PadPlan plan;
  plan.shape.resize(rank);
  plan.source.resize(rank);
  for (int d = 0; d < rank; ++d) {
    const int64_t in = shape[d];
    const int64_t b = begin[d];
    const int64_t e = end[d];
    if (b > kMaxTensorElements || e > kMaxTensorElements || b < -in || e < -in) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pads ", b, ", ", e, " are out of range for dimension ", d, " of size ", in));
    }
    const int64_t crop_begin = std::max<int64_t>(0, -b);
    const int64_t kept = in - crop_begin - std::max<int64_t>(0, -e);
    if (kept < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("pads ", b, ", ", e, " crop more than dimension ", d, " of size ", in));
    }
    const int64_t pad_begin = std::max<int64_t>(0, b);
    const int64_t out = kept + pad_begin + std::max<int64_t>(0, e);
    if (out > kMaxTensorElements) {
      return absl::InvalidArgumentError(absl::StrCat("padded dimension ", d, " is too large"));
    }
    if (kept == 0 && out > 0 && mode != PadMode::kConstant) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot reflect or edge-pad the empty dimension ", d));
    }
    plan.shape[d] = out;
    plan.source[d].resize(out);
    for (int64_t o = 0; o < out; ++o) {
      const int64_t s = SourceIndex(mode, o - pad_begin, kept);
      plan.source[d][o] = s < 0 ? -1 : crop_begin + s;
    }
  }
  return plan;
}

absl::Status CheckPadConstantValue(const Tensor* value, DType dtype) {
  if (value == nullptr) return absl::OkStatus();
  if (value->dtype() != dtype) {
    return absl::InvalidArgumentError(absl::StrCat(
        "constant_value has dtype ", DTypeName(value->dtype()), ", data has ", DTypeName(dtype)));
  }
  if (value->num_elements() > 1) {
    return absl::InvalidArgumentError("constant_value must hold one value");
  }
  return absl::OkStatus();
}

namespace {

// Copies one element per output element.
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

absl::Status Slice(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                   std::vector<Tensor>& outputs) {
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
}

template <typename Word>
void PadCopy(const Tensor& in, const PadPlan& plan, const uint8_t* value_bytes, Tensor& out) {
  const int64_t n = out.num_elements();
  if (n == 0) return;
  Word value;
  std::memcpy(&value, value_bytes, sizeof(Word));
  const Word* src = reinterpret_cast<const Word*>(in.raw());
  Word* dst = reinterpret_cast<Word*>(out.raw());
  const int rank = in.rank();
  if (rank == 0) {
    dst[0] = src[0];
    return;
  }
  const std::vector<int64_t> strides = RowMajorStrides(in.shape());
  const std::vector<int64_t>& inner = plan.source[rank - 1];
  const int64_t row = plan.shape[rank - 1];
  std::vector<int64_t> coord(rank - 1, 0);
  for (int64_t r = 0; r < n / row; ++r) {
    // Offset of the row's input start, or -1 if an outer index is padding.
    int64_t base = 0;
    for (int d = 0; d < rank - 1 && base >= 0; ++d) {
      const int64_t s = plan.source[d][coord[d]];
      base = s < 0 ? -1 : base + s * strides[d];
    }
    Word* out_row = dst + r * row;
    if (base < 0) {
      std::fill(out_row, out_row + row, value);
    } else {
      for (int64_t o = 0; o < row; ++o) out_row[o] = inner[o] < 0 ? value : src[base + inner[o]];
    }
    for (int d = rank - 2; d >= 0; --d) {
      if (++coord[d] < plan.shape[d]) break;
      coord[d] = 0;
    }
  }
}

// Inputs: data, pads, constant_value (omitted: 0), axes.
absl::Status Pad(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                 std::vector<Tensor>& outputs) {
  auto input = [&](size_t i) { return i < inputs.size() ? inputs[i] : nullptr; };
  const Tensor& x = *inputs[0];
  absl::StatusOr<PadMode> mode = ParsePadMode(attrs);
  if (!mode.ok()) return mode.status();
  if (absl::Status st = CheckPadConstantValue(input(2), x.dtype()); !st.ok()) return st;
  absl::StatusOr<PadPlan> plan = PlanPad(*mode, x.shape(), input(1), input(3));
  if (!plan.ok()) return plan.status();
  uint8_t value[8] = {};  // zero bytes are 0 of every dtype
  if (input(2) != nullptr && input(2)->num_elements() == 1) {
    std::memcpy(value, input(2)->raw(), DTypeSize(x.dtype()));
  }
  Tensor y(x.dtype(), plan->shape);
  if (absl::Status st = WithElementWord(
          x.dtype(), [&](auto word) { PadCopy<decltype(word)>(x, *plan, value, y); });
      !st.ok()) {
    return st;
  }
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

OPENBPU_REGISTER_FLOAT_KERNEL(Slice, "Slice", Slice);
OPENBPU_REGISTER_FLOAT_KERNEL(Pad, "Pad", Pad);

}  // namespace
}  // namespace openbpu::kernels
