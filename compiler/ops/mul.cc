// Mul: broadcasting elementwise product; integer overflow wraps (as numpy).
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Mul, qarith::WithArithmeticQuant<qparams::Mul>(
                             BinarySchema(
                                 "Mul", [](float a, float b) { return a * b; },
                                 [](int64_t a, int64_t b) {
                                   return static_cast<int64_t>(static_cast<uint64_t>(a) *
                                                               static_cast<uint64_t>(b));
                                 }),
                             qarith::PrepareMul, qarith::MulKernel));

}  // namespace
}  // namespace openbpu::ops
