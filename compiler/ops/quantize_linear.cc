// QuantizeLinear (ONNX opset 13, plus the int16 output of opset 21): y = saturate(rne(x / s) + zp)
// per tensor or per `axis` slice. The float-graph form of a quantization border: convert puts one
// where a float value enters quantized nodes (docs/NUMERICS.md "Convert").
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_linear_common.h"

namespace openbpu::ops {
namespace {

template <typename Q>
void QuantizeInto(const Tensor& x, const Tensor& scale, const Tensor* zero_point, int axis,
                  Tensor& y) {
  const QdqLayout layout = MakeQdqLayout(x.shape(), scale.num_elements(), axis);
  const float* px = x.data<float>();
  const float* ps = scale.data<float>();
  Q* py = y.data<Q>();
  constexpr double kLo = std::numeric_limits<Q>::lowest();
  constexpr double kHi = std::numeric_limits<Q>::max();
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    const int64_t c = layout.Channel(i);
    const double zp = zero_point == nullptr ? 0.0 : zero_point->GetAsDouble(c);
    // float32 division then round half to even, as the ONNX reference (np.rint(x / y_scale)).
    const float p = px[i] / ps[c];
    double q = std::isnan(p) ? 0.0 : static_cast<double>(std::nearbyint(p)) + zp;
    q = std::min(std::max(q, kLo), kHi);
    py[i] = static_cast<Q>(q);
  }
}

ir::OpSchema QuantizeLinearSchema() {
  ir::OpSchema s;
  s.name = "QuantizeLinear";
  s.min_inputs = 2;
  s.max_inputs = 3;
  s.attrs = {{"axis", ir::AttrKind::kInt}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireDType(node, 0, {DType::kFloat32}); !st.ok()) return st;
    const DType out = node.input(2) == nullptr ? DType::kUInt8 : InputType(node, 2).dtype;
    if (absl::Status st = CheckQdqParams(node, out, {DType::kUInt8, DType::kInt8, DType::kInt16});
        !st.ok()) {
      return st;
    }
    outputs[0].dtype = out;
    outputs[0].shape = InputType(node, 0).shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    const Tensor* zp = inputs.size() > 2 ? inputs[2] : nullptr;
    const DType out = zp == nullptr ? DType::kUInt8 : zp->dtype();
    absl::StatusOr<int> axis = QdqAxis(node, x.shape(), inputs[1]->num_elements());
    if (!axis.ok()) return axis.status();
    if (absl::Status st = CheckScaleValues(*inputs[1]); !st.ok()) return st;
    Tensor y(out, x.shape());
    switch (out) {
      case DType::kUInt8:
        QuantizeInto<uint8_t>(x, *inputs[1], zp, *axis, y);
        break;
      case DType::kInt8:
        QuantizeInto<int8_t>(x, *inputs[1], zp, *axis, y);
        break;
      case DType::kInt16:
        QuantizeInto<int16_t>(x, *inputs[1], zp, *axis, y);
        break;
      default:
        return absl::UnimplementedError(
            absl::StrCat("output dtype ", DTypeName(out), " is not supported"));
    }
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(QuantizeLinear, QuantizeLinearSchema());

}  // namespace
}  // namespace openbpu::ops
