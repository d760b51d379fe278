// Min (ONNX Min-13): elementwise minimum of 1..N inputs with multidirectional
// broadcasting; a NaN in any input gives NaN, as numpy.minimum.
#include <cmath>
#include <limits>
#include <type_traits>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

template <typename T>
T MinOf(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  }
  return b < a ? b : a;
}

OPENBPU_REGISTER_OP(Min, VariadicFoldSchema("Min", [](auto a, auto b) { return MinOf(a, b); }));

}  // namespace
}  // namespace openbpu::ops
