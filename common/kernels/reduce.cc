// Generic axis reduction: one pass over the input, each element added into the
// accumulator of its output position.
#include "common/kernels/reduce.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "absl/strings/str_cat.h"

namespace openbpu::kernels {
namespace {

template <typename T>
struct Accumulator {
  // Float sums in double keep the reference close to exact; integer sums use
  // unsigned 64-bit arithmetic so overflow wraps instead of being undefined.
  using Type = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;
};

template <typename T>
absl::Status ReduceImpl(ReduceOp op, const T* in, const std::vector<int64_t>& shape,
                        const std::vector<bool>& reduced, T* out) {
  using Acc = typename Accumulator<T>::Type;
  const int rank = static_cast<int>(shape.size());
  int64_t in_count = 1;
  int64_t out_count = 1;
  for (int d = 0; d < rank; ++d) {
    in_count *= shape[d];
    if (!reduced[d]) out_count *= shape[d];
  }
  const int64_t group = out_count == 0 ? 0 : in_count / out_count;  // elements per output
  const bool extreme = op == ReduceOp::kMax || op == ReduceOp::kMin;
  if (op == ReduceOp::kMax) {
    const T lowest = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                          : std::numeric_limits<T>::lowest();
    for (int64_t j = 0; j < out_count; ++j) out[j] = lowest;
  } else if (op == ReduceOp::kMin) {
    const T highest = std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity()
                                                           : std::numeric_limits<T>::max();
    for (int64_t j = 0; j < out_count; ++j) out[j] = highest;
  }
  std::vector<Acc> acc(extreme ? 0 : out_count, Acc(0));
  if (in_count > 0) {
    // Output stride of each input dimension (0 for reduced ones).
    std::vector<int64_t> out_stride(rank, 0);
    int64_t stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
      if (!reduced[d]) {
        out_stride[d] = stride;
        stride *= shape[d];
      }
    }
    std::vector<int64_t> coord(rank, 0);
    int64_t j = 0;
    for (int64_t i = 0; i < in_count; ++i) {
      const T v = in[i];
      if (extreme) {
        // NaN propagates, as with numpy's maximum.reduce / minimum.reduce.
        const bool better = op == ReduceOp::kMax ? v > out[j] : v < out[j];
        if constexpr (std::is_floating_point_v<T>) {
          if (!std::isnan(out[j]) && (better || std::isnan(v))) out[j] = v;
        } else {
          if (better) out[j] = v;
        }
      } else {
        acc[j] += static_cast<Acc>(v);
      }
      for (int d = rank - 1; d >= 0; --d) {
        j += out_stride[d];
        if (++coord[d] < shape[d]) break;
        j -= out_stride[d] * coord[d];
        coord[d] = 0;
      }
    }
  }
  if (extreme) return absl::OkStatus();
  for (int64_t k = 0; k < out_count; ++k) {
    if constexpr (std::is_floating_point_v<T>) {
      out[k] = static_cast<T>(op == ReduceOp::kMean ? acc[k] / static_cast<double>(group) : acc[k]);
    } else {
      const int64_t sum = static_cast<int64_t>(acc[k]);
      if (op == ReduceOp::kSum) {
        out[k] = static_cast<T>(sum);
      } else {
        if (group == 0) return absl::InvalidArgumentError("integer mean of an empty set");
        out[k] = static_cast<T>(sum / group);
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<bool>> ReduceAxesMask(int rank, const std::vector<int64_t>& axes) {
  std::vector<bool> mask(rank, false);
  for (int64_t a : axes) {
    if (a < -rank || a >= rank) {
      return absl::InvalidArgumentError(
          absl::StrCat("axis ", a, " is out of range for rank ", rank));
    }
    const int64_t axis = a < 0 ? a + rank : a;
    if (mask[axis]) return absl::InvalidArgumentError(absl::StrCat("axis ", a, " repeats"));
    mask[axis] = true;
  }
  return mask;
}

std::vector<int64_t> ReducedShape(const std::vector<int64_t>& shape,
                                  const std::vector<bool>& reduced, bool keepdims) {
  std::vector<int64_t> out;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (!reduced[d]) {
      out.push_back(shape[d]);
    } else if (keepdims) {
      out.push_back(1);
    }
  }
  return out;
}

absl::Status Reduce(ReduceOp op, const float* in, const std::vector<int64_t>& shape,
                    const std::vector<bool>& reduced, float* out) {
  return ReduceImpl(op, in, shape, reduced, out);
}
absl::Status Reduce(ReduceOp op, const int32_t* in, const std::vector<int64_t>& shape,
                    const std::vector<bool>& reduced, int32_t* out) {
  return ReduceImpl(op, in, shape, reduced, out);
}
absl::Status Reduce(ReduceOp op, const int64_t* in, const std::vector<int64_t>& shape,
                    const std::vector<bool>& reduced, int64_t* out) {
  return ReduceImpl(op, in, shape, reduced, out);
}

}  // namespace openbpu::kernels
