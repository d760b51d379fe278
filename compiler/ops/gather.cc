// Gather (ONNX Gather-13): picks slices of `data` (any dtype) along an axis at
// int32/int64 `indices`; negative indices count from the end, out-of-range
// ones are an InvalidArgument error.
#include <cstring>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 31;

struct GatherPlan {
  int axis = 0;
  Shape shape;  // output shape
};

// Shared by shape inference and the kernel.
absl::StatusOr<GatherPlan> PlanGather(const ir::Node& node, const Shape& data,
                                      const Shape& indices) {
  const int rank = static_cast<int>(data.size());
  if (rank == 0) return absl::InvalidArgumentError("Gather needs data of rank >= 1");
  GatherPlan plan;
  absl::StatusOr<int> axis = NormalizeAxis(node.attrs().GetInt("axis", 0), rank);
  if (!axis.ok()) return axis.status();
  plan.axis = *axis;
  plan.shape.assign(data.begin(), data.begin() + plan.axis);
  plan.shape.insert(plan.shape.end(), indices.begin(), indices.end());
  plan.shape.insert(plan.shape.end(), data.begin() + plan.axis + 1, data.end());
  // Output size = data size / dim * index count; bound it without overflow.
  const int64_t slices = NumElements(indices);
  const int64_t per_index = data[plan.axis] == 0 ? 0 : NumElements(data) / data[plan.axis];
  if (slices > kMaxElements || (per_index > 0 && slices > kMaxElements / per_index)) {
    return absl::InvalidArgumentError(
        absl::StrCat("output shape ", ShapeToString(plan.shape), " has too many elements"));
  }
  return plan;
}

ir::OpSchema GatherSchema() {
  ir::OpSchema s;
  s.name = "Gather";
  s.min_inputs = s.max_inputs = 2;
  s.attrs = {{"axis", ir::AttrKind::kInt}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 1, {DType::kInt32, DType::kInt64}); !st.ok()) {
      return st;
    }
    absl::StatusOr<GatherPlan> plan =
        PlanGather(node, InputType(node, 0).shape, InputType(node, 1).shape);
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& data = *inputs[0];
    const Tensor& indices = *inputs[1];
    if (indices.dtype() != DType::kInt32 && indices.dtype() != DType::kInt64) {
      return absl::InvalidArgumentError(
          absl::StrCat("indices must be int32 or int64, got ", DTypeName(indices.dtype())));
    }
    absl::StatusOr<GatherPlan> plan = PlanGather(node, data.shape(), indices.shape());
    if (!plan.ok()) return plan.status();
    const int axis = plan->axis;
    int64_t outer = 1;
    for (int d = 0; d < axis; ++d) outer *= data.dim(d);
    int64_t inner = 1;
    for (int d = axis + 1; d < data.rank(); ++d) inner *= data.dim(d);
    const int64_t dim = data.dim(axis);
    const size_t block = static_cast<size_t>(inner) * DTypeSize(data.dtype());
    // Validate every index before writing anything.
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
  };
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Gather, GatherSchema());

}  // namespace
}  // namespace openbpu::ops
