// Float kernels of the ops that join, cut or pick whole slices of tensors of any dtype (byte
// copies): Concat, Split, Gather, with their planning (data_movement.h).
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/kernels/data_movement.h"
#include "common/kernels/kernel_util.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {

absl::StatusOr<ConcatPlan> PlanConcat(const AttributeMap& attrs, const std::vector<DType>& dtypes,
                                      const std::vector<const Shape*>& shapes) {
  if (!attrs.Has("axis")) return absl::InvalidArgumentError("attribute 'axis' is required");
  if (shapes.empty()) return absl::InvalidArgumentError("needs at least one input");
  const Shape& first = *shapes[0];
  const int rank = static_cast<int>(first.size());
  if (rank == 0) return absl::InvalidArgumentError("cannot concatenate scalars");
  ConcatPlan plan;
  absl::StatusOr<int> axis = NormalizeAxis(attrs.GetInt("axis", 0), rank);
  if (!axis.ok()) return axis.status();
  plan.axis = *axis;
  plan.shape = first;
  plan.shape[plan.axis] = 0;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const Shape& s = *shapes[i];
    if (dtypes[i] != dtypes[0]) {
      return absl::InvalidArgumentError(absl::StrCat("input ", i, " has dtype ",
                                                     DTypeName(dtypes[i]), ", input 0 has ",
                                                     DTypeName(dtypes[0])));
    }
    bool same = s.size() == first.size();
    for (int d = 0; same && d < rank; ++d) {
      if (d != plan.axis && s[d] != first[d]) same = false;
    }
    if (!same) {
      return absl::InvalidArgumentError(
          absl::StrCat("input ", i, " shape ", ShapeToString(s), " does not match input 0 shape ",
                       ShapeToString(first), " outside axis ", plan.axis));
    }
    plan.shape[plan.axis] += s[plan.axis];
    if (plan.shape[plan.axis] > kMaxShapeElements) {
      return absl::InvalidArgumentError("concatenated dimension is too large");
    }
  }
  if (NumElements(plan.shape) > kMaxShapeElements) {
    return absl::InvalidArgumentError(
        absl::StrCat("output shape ", ShapeToString(plan.shape), " has too many elements"));
  }
  return plan;
}

absl::StatusOr<SplitPlan> PlanSplit(const AttributeMap& attrs, int num_outputs, const Shape& shape,
                                    const Tensor* split) {
  SplitPlan plan;
  if (shape.empty()) return absl::InvalidArgumentError("cannot split a scalar");
  absl::StatusOr<int> axis = NormalizeAxis(attrs.GetInt("axis", 0), static_cast<int>(shape.size()));
  if (!axis.ok()) return axis.status();
  plan.axis = *axis;
  const int64_t dim = shape[plan.axis];
  // An empty `split` tensor means "not given" (as in onnxruntime); ONNX never
  // assigns it another meaning.
  if (split != nullptr && split->num_elements() > 0) {
    if (attrs.Has("num_outputs")) {
      return absl::InvalidArgumentError(
          "input 'split' and attribute 'num_outputs' must not both be given");
    }
    if (split->dtype() != DType::kInt64) {
      return absl::InvalidArgumentError(
          absl::StrCat("input 'split' must be int64, got ", DTypeName(split->dtype())));
    }
    plan.sizes = split->ToInt64Vector();
    if (num_outputs >= 0 && static_cast<int>(plan.sizes.size()) != num_outputs) {
      return absl::InvalidArgumentError(
          absl::StrCat("'split' has ", plan.sizes.size(), " values for ", num_outputs, " outputs"));
    }
    int64_t total = 0;
    for (int64_t s : plan.sizes) {
      if (s < 0 || s > dim) {
        return absl::InvalidArgumentError(absl::StrCat("split size ", s, " is out of range"));
      }
      total += s;  // cannot overflow: each term is at most dim
    }
    if (total != dim) {
      return absl::InvalidArgumentError(
          absl::StrCat("split sizes sum to ", total, ", dimension ", plan.axis, " is ", dim));
    }
    return plan;
  }
  if (attrs.Has("num_outputs")) {
    const int64_t n = attrs.GetInt("num_outputs", 0);
    if (num_outputs >= 0 && n != num_outputs) {
      return absl::InvalidArgumentError(absl::StrCat(
          "attribute 'num_outputs' is ", n, " but the node has ", num_outputs, " outputs"));
    }
    if (n < 1) return absl::InvalidArgumentError("attribute 'num_outputs' must be positive");
    // Split-18: parts of ceil(dim / n), the last one smaller.
    const int64_t chunk = (dim + n - 1) / n;
    const int64_t last = dim - chunk * (n - 1);
    if (last < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("dimension ", dim, " cannot be split into ", n, " parts of ", chunk));
    }
    plan.sizes.assign(n, chunk);
    plan.sizes.back() = last;
    return plan;
  }
  if (num_outputs < 1) {
    return absl::InvalidArgumentError(
        "equal parts need the node's output count (no input 'split', no attribute "
        "'num_outputs')");
  }
  if (dim % num_outputs != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("dimension ", dim, " does not split evenly into ", num_outputs, " outputs"));
  }
  plan.sizes.assign(num_outputs, dim / num_outputs);
  return plan;
}

