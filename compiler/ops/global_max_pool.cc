// GlobalMaxPool: max over all spatial dimensions of float32 [N, C, ...]
// (rank >= 3); the output keeps the spatial dimensions as 1s.
#include "common/kernels/pool.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

absl::StatusOr<Shape> GlobalMaxPoolShape(const Shape& shape) {
  if (shape.size() < 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("input must have rank >= 3, got ", ShapeToString(shape)));
  }
  Shape out(shape.size(), 1);
  out[0] = shape[0];
  out[1] = shape[1];
  return out;
}

ir::OpSchema GlobalMaxPoolSchema() {
  ir::OpSchema s;
  s.name = "GlobalMaxPool";
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kFloat32}); !st.ok()) return st;
    absl::StatusOr<Shape> shape = GlobalMaxPoolShape(InputType(node, 0).shape);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = *std::move(shape);
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& /*node*/, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    absl::StatusOr<Shape> shape = GlobalMaxPoolShape(x.shape());
    if (!shape.ok()) return shape.status();
    Tensor y(DType::kFloat32, *shape);
    const int64_t channels = x.dim(0) * x.dim(1);
    const int64_t spatial = channels == 0 ? 0 : x.num_elements() / channels;
    kernels::GlobalMaxPool(x.data<float>(), channels, spatial, y.data<float>());
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(GlobalMaxPool, GlobalMaxPoolSchema());

}  // namespace
}  // namespace openbpu::ops
