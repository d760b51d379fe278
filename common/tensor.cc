// Tensor storage, shape helpers and dtype conversion.
#include "common/tensor.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace openbpu {

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d < 0 ? 0 : d;
  return n;
}

std::string ShapeToString(const Shape& shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ","), "]");
}

std::vector<int64_t> RowMajorStrides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i) {
    strides[i] = strides[i + 1] * shape[i + 1];
  }
  return strides;
}

Tensor::Tensor(DType dtype, Shape shape)
    : dtype_(dtype),
      shape_(std::move(shape)),
      bytes_(static_cast<size_t>(NumElements(shape_)) * DTypeSize(dtype), 0) {}

absl::Status Tensor::Reshape(Shape shape) {
  if (NumElements(shape) != num_elements()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot reshape ", ShapeToString(shape_), " to ", ShapeToString(shape)));
  }
  shape_ = std::move(shape);
  return absl::OkStatus();
}

double Tensor::GetAsDouble(int64_t i) const {
  double v = 0;
  OPENBPU_DTYPE_SWITCH(dtype_, T, v = static_cast<double>(data<T>()[i]));
  return v;
}

int64_t Tensor::GetAsInt64(int64_t i) const {
  int64_t v = 0;
  OPENBPU_DTYPE_SWITCH(dtype_, T, v = static_cast<int64_t>(data<T>()[i]));
  return v;
}

std::vector<int64_t> Tensor::ToInt64Vector() const {
  std::vector<int64_t> out(num_elements());
  for (int64_t i = 0; i < num_elements(); ++i) out[i] = GetAsInt64(i);
  return out;
}

std::vector<float> Tensor::ToFloatVector() const {
  std::vector<float> out(num_elements());
  for (int64_t i = 0; i < num_elements(); ++i) out[i] = static_cast<float>(GetAsDouble(i));
  return out;
}

namespace {

template <typename To, typename From>
void ConvertElements(const From* src, To* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<To, bool>) {
      dst[i] = src[i] != From(0);
    } else {
      dst[i] = static_cast<To>(src[i]);
    }
  }
}

}  // namespace

Tensor Tensor::CastTo(DType dtype) const {
  Tensor out(dtype, shape_);
  const int64_t n = num_elements();
  OPENBPU_DTYPE_SWITCH(
      dtype_, From,
      OPENBPU_DTYPE_SWITCH(dtype, To, ConvertElements<To, From>(data<From>(), out.data<To>(), n)));
  return out;
}

bool Tensor::operator==(const Tensor& other) const {
  return dtype_ == other.dtype_ && shape_ == other.shape_ && bytes_ == other.bytes_;
}

}  // namespace openbpu
