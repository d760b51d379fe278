// Shape (ONNX Shape-15): the input's dimensions [start, end) as int64; reads
// only the input's type, so it folds to a constant at import. The float kernel
// and kernels::ShapeSlice are in common/kernels/shape_ops.cc.
#include "common/kernels/shape_ops.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema ShapeSchema() {
  ir::OpSchema s;
  s.name = "Shape";
  s.attrs = {{"start", ir::AttrKind::kInt}, {"end", ir::AttrKind::kInt}};
  s.shape_only = true;
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    outputs[0].dtype = DType::kInt64;
    outputs[0].shape = {
        static_cast<int64_t>(kernels::ShapeSlice(node.attrs(), InputType(node, 0).shape).size())};
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Shape");
  s.kernel_from_registry = true;
  return s;
}

OPENBPU_REGISTER_OP(Shape, ShapeSchema());

}  // namespace
}  // namespace openbpu::ops
