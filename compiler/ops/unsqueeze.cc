// Unsqueeze (ONNX Unsqueeze-13): inserts size-1 dimensions at the constant
// `axes` (positions in the output, negative ones counted from its end); any dtype.
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

// Shared by shape inference and the kernel.
absl::StatusOr<Shape> UnsqueezeShape(const Shape& in, const Tensor& axes) {
  if (axes.dtype() != DType::kInt64) {
    return absl::InvalidArgumentError(
        absl::StrCat("input 'axes' must be int64, got ", DTypeName(axes.dtype())));
  }
  if (axes.rank() != 1) return absl::InvalidArgumentError("input 'axes' must be 1-D");
  const std::vector<int64_t> values = axes.ToInt64Vector();
  const int64_t out_rank = static_cast<int64_t>(in.size() + values.size());
  std::vector<bool> inserted(out_rank, false);
  for (int64_t a : values) {
    if (a < -out_rank || a >= out_rank) {
      return absl::InvalidArgumentError(
          absl::StrCat("axis ", a, " is out of range for output rank ", out_rank));
    }
    const int64_t axis = a < 0 ? a + out_rank : a;
    if (inserted[axis]) return absl::InvalidArgumentError(absl::StrCat("axis ", a, " repeats"));
    inserted[axis] = true;
  }
  Shape out(out_rank, 1);
  size_t next = 0;
  for (int64_t d = 0; d < out_rank; ++d) {
    if (!inserted[d]) out[d] = in[next++];
  }
  return out;
}

ir::OpSchema UnsqueezeSchema() {
  ir::OpSchema s;
  s.name = "Unsqueeze";
  s.min_inputs = s.max_inputs = 2;
  s.constant_inputs = {1};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    absl::StatusOr<Shape> shape =
        UnsqueezeShape(InputType(node, 0).shape, node.input(1)->constant());
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& /*node*/, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    absl::StatusOr<Shape> shape = UnsqueezeShape(inputs[0]->shape(), *inputs[1]);
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

OPENBPU_REGISTER_OP(Unsqueeze, UnsqueezeSchema());

}  // namespace
}  // namespace openbpu::ops
