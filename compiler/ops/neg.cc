// Neg: elementwise -x for float and signed integer tensors. Integer -lowest
// wraps to lowest, as numpy does, instead of overflowing.
#include <type_traits>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

template <typename T>
T NegOf(T x) {
  if constexpr (std::is_floating_point_v<T>) {
    return -x;
  } else {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(0) - static_cast<U>(x));
  }
}

template <typename T>
void Negate(const Tensor& x, std::vector<Tensor>& outputs) {
  outputs.push_back(MapUnary<T>(x, NegOf<T>));
}

ir::OpSchema NegSchema() {
  ir::OpSchema s;
  s.name = "Neg";
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0,
                                       {DType::kFloat32, DType::kFloat64, DType::kInt8,
                                        DType::kInt16, DType::kInt32, DType::kInt64});
        !st.ok()) {
      return st;
    }
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = InputType(node, 0).shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node&, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    switch (x.dtype()) {
      case DType::kFloat32:
        Negate<float>(x, outputs);
        break;
      case DType::kFloat64:
        Negate<double>(x, outputs);
        break;
      case DType::kInt8:
        Negate<int8_t>(x, outputs);
        break;
      case DType::kInt16:
        Negate<int16_t>(x, outputs);
        break;
      case DType::kInt32:
        Negate<int32_t>(x, outputs);
        break;
      case DType::kInt64:
        Negate<int64_t>(x, outputs);
        break;
      default:
        return absl::UnimplementedError(
            absl::StrCat("dtype ", DTypeName(x.dtype()), " is not supported"));
    }
    return absl::OkStatus();
  };
  // Quantized (exact, on the input's grid): -q saturated: -(-128) = 128 becomes 127 (int8), as fake
  // quantization of the float result 128 * s does.
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = [](const ir::Node&, absl::Span<const Tensor* const> inputs,
                 std::vector<Tensor>& outputs) -> absl::Status {
    return qexact::SaturatedMap(
        *inputs[0], [](int64_t q) -> int64_t { return -q; }, outputs);
  };
  return s;
}

OPENBPU_REGISTER_OP(Neg, NegSchema());

}  // namespace
}  // namespace openbpu::ops
