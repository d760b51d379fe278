// ReduceMin (ONNX ReduceMin-18): minimum over the constant `axes` input or the
// pre-18 `axes` attribute (all axes when empty, unless noop_with_empty_axes).
// Quantized (exact): the same minimum over the integers, computed as aae.reduce
// computes min: -max(-x) over the input widened to int64.
#include <limits>

#include "absl/strings/str_cat.h"
#include "compiler/ops/reduce_schema.h"
#include "isa/numerics/reduce.h"

namespace openbpu::ops {
namespace {

// out = min over the reduced dimensions of x (int8 / int16 / int32); an empty
// reduction gives the storage maximum (fake quantization of +inf).
template <typename T>
void IntegerMin(const Tensor& x, const std::vector<bool>& reduced, Tensor& y) {
  std::vector<int64_t> negated(x.num_elements());
  for (int64_t i = 0; i < x.num_elements(); ++i) negated[i] = -static_cast<int64_t>(x.data<T>()[i]);
  std::vector<int64_t> max(y.num_elements());
  numerics::ReduceMax(negated.data(), x.shape(), reduced, max.data());
  for (int64_t i = 0; i < y.num_elements(); ++i) {
    y.data<T>()[i] = max[i] == std::numeric_limits<int64_t>::lowest()
                         ? std::numeric_limits<T>::max()
                         : static_cast<T>(-max[i]);
  }
}

absl::Status ReduceMinQuantKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
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
      IntegerMin<int8_t>(x, reduced, y);
      break;
    case DType::kInt16:
      IntegerMin<int16_t>(x, reduced, y);
      break;
    case DType::kInt32:
      IntegerMin<int32_t>(x, reduced, y);
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("quantized ReduceMin of dtype ", DTypeName(x.dtype()), " is not supported"));
  }
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

ir::OpSchema ReduceMinSchema() {
  ir::OpSchema s = ReduceSchema("ReduceMin", kernels::ReduceOp::kMin, /*axes_attribute=*/true);
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = ReduceMinQuantKernel;
  return s;
}

OPENBPU_REGISTER_OP(ReduceMin, ReduceMinSchema());

}  // namespace
}  // namespace openbpu::ops
