// Equal: broadcasting elementwise a == b for tensors of any dtype (float, the
// integer types and bool), a bool tensor.
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema EqualSchema() {
  ir::OpSchema s;
  s.name = "Equal";
  s.min_inputs = s.max_inputs = 2;
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const DType a = InputType(node, 0).dtype;
    const DType b = InputType(node, 1).dtype;
    if (a != b) {
      return absl::InvalidArgumentError(
          absl::StrCat("input dtypes differ: ", DTypeName(a), " and ", DTypeName(b)));
    }
    absl::StatusOr<Shape> shape =
        BroadcastShapes(InputType(node, 0).shape, InputType(node, 1).shape);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = DType::kBool;
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Equal");  // common/kernels/binary.cc
  s.kernel_from_registry = true;
  // Quantized (exact): a * s_a == b * s_b compared exactly in integers
  // (docs/NUMERICS.md, "Max/min/compare"); a bool output without quantization.
  qexact::SetCompareQuant(s, isa::CmpPredicate::kEq);
  return s;
}

OPENBPU_REGISTER_OP(Equal, EqualSchema());

}  // namespace
}  // namespace openbpu::ops
