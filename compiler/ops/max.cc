// Max (ONNX Max-13): elementwise maximum of 1..N inputs with multidirectional
// broadcasting; a NaN in any input gives NaN, as numpy.maximum.
#include <cmath>
#include <limits>
#include <type_traits>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

// Quantized (arithmetic): every input is requantized to the output scale
// (records "input", s_i / s_out), then the maximum is taken (docs/NUMERICS.md,
// "Max/min/compare").
ir::OpSchema MaxSchema() {
  ir::OpSchema s = VariadicKernelSchema("Max");
  qexact::SetRequantizedFoldQuant(s, /*is_max=*/true);
  return s;
}

OPENBPU_REGISTER_OP(Max, MaxSchema());

}  // namespace
}  // namespace openbpu::ops
