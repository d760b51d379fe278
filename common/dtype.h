// Element types shared by every layer: float tensors of the reference, the
// integer tensors of quantized graphs and the index/mask tensors of ONNX.
#ifndef OPENBPU_COMMON_DTYPE_H_
#define OPENBPU_COMMON_DTYPE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace openbpu {

enum class DType : int {
  kInvalid = 0,
  kFloat32 = 1,
  kInt8 = 2,
  kInt16 = 3,
  kInt32 = 4,
  kInt64 = 5,
  kUInt8 = 6,
  kBool = 7,
  kFloat64 = 8,
};

// Size of one element in bytes (bool is stored as one byte).
size_t DTypeSize(DType dtype);

// Lower-case name, e.g. "float32", "int8"; used in errors, dumps and HBIR text.
absl::string_view DTypeName(DType dtype);

absl::StatusOr<DType> DTypeFromName(absl::string_view name);

// Maps a C++ element type to its DType.
template <typename T>
struct DTypeOf;
template <>
struct DTypeOf<float> {
  static constexpr DType value = DType::kFloat32;
};
template <>
struct DTypeOf<double> {
  static constexpr DType value = DType::kFloat64;
};
template <>
struct DTypeOf<int8_t> {
  static constexpr DType value = DType::kInt8;
};
template <>
struct DTypeOf<int16_t> {
  static constexpr DType value = DType::kInt16;
};
template <>
struct DTypeOf<int32_t> {
  static constexpr DType value = DType::kInt32;
};
template <>
struct DTypeOf<int64_t> {
  static constexpr DType value = DType::kInt64;
};
template <>
struct DTypeOf<uint8_t> {
  static constexpr DType value = DType::kUInt8;
};
template <>
struct DTypeOf<bool> {
  static constexpr DType value = DType::kBool;
};

}  // namespace openbpu

#endif  // OPENBPU_COMMON_DTYPE_H_
