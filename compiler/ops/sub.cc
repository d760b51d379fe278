// Sub: broadcasting elementwise difference; integer overflow wraps (as numpy).
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Sub, qarith::WithArithmeticQuant<qparams::Add>(
                             BinaryKernelSchema("Sub", /*has_int=*/true, /*bool_output=*/false),
                             [](ir::Node& node, const ir::QuantOpContext& ctx) {
                               return qarith::PrepareAdd(node, ctx, /*subtract=*/true);
                             },
                             qarith::AddKernel));

}  // namespace
}  // namespace openbpu::ops
