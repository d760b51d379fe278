// ConstantOfShape (ONNX ConstantOfShape-9): a tensor of the constant int64
// shape filled with the one-element `value` attribute (default float32 0).
#include <cstring>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 31;

// Shared by shape inference and the kernel.
absl::StatusOr<Shape> OutputShape(const Tensor& spec) {
  if (spec.dtype() != DType::kInt64) {
    return absl::InvalidArgumentError(
        absl::StrCat("input 'input' must be int64, got ", DTypeName(spec.dtype())));
  }
  if (spec.rank() != 1) return absl::InvalidArgumentError("input 'input' must be 1-D");
  const Shape shape = spec.ToInt64Vector();
  int64_t count = 1;
  for (int64_t d : shape) {
    // Each factor is capped first, so the product stays below 2^62.
    if (d < 0 || d > kMaxElements || (count *= d) > kMaxElements) {
      return absl::InvalidArgumentError(
          absl::StrCat("shape ", ShapeToString(shape), " is negative or too large"));
    }
  }
  return shape;
}

Tensor FillValue(const ir::Node& node) {
  const Tensor* value = node.attrs().GetTensor("value");
  return value == nullptr ? Tensor::Scalar<float>(0.f) : *value;
}

ir::OpSchema ConstantOfShapeSchema() {
  ir::OpSchema s;
  s.name = "ConstantOfShape";
  s.attrs = {{"value", ir::AttrKind::kTensor}};
  s.constant_inputs = {0};
  s.validate = [](const ir::Node& node) -> absl::Status {
    const Tensor* value = node.attrs().GetTensor("value");
    if (value != nullptr && (value->num_elements() != 1 || DTypeSize(value->dtype()) == 0)) {
      return absl::InvalidArgumentError("attribute 'value' must be a one-element tensor");
    }
    return absl::OkStatus();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    absl::StatusOr<Shape> shape = OutputShape(node.input(0)->constant());
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = FillValue(node).dtype();
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    absl::StatusOr<Shape> shape = OutputShape(*inputs[0]);
    if (!shape.ok()) return shape.status();
    const Tensor value = FillValue(node);
    const size_t elem = DTypeSize(value.dtype());
    if (value.num_elements() != 1 || elem == 0) {
      return absl::InvalidArgumentError("attribute 'value' must be a one-element tensor");
    }
    Tensor out(value.dtype(), *shape);
    for (int64_t i = 0; i < out.num_elements(); ++i) {
      std::memcpy(out.raw() + i * elem, value.raw(), elem);
    }
    outputs.push_back(std::move(out));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(ConstantOfShape, ConstantOfShapeSchema());

}  // namespace
}  // namespace openbpu::ops
