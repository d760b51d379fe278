// A dense, row-major tensor that owns its bytes. Used for constants in the IR,
// reference-interpreter values, .npy files and runtime inputs/outputs.
#ifndef OPENBPU_COMMON_TENSOR_H_
#define OPENBPU_COMMON_TENSOR_H_

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/dtype.h"

namespace openbpu {

using Shape = std::vector<int64_t>;

// Number of elements of a shape (1 for a scalar). Negative dims count as 0.
int64_t NumElements(const Shape& shape);

// "[1,3,224,224]"
std::string ShapeToString(const Shape& shape);

// Row-major strides in elements.
std::vector<int64_t> RowMajorStrides(const Shape& shape);

class Tensor {
 public:
  Tensor() = default;
  // Zero-filled tensor.
  Tensor(DType dtype, Shape shape);

  // A tensor with dtype and shape but no storage, for kernels that read only
  // shapes (ONNX Shape): its data must not be accessed.
  static Tensor ShapeOnly(DType dtype, Shape shape) {
    Tensor t;
    t.dtype_ = dtype;
    t.shape_ = std::move(shape);
    return t;
  }

  template <typename T>
  static Tensor FromVector(Shape shape, const std::vector<T>& values) {
    Tensor t(DTypeOf<T>::value, std::move(shape));
    T* dst = t.data<T>();
    for (size_t i = 0; i < values.size() && i < static_cast<size_t>(t.num_elements()); ++i) {
      dst[i] = values[i];
    }
    return t;
  }
  // A rank-0 tensor.
  template <typename T>
  static Tensor Scalar(T value) {
    return FromVector<T>({}, std::vector<T>{value});
  }

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int i) const { return shape_[i]; }
  int64_t num_elements() const { return NumElements(shape_); }
  size_t num_bytes() const { return bytes_.size(); }
  bool empty_dtype() const { return dtype_ == DType::kInvalid; }

  template <typename T>
  T* data() {
    return reinterpret_cast<T*>(bytes_.data());
  }
  template <typename T>
  const T* data() const {
    return reinterpret_cast<const T*>(bytes_.data());
  }
  template <typename T>
  absl::Span<T> span() {
    return absl::Span<T>(data<T>(), num_elements());
  }
  template <typename T>
  absl::Span<const T> span() const {
    return absl::Span<const T>(data<T>(), num_elements());
  }
  uint8_t* raw() { return bytes_.data(); }
  const uint8_t* raw() const { return bytes_.data(); }

  // Same bytes, new shape of equal element count.
  absl::Status Reshape(Shape shape);

  // Element `i` (row-major) converted to double / int64, for any dtype.
  double GetAsDouble(int64_t i) const;
  int64_t GetAsInt64(int64_t i) const;
  // All elements converted; for index/shape tensors.
  std::vector<int64_t> ToInt64Vector() const;
  std::vector<float> ToFloatVector() const;

  // Element-wise conversion to another dtype (C++ static_cast semantics; float to
  // integer truncates toward zero as ONNX Cast does).
  Tensor CastTo(DType dtype) const;

  // Exact equality of dtype, shape and bytes.
  bool operator==(const Tensor& other) const;
  bool operator!=(const Tensor& other) const { return !(*this == other); }

 private:
  DType dtype_ = DType::kInvalid;
  Shape shape_;
  std::vector<uint8_t> bytes_;
};

// Calls fn(T*) -> with T the C++ type of `dtype`; returns false for kInvalid.
#define OPENBPU_DTYPE_SWITCH(dtype, T, ...) \
  switch (dtype) {                          \
    case ::openbpu::DType::kFloat32: {      \
      using T = float;                      \
      __VA_ARGS__;                          \
      break;                                \
    }                                       \
    case ::openbpu::DType::kFloat64: {      \
      using T = double;                     \
      __VA_ARGS__;                          \
      break;                                \
    }                                       \
    case ::openbpu::DType::kInt8: {         \
      using T = int8_t;                     \
      __VA_ARGS__;                          \
      break;                                \
    }                                       \
    case ::openbpu::DType::kInt16: {        \
      using T = int16_t;                    \
      __VA_ARGS__;                          \
      break;                                \
    }                                       \
    case ::openbpu::DType::kInt32: {        \
      using T = int32_t;                    \
      __VA_ARGS__;                          \
      break;                                \
    }                                       \
    case ::openbpu::DType::kInt64: {        \
      using T = int64_t;                    \
      __VA_ARGS__;                          \
      break;                                \
    }                                       \
    case ::openbpu::DType::kUInt8: {        \
      using T = uint8_t;                    \
      __VA_ARGS__;                          \
      break;                                \
    }                                       \
    case ::openbpu::DType::kBool: {         \
      using T = bool;                       \
      __VA_ARGS__;                          \
      break;                                \
    }                                       \
    default:                                \
      break;                                \
  }

}  // namespace openbpu

#endif  // OPENBPU_COMMON_TENSOR_H_
