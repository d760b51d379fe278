// ArgMax and TopK along an axis: their planning, shared by the float kernels (select.cc), the op
// schemas' shape inference and the exact integer kernels.
#ifndef OPENBPU_COMMON_KERNELS_SELECT_H_
#define OPENBPU_COMMON_KERNELS_SELECT_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "common/attribute.h"
#include "common/tensor.h"

namespace openbpu::kernels {

struct ArgMaxPlan {
  int axis = 0;
  Shape shape;  // output shape
};

// ArgMax-13: attributes axis (default 0) and keepdims (default 1); the axis must not be empty.
absl::StatusOr<ArgMaxPlan> PlanArgMax(const AttributeMap& attrs, const Shape& in);

struct TopKPlan {
  int axis = 0;
  int64_t k = 0;
  Shape shape;  // shape of both outputs
};

// TopK-11: attribute axis (default -1), `k` the int64 input K holding one value in [0, dim].
absl::StatusOr<TopKPlan> PlanTopK(const AttributeMap& attrs, const Shape& in, const Tensor& k);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_SELECT_H_
