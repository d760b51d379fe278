// Float kernels of ops that move or normalize whole tensors: Identity, Dropout (inference: the
// input, and an all-true mask) and Softmax along `axis` (kernels::Softmax).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/kernels/registry.h"
#include "common/kernels/softmax.h"

namespace openbpu::kernels {
namespace {

absl::Status Identity(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                      std::vector<Tensor>& outputs) {
  outputs.push_back(*inputs[0]);
  return absl::OkStatus();
}

// Both outputs; a caller with one output keeps the first.
absl::Status Dropout(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                     std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  outputs.push_back(x);
  Tensor mask(DType::kBool, x.shape());
  for (bool& m : mask.span<bool>()) m = true;
  outputs.push_back(std::move(mask));
  return absl::OkStatus();
}

absl::Status Softmax(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                     std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  if (x.rank() == 0) return absl::InvalidArgumentError("Softmax needs rank >= 1");
  const int64_t axis = attrs.GetInt("axis", -1);
  if (axis < -x.rank() || axis >= x.rank()) {
    return absl::InvalidArgumentError(
        absl::StrCat("axis ", axis, " is out of range for rank ", x.rank()));
  }
  const int a = static_cast<int>(axis < 0 ? axis + x.rank() : axis);
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < a; ++d) outer *= x.dim(d);
  for (int d = a + 1; d < x.rank(); ++d) inner *= x.dim(d);
  Tensor y(DType::kFloat32, x.shape());
  kernels::Softmax(x.data<float>(), outer, x.dim(a), inner, y.data<float>());
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

OPENBPU_REGISTER_FLOAT_KERNEL(Identity, "Identity", Identity);
OPENBPU_REGISTER_FLOAT_KERNEL(Dropout, "Dropout", Dropout);
OPENBPU_REGISTER_FLOAT_KERNEL(Softmax, "Softmax", Softmax);

}  // namespace
}  // namespace openbpu::kernels
