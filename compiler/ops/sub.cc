// Sub: broadcasting elementwise difference; integer overflow wraps (as numpy).
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Sub, qarith::WithArithmeticQuant<qparams::Add>(
                             BinarySchema(
                                 "Sub", [](float a, float b) { return a - b; },
                                 [](int64_t a, int64_t b) {
                                   return static_cast<int64_t>(static_cast<uint64_t>(a) -
                                                               static_cast<uint64_t>(b));
                                 }),
                             [](ir::Node& node, const ir::QuantOpContext& ctx) {
                               return qarith::PrepareAdd(node, ctx, /*subtract=*/true);
                             },
                             qarith::AddKernel));

}  // namespace
}  // namespace openbpu::ops
