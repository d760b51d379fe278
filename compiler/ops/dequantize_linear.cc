// DequantizeLinear (ONNX opset 13, plus int16 input of opset 21): y = (x - zp) * s per tensor or
// per `axis` slice. Convert puts one where a quantized value leaves for float nodes or the graph
// outputs (docs/NUMERICS.md "Convert").
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_linear_common.h"

namespace openbpu::ops {
namespace {

ir::OpSchema DequantizeLinearSchema() {
  ir::OpSchema s;
  s.name = "DequantizeLinear";
  s.min_inputs = 2;
  s.max_inputs = 3;
  s.attrs = {{"axis", ir::AttrKind::kInt}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st =
            RequireDType(node, 0, {DType::kUInt8, DType::kInt8, DType::kInt16, DType::kInt32});
        !st.ok()) {
      return st;
    }
    const DType x = InputType(node, 0).dtype;
    if (absl::Status st = CheckQdqParams(node, x, {x}); !st.ok()) return st;
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = InputType(node, 0).shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    const Tensor& scale = *inputs[1];
    const Tensor* zp = inputs.size() > 2 ? inputs[2] : nullptr;
    absl::StatusOr<int> axis = QdqAxis(node, x.shape(), scale.num_elements());
    if (!axis.ok()) return axis.status();
    if (absl::Status st = CheckScaleValues(scale); !st.ok()) return st;
    if (x.dtype() == DType::kInt32 && zp != nullptr) {
      for (int64_t c = 0; c < zp->num_elements(); ++c) {
        if (zp->GetAsInt64(c) != 0) {
          return absl::InvalidArgumentError("an int32 input requires zero point 0");
        }
      }
    }
    const QdqLayout layout = MakeQdqLayout(x.shape(), scale.num_elements(), *axis);
    Tensor y(DType::kFloat32, x.shape());
    float* py = y.data<float>();
    const float* ps = scale.data<float>();
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      const int64_t c = layout.Channel(i);
      const int64_t zero = zp == nullptr ? 0 : zp->GetAsInt64(c);
      // x - zp is exact in int64 and in float32 for every int8/int16 input (|x - zp| < 2^24).
      py[i] = static_cast<float>(x.GetAsInt64(i) - zero) * ps[c];
    }
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(DequantizeLinear, DequantizeLinearSchema());

}  // namespace
}  // namespace openbpu::ops
