// Sum / mean / max / min reductions over a set of axes of a row-major buffer
// (the ReduceSum, ReduceMean, ReduceMax and ReduceMin ops of the reference and
// the runtime).
#ifndef OPENBPU_COMMON_KERNELS_REDUCE_H_
#define OPENBPU_COMMON_KERNELS_REDUCE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/attribute.h"
#include "common/tensor.h"

namespace openbpu::kernels {

enum class ReduceOp { kSum, kMean, kMax, kMin };

// Which dimensions of a rank-`rank` tensor `axes` (each in [-rank, rank),
// no repeats) selects; an InvalidArgument error otherwise.
absl::StatusOr<std::vector<bool>> ReduceAxesMask(int rank, const std::vector<int64_t>& axes);

// `shape` with reduced dimensions set to 1 (keepdims) or removed.
std::vector<int64_t> ReducedShape(const std::vector<int64_t>& shape,
                                  const std::vector<bool>& reduced, bool keepdims);

// out[j] = op over the input elements that map to output position j; `out`
// holds NumElements(ReducedShape(shape, reduced, ...)) elements. Float sums
// accumulate in double; integer sums wrap like the ONNX reference; integer
// means truncate toward zero. An empty reduction gives 0 (sum), NaN (float
// mean), -inf / the lowest integer (max), +inf / the highest integer (min);
// NaN propagates through max and min; an integer mean of nothing is an
// InvalidArgument error.
absl::Status Reduce(ReduceOp op, const float* in, const std::vector<int64_t>& shape,
                    const std::vector<bool>& reduced, float* out);
absl::Status Reduce(ReduceOp op, const int32_t* in, const std::vector<int64_t>& shape,
                    const std::vector<bool>& reduced, int32_t* out);
absl::Status Reduce(ReduceOp op, const int64_t* in, const std::vector<int64_t>& shape,
                    const std::vector<bool>& reduced, int64_t* out);

struct ReducePlan {
  bool identity = false;      // noop_with_empty_axes with no axes
  std::vector<bool> reduced;  // per input dimension
  Shape shape;                // output shape
};

// The reduce ops' axes: the int64 1-D `axes` input (null when omitted) or, when
// `axes_attribute` (ReduceMean, ReduceMax, ReduceMin before opset 18), attribute `axes`; all
// axes when none are given unless noop_with_empty_axes; attribute keepdims (default 1).
absl::StatusOr<ReducePlan> PlanReduce(const AttributeMap& attrs, const Shape& in,
                                      const Tensor* axes, bool axes_attribute);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_REDUCE_H_
