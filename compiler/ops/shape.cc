// Shape (ONNX Shape-15): the input's dimensions [start, end) as int64; reads
// only the input's type, so it folds to a constant at import.
#include <algorithm>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

Shape ShapeSlice(const ir::Node& node, const Shape& in) {
  const int64_t rank = static_cast<int64_t>(in.size());
  // Out-of-range start/end clamp (Shape-15), they are never an error.
  auto clamp = [rank](int64_t v) {
    if (v < 0) v = std::max<int64_t>(v, -rank) + rank;
    return std::min(v, rank);
  };
  const int64_t start = clamp(node.attrs().GetInt("start", 0));
  const int64_t end = clamp(node.attrs().GetInt("end", rank));
  if (start >= end) return {};
  return Shape(in.begin() + start, in.begin() + end);
}

ir::OpSchema ShapeSchema() {
  ir::OpSchema s;
  s.name = "Shape";
  s.attrs = {{"start", ir::AttrKind::kInt}, {"end", ir::AttrKind::kInt}};
  s.shape_only = true;
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    outputs[0].dtype = DType::kInt64;
    outputs[0].shape = {static_cast<int64_t>(ShapeSlice(node, InputType(node, 0).shape).size())};
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Shape dims = ShapeSlice(node, inputs[0]->shape());
    outputs.push_back(Tensor::FromVector<int64_t>({static_cast<int64_t>(dims.size())}, dims));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(Shape, ShapeSchema());

}  // namespace
}  // namespace openbpu::ops
