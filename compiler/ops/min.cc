// Min (ONNX Min-13): elementwise minimum of 1..N inputs with multidirectional
// broadcasting; a NaN in any input gives NaN, as numpy.minimum.
#include <cmath>
#include <limits>
#include <type_traits>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

// Quantized (arithmetic): every input is requantized to the output scale
// (records "input", s_i / s_out), then the minimum is taken (docs/NUMERICS.md,
// "Max/min/compare").
ir::OpSchema MinSchema() {
  ir::OpSchema s = VariadicKernelSchema("Min");
  qexact::SetRequantizedFoldQuant(s, /*is_max=*/false);
  return s;
}

OPENBPU_REGISTER_OP(Min, MinSchema());

}  // namespace
}  // namespace openbpu::ops
