// Concat: joins tensors of any dtype along one axis (ONNX Concat-13); a
// byte-level copy, so every dtype is supported.
#include <cstring>
#include <limits>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 31;

struct ConcatPlan {
  int axis = 0;
  Shape shape;
};

// Shared by shape inference and the kernel so both reject the same inputs.
absl::StatusOr<ConcatPlan> PlanConcat(const ir::Node& node, const std::vector<DType>& dtypes,
                                      const std::vector<const Shape*>& shapes) {
  if (!node.attrs().Has("axis")) return absl::InvalidArgumentError("attribute 'axis' is required");
  if (shapes.empty()) return absl::InvalidArgumentError("needs at least one input");
  const Shape& first = *shapes[0];
  const int rank = static_cast<int>(first.size());
  if (rank == 0) return absl::InvalidArgumentError("cannot concatenate scalars");
  ConcatPlan plan;
  absl::StatusOr<int> axis = NormalizeAxis(node.attrs().GetInt("axis", 0), rank);
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
    if (plan.shape[plan.axis] > kMaxElements) {
      return absl::InvalidArgumentError("concatenated dimension is too large");
    }
  }
  if (NumElements(plan.shape) > kMaxElements) {
    return absl::InvalidArgumentError(
        absl::StrCat("output shape ", ShapeToString(plan.shape), " has too many elements"));
  }
  return plan;
}

ir::OpSchema ConcatSchema() {
  ir::OpSchema s;
  s.name = "Concat";
  s.min_inputs = 1;
  s.max_inputs = std::numeric_limits<int>::max();
  s.attrs = {{"axis", ir::AttrKind::kInt}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    std::vector<DType> dtypes;
    std::vector<const Shape*> shapes;
    for (int i = 0; i < node.num_inputs(); ++i) {
      if (node.input(i) == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("input ", i, " is missing"));
      }
      dtypes.push_back(InputType(node, i).dtype);
      shapes.push_back(&InputType(node, i).shape);
    }
    if (DTypeSize(dtypes[0]) == 0) return RequireDType(node, 0, {});
    absl::StatusOr<ConcatPlan> plan = PlanConcat(node, dtypes, shapes);
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = dtypes[0];
    outputs[0].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    std::vector<DType> dtypes;
    std::vector<const Shape*> shapes;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i] == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("input ", i, " is missing"));
      }
      dtypes.push_back(inputs[i]->dtype());
      shapes.push_back(&inputs[i]->shape());
    }
    absl::StatusOr<ConcatPlan> plan = PlanConcat(node, dtypes, shapes);
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
  };
  return s;
}

OPENBPU_REGISTER_OP(Concat, qarith::WithArithmeticQuant<qparams::InputRecords>(
                                ConcatSchema(), qarith::PrepareConcat, qarith::ConcatKernel));

}  // namespace
}  // namespace openbpu::ops
