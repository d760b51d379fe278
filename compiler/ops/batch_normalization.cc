// BatchNormalization (ONNX BatchNormalization-15) in inference mode: per-channel
// (x - mean) / sqrt(var + epsilon) * scale + B. Training mode and its extra
// outputs are not supported; the math is kernels::BatchNorm.
#include "common/kernels/batch_norm.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

constexpr const char* kParamNames[] = {"scale", "B", "input_mean", "input_var"};

absl::Status CheckShapes(const Shape& x, const std::vector<const Shape*>& params) {
  if (x.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("input X must have rank >= 2 (N, C, ...), got ", ShapeToString(x)));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    if (*params[i] != Shape{x[1]}) {
      return absl::InvalidArgumentError(absl::StrCat("input '", kParamNames[i],
                                                     "' must have shape [", x[1], "], got ",
                                                     ShapeToString(*params[i])));
    }
  }
  return absl::OkStatus();
}

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
    if (absl::Status st = CheckShapes(InputType(node, 0).shape, params); !st.ok()) return st;
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = InputType(node, 0).shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    std::vector<const Shape*> params;
    for (int i = 1; i < 5; ++i) params.push_back(&inputs[i]->shape());
    if (absl::Status st = CheckShapes(x.shape(), params); !st.ok()) return st;
    int64_t inner = 1;
    for (int d = 2; d < x.rank(); ++d) inner *= x.dim(d);
    Tensor y(DType::kFloat32, x.shape());
    kernels::BatchNorm(x.data<float>(), x.dim(0), x.dim(1), inner, inputs[1]->data<float>(),
                       inputs[2]->data<float>(), inputs[3]->data<float>(), inputs[4]->data<float>(),
                       node.attrs().GetFloat("epsilon", 1e-5f), y.data<float>());
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(BatchNormalization, BatchNormalizationSchema());

}  // namespace
}  // namespace openbpu::ops
