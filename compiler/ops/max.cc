// Max (ONNX Max-13): elementwise maximum of 1..N inputs with multidirectional
// broadcasting; a NaN in any input gives NaN, as numpy.maximum.
#include <cmath>
#include <limits>
#include <type_traits>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

template <typename T>
T MaxOf(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  }
  return b > a ? b : a;
}

OPENBPU_REGISTER_OP(Max, VariadicFoldSchema("Max", [](auto a, auto b) { return MaxOf(a, b); }));

}  // namespace
}  // namespace openbpu::ops
