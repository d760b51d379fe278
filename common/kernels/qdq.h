// QuantizeLinear / DequantizeLinear: the axis rule, the scale check and the per-element channel
// index, shared by their float kernels (qdq.cc) and the op schemas' shape inference.
#ifndef OPENBPU_COMMON_KERNELS_QDQ_H_
#define OPENBPU_COMMON_KERNELS_QDQ_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/attribute.h"
#include "common/tensor.h"

namespace openbpu::kernels {

// Per-tensor (one scale) or per-channel along `axis`: channel of flat index i.
struct QdqLayout {
  int64_t inner = 1;     // product of dims after axis
  int64_t channels = 1;  // 1 for per-tensor
  int64_t Channel(int64_t i) const { return channels == 1 ? 0 : (i / inner) % channels; }
};

QdqLayout MakeQdqLayout(const Shape& shape, int64_t num_scales, int axis);

// A scalar or one-element scale is per tensor; a longer 1-D scale is per attribute `axis`
// (default 1) and must have dim(axis) entries. Returns the normalized axis, -1 for per tensor.
absl::StatusOr<int> QdqAxis(const AttributeMap& attrs, const Shape& x, const Shape& scale);

// Scales must be finite and positive (ONNX leaves others undefined; we refuse them).
absl::Status CheckScaleValues(const Tensor& scale);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_QDQ_H_
