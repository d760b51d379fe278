// Split (ONNX Split-18): cuts a tensor of any dtype along an axis into parts
// given by the constant `split` input, by `num_outputs`, or equal parts.
#include <cstring>
#include <limits>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

struct SplitPlan {
  int axis = 0;
  std::vector<int64_t> sizes;
};

// `split` is null when the input is omitted. Shared by shape inference and the
// kernel so both reject the same cases.
absl::StatusOr<SplitPlan> PlanSplit(const ir::Node& node, const Shape& shape, const Tensor* split) {
  const int num_outputs = node.num_outputs();
  SplitPlan plan;
  if (shape.empty()) return absl::InvalidArgumentError("cannot split a scalar");
  absl::StatusOr<int> axis =
      NormalizeAxis(node.attrs().GetInt("axis", 0), static_cast<int>(shape.size()));
  if (!axis.ok()) return axis.status();
  plan.axis = *axis;
  const int64_t dim = shape[plan.axis];
  // An empty `split` tensor means "not given" (as in onnxruntime); ONNX never
  // assigns it another meaning.
  if (split != nullptr && split->num_elements() > 0) {
    if (node.attrs().Has("num_outputs")) {
      return absl::InvalidArgumentError(
          "input 'split' and attribute 'num_outputs' must not both be given");
    }
    if (split->dtype() != DType::kInt64) {
      return absl::InvalidArgumentError(
          absl::StrCat("input 'split' must be int64, got ", DTypeName(split->dtype())));
    }
    plan.sizes = split->ToInt64Vector();
    if (static_cast<int>(plan.sizes.size()) != num_outputs) {
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
  if (node.attrs().Has("num_outputs")) {
    const int64_t n = node.attrs().GetInt("num_outputs", 0);
    if (n != num_outputs) {
      return absl::InvalidArgumentError(absl::StrCat(
          "attribute 'num_outputs' is ", n, " but the node has ", num_outputs, " outputs"));
    }
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
  if (dim % num_outputs != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("dimension ", dim, " does not split evenly into ", num_outputs, " outputs"));
  }
  plan.sizes.assign(num_outputs, dim / num_outputs);
  return plan;
}

ir::OpSchema SplitSchema() {
  ir::OpSchema s;
  s.name = "Split";
  s.min_inputs = 1;
  s.max_inputs = 2;
  s.min_outputs = 1;
  s.max_outputs = std::numeric_limits<int>::max();
  s.attrs = {{"axis", ir::AttrKind::kInt}, {"num_outputs", ir::AttrKind::kInt}};
  s.constant_inputs = {1};
  s.validate = [](const ir::Node& node) -> absl::Status {
    if (node.attrs().Has("num_outputs") && node.attrs().GetInt("num_outputs", 0) < 1) {
      return absl::InvalidArgumentError("attribute 'num_outputs' must be positive");
    }
    return absl::OkStatus();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const ir::Value* split = node.input(1);
    absl::StatusOr<SplitPlan> plan =
        PlanSplit(node, InputType(node, 0).shape, split == nullptr ? nullptr : &split->constant());
    if (!plan.ok()) return plan.status();
    for (int i = 0; i < node.num_outputs(); ++i) {
      outputs[i].dtype = InputType(node, 0).dtype;
      outputs[i].shape = InputType(node, 0).shape;
      outputs[i].shape[plan->axis] = plan->sizes[i];
    }
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& in = *inputs[0];
    absl::StatusOr<SplitPlan> plan =
        PlanSplit(node, in.shape(), inputs.size() > 1 ? inputs[1] : nullptr);
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
  };
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Split, SplitSchema());

}  // namespace
}  // namespace openbpu::ops
