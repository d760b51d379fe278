// N-d max / average pooling and global pooling over row-major [channels, spatial...]
// buffers (ONNX MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool).
#ifndef OPENBPU_COMMON_KERNELS_POOL_H_
#define OPENBPU_COMMON_KERNELS_POOL_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/attribute.h"
#include "common/tensor.h"

namespace openbpu::kernels {

enum class AutoPad { kNotSet, kValid, kSameUpper, kSameLower };

// "NOTSET" (or ""), "VALID", "SAME_UPPER", "SAME_LOWER"; anything else is an
// InvalidArgument error.
absl::StatusOr<AutoPad> ParseAutoPad(absl::string_view name);

// Window placement along every spatial dimension. Window `o` of dimension d
// covers input positions o * strides[d] - pads_begin[d] + j * dilations[d],
// j in [0, kernel[d]).
struct PoolGeometry {
  std::vector<int64_t> input;   // spatial input dims
  std::vector<int64_t> output;  // spatial output dims
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads_begin;
  std::vector<int64_t> pads_end;
};

// ONNX pooling output shape and padding. `strides` / `dilations` may be empty
// (all 1), `pads` empty (all 0) or [begin..., end...]; explicit pads are
// ignored unless `auto_pad` is kNotSet. With ceil_mode a last window that would
// start beyond input + begin pad is dropped (ONNX reference / PyTorch rule).
// Bad attribute values are InvalidArgument errors.
absl::StatusOr<PoolGeometry> PlanPool(const std::vector<int64_t>& input_spatial,
                                      const std::vector<int64_t>& kernel,
                                      const std::vector<int64_t>& strides,
                                      const std::vector<int64_t>& dilations,
                                      const std::vector<int64_t>& pads, AutoPad auto_pad,
                                      bool ceil_mode);

// in: [channels, g.input...], out: [channels, g.output...]. Padding never wins:
// a window that holds no input element gives -inf (the lowest integer).
void MaxPool(const float* in, int64_t channels, const PoolGeometry& g, float* out);
void MaxPool(const int8_t* in, int64_t channels, const PoolGeometry& g, int8_t* out);
void MaxPool(const uint8_t* in, int64_t channels, const PoolGeometry& g, uint8_t* out);

// Sum of the window's input elements divided by their number, or with
// count_include_pad by the number of window positions inside the padded input
// (begin pad + input + end pad; positions past it that ceil_mode adds never
// count). An empty divisor gives NaN.
void AveragePool(const float* in, int64_t channels, const PoolGeometry& g, bool count_include_pad,
                 float* out);

// in: [channels, spatial], out: [channels]; mean (NaN if spatial is 0) / max.
void GlobalAveragePool(const float* in, int64_t channels, int64_t spatial, float* out);
void GlobalMaxPool(const float* in, int64_t channels, int64_t spatial, float* out);

// The pooling ops' planning (pool_ops.cc), shared by their float kernels, the op schemas' shape
// inference and the integer kernels.

// AveragePool / MaxPool of a [N, C, spatial...] input (rank >= 3): PlanPool of attributes
// kernel_shape (required), strides, dilations, pads, auto_pad and ceil_mode.
absl::StatusOr<PoolGeometry> PlanWindowPool(const AttributeMap& attrs, const Shape& shape);

// [N, C, spatial...] of the input's batch and channels.
Shape PooledShape(const Shape& in, const std::vector<int64_t>& spatial);

// GlobalAveragePool / GlobalMaxPool: [N, C, 1...] of a rank >= 3 input.
absl::StatusOr<Shape> GlobalPoolShape(const Shape& shape);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_POOL_H_
