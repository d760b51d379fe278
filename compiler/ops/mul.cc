// Mul: broadcasting elementwise product; integer overflow wraps (as numpy).
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Mul, qarith::WithArithmeticQuant<qparams::Mul>(
                             BinaryKernelSchema("Mul", /*has_int=*/true, /*bool_output=*/false),
                             qarith::PrepareMul, qarith::MulKernel));

}  // namespace
}  // namespace openbpu::ops
