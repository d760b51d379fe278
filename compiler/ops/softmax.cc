// Softmax (ONNX Softmax-13): normalized exponentials along one `axis` (default
// -1); the importer rewrites the pre-13 2-D coercing form.
#include "common/kernels/softmax.h"

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema SoftmaxSchema() {
  ir::OpSchema s;
  s.name = "Softmax";
  s.attrs = {{"axis", ir::AttrKind::kInt}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kFloat32}); !st.ok()) return st;
    const Shape& shape = InputType(node, 0).shape;
    absl::StatusOr<int> axis =
        NormalizeAxis(node.attrs().GetInt("axis", -1), static_cast<int>(shape.size()));
    if (!axis.ok()) return axis.status();
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    absl::StatusOr<int> axis = NormalizeAxis(node.attrs().GetInt("axis", -1), x.rank());
    if (!axis.ok()) return axis.status();
    if (x.rank() == 0) return absl::InvalidArgumentError("Softmax needs rank >= 1");
    int64_t outer = 1;
    int64_t inner = 1;
    for (int d = 0; d < *axis; ++d) outer *= x.dim(d);
    for (int d = *axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
    Tensor y(DType::kFloat32, x.shape());
    kernels::Softmax(x.data<float>(), outer, x.dim(*axis), inner, y.data<float>());
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(Softmax, SoftmaxSchema());

}  // namespace
}  // namespace openbpu::ops
