// Flatten (ONNX Flatten-13): reshapes to 2-D, splitting the dimensions at
// `axis`; any dtype.
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

// Shared by shape inference and the kernel.
absl::StatusOr<Shape> FlattenShape(const ir::Node& node, const Shape& in) {
  const int rank = static_cast<int>(in.size());
  int64_t axis = node.attrs().GetInt("axis", 1);
  // Unlike most axes, Flatten's may equal the rank: [-r, r].
  if (axis < -rank || axis > rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("axis ", axis, " is out of range for rank ", rank));
  }
  if (axis < 0) axis += rank;
  Shape out = {1, 1};
  for (int d = 0; d < rank; ++d) out[d < axis ? 0 : 1] *= in[d];
  return out;
}

ir::OpSchema FlattenSchema() {
  ir::OpSchema s;
  s.name = "Flatten";
  s.attrs = {{"axis", ir::AttrKind::kInt}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    absl::StatusOr<Shape> shape = FlattenShape(node, InputType(node, 0).shape);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    absl::StatusOr<Shape> shape = FlattenShape(node, inputs[0]->shape());
    if (!shape.ok()) return shape.status();
    Tensor out = *inputs[0];
    if (absl::Status st = out.Reshape(*shape); !st.ok()) return st;
    outputs.push_back(std::move(out));
    return absl::OkStatus();
  };
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Flatten, FlattenSchema());

}  // namespace
}  // namespace openbpu::ops
