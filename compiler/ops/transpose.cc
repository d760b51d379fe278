// Transpose (ONNX Transpose-13): permutes dimensions of a tensor of any dtype;
// `perm` defaults to reversing them. The float kernel and
// kernels::TransposePermutation are in common/kernels/layout.cc.
#include "common/kernels/data_movement.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema TransposeSchema() {
  ir::OpSchema s;
  s.name = "Transpose";
  s.attrs = {{"perm", ir::AttrKind::kInts}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const Shape& in = InputType(node, 0).shape;
    absl::StatusOr<std::vector<int>> perm =
        kernels::TransposePermutation(node.attrs(), static_cast<int>(in.size()));
    if (!perm.ok()) return perm.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = kernels::PermutedShape(in, *perm);
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Transpose");
  s.kernel_from_registry = true;
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Transpose, TransposeSchema());

}  // namespace
}  // namespace openbpu::ops
