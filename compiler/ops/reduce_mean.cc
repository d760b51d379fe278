// ReduceMean (ONNX ReduceMean-18): averages over the constant `axes` input or the
// pre-18 `axes` attribute (all axes when empty, unless noop_with_empty_axes).
#include "compiler/ops/quant_util.h"
#include "compiler/ops/reduce_schema.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(ReduceMean, qarith::WithArithmeticQuant<qparams::Divisors>(
                                    ReduceSchema("ReduceMean", /*axes_attribute=*/true),
                                    [](ir::Node& node, const ir::QuantOpContext& ctx) {
                                      return qarith::PrepareReduce(node, ctx, /*mean=*/true);
                                    },
                                    qarith::ReduceKernel));

}  // namespace
}  // namespace openbpu::ops
