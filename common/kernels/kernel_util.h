// Helpers of the float kernels that the op schemas (compiler/ops) use too: axis normalization,
// element-size dispatch for kernels that move elements without reading them, ONNX Cast's element
// conversion, and the largest tensor the kernels make.
#ifndef OPENBPU_COMMON_KERNELS_KERNEL_UTIL_H_
#define OPENBPU_COMMON_KERNELS_KERNEL_UTIL_H_

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/tensor.h"

namespace openbpu::kernels {

// Largest tensor the kernels allocate for a size computed from attributes or input values (pads,
// resize scales, convolution buffers): 1 GiB of float32, as the compiler's
// ir::kMaxTensorElements (compiler/ops checks the two agree).
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 28;

// Maps axis in [-rank, rank) to [0, rank) (a scalar takes axis 0 or -1 too).
absl::StatusOr<int> NormalizeAxis(int64_t axis, int rank);

// Calls fn(Word()) with Word the unsigned integer type as wide as one element
// of `dtype`, for kernels that move elements of any dtype without reading them;
// UNIMPLEMENTED for other element sizes.
template <typename Fn>
absl::Status WithElementWord(DType dtype, Fn fn) {
  switch (DTypeSize(dtype)) {
    case 1:
      fn(uint8_t());
      return absl::OkStatus();
    case 2:
      fn(uint16_t());
      return absl::OkStatus();
    case 4:
      fn(uint32_t());
      return absl::OkStatus();
    case 8:
      fn(uint64_t());
      return absl::OkStatus();
    default:
      return absl::UnimplementedError(
          absl::StrCat("dtype ", DTypeName(dtype), " is not supported"));
  }
}

// Element conversion as ONNX Cast: to bool is `!= 0`; float to integer truncates
// toward zero, saturating out-of-range values and mapping NaN to 0 where a plain
// static_cast would be undefined behavior.
template <typename To, typename From>
To ConvertElement(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(v)) return To(0);
    if (v <= static_cast<From>(std::numeric_limits<To>::lowest())) {
      return std::numeric_limits<To>::lowest();
    }
    if (v >= static_cast<From>(std::numeric_limits<To>::max())) {
      return std::numeric_limits<To>::max();
    }
    return static_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_KERNEL_UTIL_H_
