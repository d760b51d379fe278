// Abs: elementwise |x| for float and integer tensors. Integer |lowest| wraps to
// lowest, as numpy does, instead of overflowing.
#include <cmath>
#include <type_traits>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema AbsSchema() {
  ir::OpSchema s;
  s.name = "Abs";
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st =
            RequireDType(node, 0,
                         {DType::kFloat32, DType::kFloat64, DType::kInt8, DType::kInt16,
                          DType::kInt32, DType::kInt64, DType::kUInt8});
        !st.ok()) {
      return st;
    }
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = InputType(node, 0).shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Abs");  // common/kernels/elementwise.cc
  s.kernel_from_registry = true;
  // Quantized (exact, on the input's grid): |q| saturated: |-128| = 128 becomes 127 (int8), as fake
  // quantization of the float result 128 * s does.
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = [](const ir::Node&, absl::Span<const Tensor* const> inputs,
                 std::vector<Tensor>& outputs) -> absl::Status {
    return qexact::SaturatedMap(
        *inputs[0], [](int64_t q) -> int64_t { return q < 0 ? -q : q; }, outputs);
  };
  return s;
}

OPENBPU_REGISTER_OP(Abs, AbsSchema());

}  // namespace
}  // namespace openbpu::ops
