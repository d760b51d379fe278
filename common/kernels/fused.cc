#include "common/kernels/fused.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace openbpu::kernels {

absl::Status CheckFusedActivation(const AttributeMap& attrs) {
  const std::string act = attrs.GetString("activation", "none");
  if (act != "none" && act != "relu" && act != "relu6") {
    return absl::UnimplementedError(absl::StrCat("attribute 'activation' = \"", act,
                                                 "\" is not supported (none, relu, relu6)"));
  }
  return absl::OkStatus();
}

absl::Status CheckSuminShape(const Shape& output, const Shape* sumin) {
  if (sumin != nullptr && *sumin != output) {
    return absl::InvalidArgumentError(absl::StrCat("sumin must have the output shape ",
                                                   ShapeToString(output), ", got ",
                                                   ShapeToString(*sumin)));
  }
  return absl::OkStatus();
}

void ApplyFusedEpilogue(const AttributeMap& attrs, const Tensor* sumin, Tensor& y) {
  float* py = y.data<float>();
  const int64_t count = y.num_elements();
  if (sumin != nullptr) {
    const float* ps = sumin->data<float>();
    for (int64_t i = 0; i < count; ++i) py[i] += ps[i];
  }
  // Same comparisons as the Relu and Clip kernels, so NaN behaves as unfused.
  const std::string act = attrs.GetString("activation", "none");
  if (act == "relu") {
    for (int64_t i = 0; i < count; ++i) py[i] = py[i] > 0.f ? py[i] : 0.f;
  } else if (act == "relu6") {
    for (int64_t i = 0; i < count; ++i) {
      if (py[i] < 0.f) py[i] = 0.f;
      if (py[i] > 6.f) py[i] = 6.f;
    }
  }
}

}  // namespace openbpu::kernels
