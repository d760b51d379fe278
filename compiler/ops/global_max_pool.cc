// GlobalMaxPool: max over all spatial dimensions of float32 [N, C, ...]
// (rank >= 3); the output keeps the spatial dimensions as 1s. Quantized
// (exact): the same max over the integers. The float kernel is in
// common/kernels/pool_ops.cc.
#include "absl/strings/str_cat.h"
#include "compiler/ops/pool_schema.h"
#include "isa/numerics/reduce.h"

namespace openbpu::ops {
namespace {

template <typename T>
void GlobalMax(const Tensor& x, int64_t channels, int64_t spatial, Tensor& y) {
  numerics::ReduceMax(x.data<T>(), {channels, spatial}, {false, true}, y.data<T>());
}

absl::Status GlobalMaxPoolQuantKernel(const ir::Node&, absl::Span<const Tensor* const> inputs,
                                      std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  absl::StatusOr<Shape> shape = kernels::GlobalPoolShape(x.shape());
  if (!shape.ok()) return shape.status();
  Tensor y(x.dtype(), *shape);
  const int64_t channels = x.dim(0) * x.dim(1);
  const int64_t spatial = channels == 0 ? 0 : x.num_elements() / channels;
  switch (x.dtype()) {
    case DType::kInt8:
      GlobalMax<int8_t>(x, channels, spatial, y);
      break;
    case DType::kInt16:
      GlobalMax<int16_t>(x, channels, spatial, y);
      break;
    case DType::kInt32:
      GlobalMax<int32_t>(x, channels, spatial, y);
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat("quantized GlobalMaxPool of dtype ",
                                                     DTypeName(x.dtype()), " is not supported"));
  }
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

ir::OpSchema GlobalMaxPoolSchema() {
  ir::OpSchema s = GlobalPoolSchema("GlobalMaxPool");
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = GlobalMaxPoolQuantKernel;
  return s;
}

OPENBPU_REGISTER_OP(GlobalMaxPool, GlobalMaxPoolSchema());

}  // namespace
}  // namespace openbpu::ops
