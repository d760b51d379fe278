// ReduceSum (ONNX ReduceSum-13): sums over the axes of the constant `axes`
// input (all axes when empty, unless noop_with_empty_axes).
#include "compiler/ops/quant_util.h"
#include "compiler/ops/reduce_schema.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(ReduceSum, qarith::WithArithmeticQuant<qparams::Divisors>(
                                   ReduceSchema("ReduceSum", /*axes_attribute=*/false),
                                   [](ir::Node& node, const ir::QuantOpContext& ctx) {
                                     return qarith::PrepareReduce(node, ctx, /*mean=*/false);
                                   },
                                   qarith::ReduceKernel));

}  // namespace
}  // namespace openbpu::ops
