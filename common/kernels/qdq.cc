// Float kernels of QuantizeLinear (ONNX opset 13, plus the int16 output of opset 21:
// y = saturate(rne(x / s) + zp)) and DequantizeLinear (y = (x - zp) * s), per tensor or per
// `axis` slice.
#include "common/kernels/qdq.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/kernels/kernel_util.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {

QdqLayout MakeQdqLayout(const Shape& shape, int64_t num_scales, int axis) {
  QdqLayout layout;
  if (num_scales == 1 || axis < 0) return layout;
  layout.channels = num_scales;
  for (size_t d = axis + 1; d < shape.size(); ++d) layout.inner *= shape[d];
  return layout;
}

absl::StatusOr<int> QdqAxis(const AttributeMap& attrs, const Shape& x, const Shape& scale) {
  const int64_t num_scales = NumElements(scale);
  if (num_scales == 1 && scale.size() <= 1) return -1;
  if (scale.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("the scale must be a scalar or 1-D, got ", ShapeToString(scale)));
  }
  absl::StatusOr<int> axis = NormalizeAxis(attrs.GetInt("axis", 1), static_cast<int>(x.size()));
  if (!axis.ok()) return axis.status();
  if (x[*axis] != num_scales) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the scale has ", num_scales, " entries but input dimension ", *axis, " is ", x[*axis]));
  }
  return *axis;
}

absl::Status CheckScaleValues(const Tensor& scale) {
  for (float s : scale.span<float>()) {
    if (!(s > 0.0f) || !std::isfinite(s)) {
      return absl::InvalidArgumentError(absl::StrCat("scale ", s, " is not finite and > 0"));
    }
  }
  return absl::OkStatus();
}

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

// Inputs x (float32), y_scale, optional y_zero_point (its dtype is the output's; uint8 when
// omitted).
absl::Status QuantizeLinear(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                            std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  const Tensor* zp = inputs.size() > 2 ? inputs[2] : nullptr;
  const DType out = zp == nullptr ? DType::kUInt8 : zp->dtype();
  absl::StatusOr<int> axis = QdqAxis(attrs, x.shape(), inputs[1]->shape());
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
}

// Inputs x (uint8 / int8 / int16 / int32), x_scale, optional x_zero_point; float32 output.
absl::Status DequantizeLinear(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                              std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  const Tensor& scale = *inputs[1];
  const Tensor* zp = inputs.size() > 2 ? inputs[2] : nullptr;
  absl::StatusOr<int> axis = QdqAxis(attrs, x.shape(), scale.shape());
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
}

OPENBPU_REGISTER_FLOAT_KERNEL(QuantizeLinear, "QuantizeLinear", QuantizeLinear);
OPENBPU_REGISTER_FLOAT_KERNEL(DequantizeLinear, "DequantizeLinear", DequantizeLinear);

}  // namespace
}  // namespace openbpu::kernels
