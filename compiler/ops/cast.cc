// Cast (ONNX Cast-13): elementwise dtype conversion; `to` is an ONNX
// TensorProto data type code. Float to integer truncates toward zero and
// saturates out-of-range values (undefined in ONNX); NaN becomes 0. The float
// kernel and kernels::CastTargetDType are in common/kernels/shape_ops.cc.
#include "common/kernels/shape_ops.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema CastSchema() {
  ir::OpSchema s;
  s.name = "Cast";
  // `saturate` (Cast-19) only affects float8 targets, which are rejected.
  s.attrs = {{"to", ir::AttrKind::kInt}, {"saturate", ir::AttrKind::kInt}};
  s.validate = [](const ir::Node& node) -> absl::Status {
    return kernels::CastTargetDType(node.attrs()).status();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    absl::StatusOr<DType> to = kernels::CastTargetDType(node.attrs());
    if (!to.ok()) return to.status();
    outputs[0].dtype = *to;
    outputs[0].shape = InputType(node, 0).shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Cast");
  s.kernel_from_registry = true;
  return s;
}

OPENBPU_REGISTER_OP(Cast, CastSchema());

}  // namespace
}  // namespace openbpu::ops
