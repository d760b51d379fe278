// Identity: the input unchanged, for tensors of any dtype.
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema IdentitySchema() {
  ir::OpSchema s;
  s.name = "Identity";
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = InputType(node, 0).shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Identity");  // common/kernels/ops_misc.cc
  s.kernel_from_registry = true;
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Identity, IdentitySchema());

}  // namespace
}  // namespace openbpu::ops
