// ReduceMax (ONNX ReduceMax-18): maximum over the constant `axes` input or the
// pre-18 `axes` attribute (all axes when empty, unless noop_with_empty_axes).
// Quantized (exact): the same maximum over the integers.
#include "absl/strings/str_cat.h"
#include "compiler/ops/reduce_schema.h"
#include "isa/numerics/reduce.h"

namespace openbpu::ops {
namespace {

absl::Status ReduceMaxQuantKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                  std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  std::vector<int64_t> axes = inputs.size() > 1 && inputs[1] != nullptr
                                  ? inputs[1]->ToInt64Vector()
                                  : node.attrs().GetInts("axes");
  if (axes.empty() && node.attrs().GetInt("noop_with_empty_axes", 0) != 0) {
    outputs.push_back(x);
    return absl::OkStatus();
  }
  std::vector<bool> reduced(x.rank(), true);
  if (!axes.empty()) {
    absl::StatusOr<std::vector<bool>> mask = kernels::ReduceAxesMask(x.rank(), axes);
    if (!mask.ok()) return mask.status();
    reduced = *std::move(mask);
  }
  Tensor y(x.dtype(),
           kernels::ReducedShape(x.shape(), reduced, node.attrs().GetInt("keepdims", 1) != 0));
  switch (x.dtype()) {
    case DType::kInt8:
      numerics::ReduceMax(x.data<int8_t>(), x.shape(), reduced, y.data<int8_t>());
      break;
    case DType::kInt16:
      numerics::ReduceMax(x.data<int16_t>(), x.shape(), reduced, y.data<int16_t>());
      break;
    case DType::kInt32:
      numerics::ReduceMax(x.data<int32_t>(), x.shape(), reduced, y.data<int32_t>());
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("quantized ReduceMax of dtype ", DTypeName(x.dtype()), " is not supported"));
  }
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

ir::OpSchema ReduceMaxSchema() {
  ir::OpSchema s = ReduceSchema("ReduceMax", kernels::ReduceOp::kMax, /*axes_attribute=*/true);
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = ReduceMaxQuantKernel;
  return s;
}

OPENBPU_REGISTER_OP(ReduceMax, ReduceMaxSchema());

}  // namespace
}  // namespace openbpu::ops
