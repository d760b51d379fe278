// MaxPool (ONNX MaxPool-12): N-d max pooling of float32 / int8 / uint8 with
// pads, auto_pad, dilations and ceil_mode; the Indices output is not supported.
// The float kernel is in common/kernels/pool_ops.cc.
#include "absl/strings/str_cat.h"
#include "compiler/ops/pool_schema.h"
#include "isa/numerics/pool.h"

namespace openbpu::ops {
namespace {

// Quantized (exact): numerics::MaxPool on the integers (docs/NUMERICS.md,
// "Exact ops"), the windows planned as the float kernel plans them.
absl::Status MaxPoolQuantKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  absl::StatusOr<kernels::PoolGeometry> g = kernels::PlanWindowPool(node.attrs(), x.shape());
  if (!g.ok()) return g.status();
  const numerics::PoolWindows w{g->input,     g->output,     g->kernel,  g->strides,
                                g->dilations, g->pads_begin, g->pads_end};
  Tensor y(x.dtype(), kernels::PooledShape(x.shape(), g->output));
  const int64_t channels = x.dim(0) * x.dim(1);
  switch (x.dtype()) {
    case DType::kInt8:
      numerics::MaxPool(x.data<int8_t>(), channels, w, y.data<int8_t>());
      break;
    case DType::kInt16:
      numerics::MaxPool(x.data<int16_t>(), channels, w, y.data<int16_t>());
      break;
    case DType::kInt32:
      numerics::MaxPool(x.data<int32_t>(), channels, w, y.data<int32_t>());
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("quantized MaxPool of dtype ", DTypeName(x.dtype()), " is not supported"));
  }
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

ir::OpSchema MaxPoolSchema() {
  ir::OpSchema s = WindowPoolSchema("MaxPool", {{"storage_order", ir::AttrKind::kInt}},
                                    {DType::kFloat32, DType::kInt8, DType::kUInt8});
  s.validate = [validate_pool = s.validate](const ir::Node& node) -> absl::Status {
    const int64_t storage_order = node.attrs().GetInt("storage_order", 0);
    if (storage_order != 0) {
      return absl::UnimplementedError(
          absl::StrCat("attribute 'storage_order' = ", storage_order, " is not supported"));
    }
    return validate_pool(node);
  };
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = MaxPoolQuantKernel;
  return s;
}

OPENBPU_REGISTER_OP(MaxPool, MaxPoolSchema());

}  // namespace
}  // namespace openbpu::ops