absl::StatusOr<GatherPlan> PlanGather(const AttributeMap& attrs, const Shape& data,
                                      const Shape& indices) {
  const int rank = static_cast<int>(data.size());
  if (rank == 0) return absl::InvalidArgumentError("Gather needs data of rank >= 1");
  GatherPlan plan;
  absl::StatusOr<int> axis = NormalizeAxis(attrs.GetInt("axis", 0), rank);
  if (!axis.ok()) return axis.status();
  plan.axis = *axis;
  plan.shape.assign(data.begin(), data.begin() + plan.axis);
  plan.shape.insert(plan.shape.end(), indices.begin(), indices.end());
  plan.shape.insert(plan.shape.end(), data.begin() + plan.axis + 1, data.end());
  // Output size = data size / dim * index count; bound it without overflow.
  const int64_t slices = NumElements(indices);
  const int64_t per_index = data[plan.axis] == 0 ? 0 : NumElements(data) / data[plan.axis];
  if (slices > kMaxShapeElements || (per_index > 0 && slices > kMaxShapeElements / per_index)) {
    return absl::InvalidArgumentError(
        absl::StrCat("output shape ", ShapeToString(plan.shape), " has too many elements"));
  }
  return plan;
}

namespace {

absl::Status Concat(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                    std::vector<Tensor>& outputs) {
  std::vector<DType> dtypes;
  std::vector<const Shape*> shapes;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i] == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("input ", i, " is missing"));
    }
    dtypes.push_back(inputs[i]->dtype());
    shapes.push_back(&inputs[i]->shape());
  }
  absl::StatusOr<ConcatPlan> plan = PlanConcat(attrs, dtypes, shapes);
  if (!plan.ok()) return plan.status();
  Tensor out(dtypes[0], plan->shape);
  const size_t elem = DTypeSize(dtypes[0]);
  int64_t outer = 1;
  for (int d = 0; d < plan->axis; ++d) outer *= plan->shape[d];
  int64_t inner = 1;
  for (size_t d = plan->axis + 1; d < plan->shape.size(); ++d) inner *= plan->shape[d];
  uint8_t* dst = out.raw();
  for (int64_t o = 0; o < outer; ++o) {
    for (const Tensor* in : inputs) {
      const size_t block = static_cast<size_t>(in->dim(plan->axis) * inner) * elem;
      if (block == 0) continue;
      std::memcpy(dst, in->raw() + o * block, block);
      dst += block;
    }
  }
  outputs.push_back(std::move(out));
  return absl::OkStatus();
}

// The node's output count comes in attribute kNodeOutputsAttr (registry.h) when the caller has it.
absl::Status Split(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                   std::vector<Tensor>& outputs) {
  const Tensor& in = *inputs[0];
  absl::StatusOr<SplitPlan> plan =
      PlanSplit(attrs, static_cast<int>(attrs.GetInt(kNodeOutputsAttr, -1)), in.shape(),
                inputs.size() > 1 ? inputs[1] : nullptr);
  if (!plan.ok()) return plan.status();
  const size_t elem = DTypeSize(in.dtype());
  int64_t outer = 1;
  for (int d = 0; d < plan->axis; ++d) outer *= in.dim(d);
  int64_t inner = 1;
  for (int d = plan->axis + 1; d < in.rank(); ++d) inner *= in.dim(d);
  const size_t in_row = static_cast<size_t>(in.dim(plan->axis) * inner) * elem;
  size_t offset = 0;  // bytes into each input row where this output starts
  for (int64_t size : plan->sizes) {
    Shape shape = in.shape();
    shape[plan->axis] = size;
    Tensor out(in.dtype(), shape);
    const size_t block = static_cast<size_t>(size * inner) * elem;
    if (block > 0) {
      for (int64_t o = 0; o < outer; ++o) {
        std::memcpy(out.raw() + o * block, in.raw() + o * in_row + offset, block);
      }
    }
    offset += block;
    outputs.push_back(std::move(out));
  }
  return absl::OkStatus();
}

// Negative indices count from the end; an out-of-range index is an error (checked before
// anything is written).
absl::Status Gather(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                    std::vector<Tensor>& outputs) {
  const Tensor& data = *inputs[0];
  const Tensor& indices = *inputs[1];
  if (indices.dtype() != DType::kInt32 && indices.dtype() != DType::kInt64) {
    return absl::InvalidArgumentError(
        absl::StrCat("indices must be int32 or int64, got ", DTypeName(indices.dtype())));
  }
  absl::StatusOr<GatherPlan> plan = PlanGather(attrs, data.shape(), indices.shape());
  if (!plan.ok()) return plan.status();
  const int axis = plan->axis;
  int64_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= data.dim(d);
  int64_t inner = 1;
  for (int d = axis + 1; d < data.rank(); ++d) inner *= data.dim(d);
  const int64_t dim = data.dim(axis);
  const size_t block = static_cast<size_t>(inner) * DTypeSize(data.dtype());
  std::vector<int64_t> index = indices.ToInt64Vector();
  for (int64_t& i : index) {
    if (i < -dim || i >= dim) {
      return absl::InvalidArgumentError(
          absl::StrCat("index ", i, " is out of range for dimension ", dim));
    }
    if (i < 0) i += dim;
  }
  Tensor out(data.dtype(), plan->shape);
  if (block > 0) {
    uint8_t* dst = out.raw();
    for (int64_t o = 0; o < outer; ++o) {
      const uint8_t* src = data.raw() + static_cast<size_t>(o * dim) * block;
      for (int64_t i : index) {
        std::memcpy(dst, src + static_cast<size_t>(i) * block, block);
        dst += block;
      }
    }
  }
  outputs.push_back(std::move(out));
  return absl::OkStatus();
}

OPENBPU_REGISTER_FLOAT_KERNEL(Concat, "Concat", Concat);
OPENBPU_REGISTER_FLOAT_KERNEL(Split, "Split", Split);
OPENBPU_REGISTER_FLOAT_KERNEL(Gather, "Gather", Gather);

}  // namespace
}  // namespace openbpu::kernels
