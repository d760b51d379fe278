// AveragePool (ONNX AveragePool-19): N-d float32 average pooling with pads,
// auto_pad, dilations, ceil_mode and count_include_pad.
#include "compiler/ops/pool_schema.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema AveragePoolSchema() {
  return WindowPoolSchema(
      "AveragePool", {{"count_include_pad", ir::AttrKind::kInt}}, {DType::kFloat32},
      [](const ir::Node& node, const Tensor& x, const kernels::PoolGeometry& g,
         Tensor& y) -> absl::Status {
        kernels::AveragePool(x.data<float>(), x.dim(0) * x.dim(1), g,
                             node.attrs().GetInt("count_include_pad", 0) != 0, y.data<float>());
        return absl::OkStatus();
      });
}

OPENBPU_REGISTER_OP(AveragePool,
                    qarith::WithArithmeticQuant<qparams::Divisors>(AveragePoolSchema(),
                                                                   qarith::PrepareAveragePool,
                                                                   qarith::AveragePoolKernel));

}  // namespace
}  // namespace openbpu::ops
