// Add: broadcasting elementwise sum.
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Add, qarith::WithArithmeticQuant<qparams::Add>(
                             BinaryKernelSchema("Add", /*has_int=*/true, /*bool_output=*/false),
                             [](ir::Node& node, const ir::QuantOpContext& ctx) {
                               return qarith::PrepareAdd(node, ctx, /*subtract=*/false);
                             },
                             qarith::AddKernel));

}  // namespace
}  // namespace openbpu::ops
