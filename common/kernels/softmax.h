// Softmax along one axis of a row-major buffer (ONNX Softmax-13).
#ifndef OPENBPU_COMMON_KERNELS_SOFTMAX_H_
#define OPENBPU_COMMON_KERNELS_SOFTMAX_H_

#include <cstdint>

namespace openbpu::kernels {

// The buffer is viewed as [outer, axis, inner]; for each (outer, inner),
// y = exp(x - max) / sum(exp(x - max)) over the axis. NaN inputs propagate,
// a slice that is all -inf gives NaN (as exp(-inf - -inf) does in numpy).
void Softmax(const float* x, int64_t outer, int64_t axis, int64_t inner, float* y);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_SOFTMAX_H_
