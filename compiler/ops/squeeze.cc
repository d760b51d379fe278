// Squeeze (ONNX Squeeze-13): drops size-1 dimensions, those listed in the
// constant `axes` input or, without it, all of them; any dtype.
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

// `axes` is null when the input is omitted. Shared by shape inference and the
// kernel.
absl::StatusOr<Shape> SqueezeShape(const Shape& in, const Tensor* axes) {
  const int rank = static_cast<int>(in.size());
  std::vector<bool> drop(rank, false);
  if (axes == nullptr) {
    for (int d = 0; d < rank; ++d) drop[d] = in[d] == 1;
  } else {
    if (axes->dtype() != DType::kInt64) {
      return absl::InvalidArgumentError(
          absl::StrCat("input 'axes' must be int64, got ", DTypeName(axes->dtype())));
    }
    if (axes->rank() != 1) return absl::InvalidArgumentError("input 'axes' must be 1-D");
    // An empty `axes` tensor squeezes nothing (ONNX shape inference and
    // reference agree; only an omitted input means "all").
    for (int64_t a : axes->ToInt64Vector()) {
      if (a < -rank || a >= rank) {
        return absl::InvalidArgumentError(
            absl::StrCat("axis ", a, " is out of range for rank ", rank));
      }
      const int axis = static_cast<int>(a < 0 ? a + rank : a);
      if (drop[axis]) return absl::InvalidArgumentError(absl::StrCat("axis ", a, " repeats"));
      if (in[axis] != 1) {
        return absl::InvalidArgumentError(absl::StrCat("cannot squeeze axis ", a, " of shape ",
                                                       ShapeToString(in), ": size is not 1"));
      }
      drop[axis] = true;
    }
  }
  Shape out;
  for (int d = 0; d < rank; ++d) {
    if (!drop[d]) out.push_back(in[d]);
  }
  return out;
}

ir::OpSchema SqueezeSchema() {
  ir::OpSchema s;
  s.name = "Squeeze";
  s.min_inputs = 1;
  s.max_inputs = 2;
  s.constant_inputs = {1};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const ir::Value* axes = node.input(1);
    absl::StatusOr<Shape> shape =
        SqueezeShape(InputType(node, 0).shape, axes == nullptr ? nullptr : &axes->constant());
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& /*node*/, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    absl::StatusOr<Shape> shape =
        SqueezeShape(inputs[0]->shape(), inputs.size() > 1 ? inputs[1] : nullptr);
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

OPENBPU_REGISTER_OP(Squeeze, SqueezeSchema());

}  // namespace
}  // namespace openbpu::ops
