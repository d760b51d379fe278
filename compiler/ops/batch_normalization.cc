// BatchNormalization (ONNX BatchNormalization-15) in inference mode: per-channel
// (x - mean) / sqrt(var + epsilon) * scale + B. Training mode and its extra
// outputs are not supported; the float kernel is in common/kernels/norm_ops.cc
// (the math is kernels::BatchNorm).
#include "common/kernels/batch_norm.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema BatchNormalizationSchema() {
  ir::OpSchema s;
  s.name = "BatchNormalization";
  s.min_inputs = s.max_inputs = 5;
  s.attrs = {{"epsilon", ir::AttrKind::kFloat},
             {"momentum", ir::AttrKind::kFloat},  // training only: accepted, unused
             {"training_mode", ir::AttrKind::kInt}};
  s.validate = [](const ir::Node& node) -> absl::Status {
    const int64_t training = node.attrs().GetInt("training_mode", 0);
    if (training != 0) {
      return absl::UnimplementedError(
          absl::StrCat("attribute 'training_mode' = ", training, " is not supported"));
    }
    return absl::OkStatus();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    std::vector<const Shape*> params;
    for (int i = 0; i < 5; ++i) {
      if (absl::Status st = RequireDType(node, i, {DType::kFloat32}); !st.ok()) return st;
      if (i > 0) params.push_back(&InputType(node, i).shape);
    }
    if (absl::Status st = kernels::CheckBatchNormShapes(InputType(node, 0).shape, params);
        !st.ok()) {
      return st;
    }
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = InputType(node, 0).shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("BatchNormalization");  // common/kernels/norm_ops.cc
  s.kernel_from_registry = true;
  return s;
}

OPENBPU_REGISTER_OP(BatchNormalization, BatchNormalizationSchema());

}  // namespace
}  // namespace openbpu::ops
