// Reshape (ONNX Reshape-14): same bytes, new shape from a constant int64
// input; 0 copies the input dimension unless allowzero=1, -1 is inferred. The
// float kernel and kernels::ReshapeShape are in common/kernels/reshape.cc.
#include "common/kernels/data_movement.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema ReshapeSchema() {
  ir::OpSchema s;
  s.name = "Reshape";
  s.min_inputs = s.max_inputs = 2;
  s.attrs = {{"allowzero", ir::AttrKind::kInt}};
  s.constant_inputs = {1};
  s.validate = [](const ir::Node& node) -> absl::Status {
    const int64_t v = node.attrs().GetInt("allowzero", 0);
    if (v != 0 && v != 1) {
      return absl::InvalidArgumentError(absl::StrCat("attribute 'allowzero' = ", v, " is invalid"));
    }
    return absl::OkStatus();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    absl::StatusOr<Shape> shape =
        kernels::ReshapeShape(node.attrs(), InputType(node, 0).shape, node.input(1)->constant());
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Reshape");
  s.kernel_from_registry = true;
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Reshape, ReshapeSchema());

}  // namespace
}  // namespace openbpu::ops
