// AveragePool (ONNX AveragePool-19): N-d float32 average pooling with pads,
// auto_pad, dilations, ceil_mode and count_include_pad; the float kernel is in
// common/kernels/pool_ops.cc.
#include "compiler/ops/pool_schema.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema AveragePoolSchema() {
  return WindowPoolSchema("AveragePool", {{"count_include_pad", ir::AttrKind::kInt}},
                          {DType::kFloat32});
}

OPENBPU_REGISTER_OP(AveragePool,
                    qarith::WithArithmeticQuant<qparams::Divisors>(AveragePoolSchema(),
                                                                   qarith::PrepareAveragePool,
                                                                   qarith::AveragePoolKernel));

}  // namespace
}  // namespace openbpu::ops
