// PRelu (ONNX PRelu-16): x for x >= 0, slope * x below, with `slope`
// broadcast unidirectionally to the shape of x.
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

// The output shape is x's: slope must broadcast to it without growing it.
absl::Status CheckSlope(const Shape& x, const Shape& slope) {
  absl::StatusOr<Shape> shape = BroadcastShapes(x, slope);
  if (!shape.ok() || *shape != x) {
    return absl::InvalidArgumentError(absl::StrCat("slope shape ", ShapeToString(slope),
                                                   " does not broadcast to the input shape ",
                                                   ShapeToString(x)));
  }
  return absl::OkStatus();
}

ir::OpSchema PReluSchema() {
  ir::OpSchema s;
  s.name = "PRelu";
  s.min_inputs = s.max_inputs = 2;
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    for (int i = 0; i < 2; ++i) {
      if (absl::Status st = RequireDType(node, i, {DType::kFloat32}); !st.ok()) return st;
    }
    const Shape& x = InputType(node, 0).shape;
    if (absl::Status st = CheckSlope(x, InputType(node, 1).shape); !st.ok()) return st;
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = x;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node&, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    const Tensor& slope = *inputs[1];
    if (absl::Status st = CheckSlope(x.shape(), slope.shape()); !st.ok()) return st;
    outputs.push_back(BroadcastBinary<float, float>(
        x, slope, x.shape(), [](float v, float a) { return v >= 0.f ? v : a * v; }));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(PRelu, PReluSchema());

}  // namespace
}  // namespace openbpu::ops
