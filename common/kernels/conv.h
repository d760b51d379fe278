// N-d convolution and transposed convolution (ONNX Conv / ConvTranspose) on
// NCHW-style float buffers, with ONNX's padding rules (explicit pads, auto_pad,
// ConvTranspose output_shape / output_padding).
#ifndef OPENBPU_COMMON_KERNELS_CONV_H_
#define OPENBPU_COMMON_KERNELS_CONV_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/attribute.h"
#include "common/tensor.h"

namespace openbpu::kernels {

// Named apart from pool.h's AutoPad so both headers can be included together.
enum class ConvAutoPad { kNotSet, kValid, kSameUpper, kSameLower };

// "NOTSET" (or empty), "VALID", "SAME_UPPER", "SAME_LOWER"; InvalidArgument otherwise.
absl::StatusOr<ConvAutoPad> ParseConvAutoPad(absl::string_view value);

// Attribute values as ONNX gives them; an empty vector means "absent".
struct ConvAttrs {
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads;            // [begin_0.., end_0..]
  std::vector<int64_t> output_padding;  // ConvTranspose only
  std::vector<int64_t> output_shape;    // ConvTranspose only: spatial sizes
  ConvAutoPad auto_pad = ConvAutoPad::kNotSet;
};

// Resolved per-spatial-dimension geometry.
struct ConvGeometry {
  std::vector<int64_t> input;
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads_begin;
  std::vector<int64_t> pads_end;
  std::vector<int64_t> output;
};

// Conv: output[i] = floor((in + pads - ((k - 1) * d + 1)) / s) + 1, with SAME_*
// giving ceil(in / s) and VALID no padding. InvalidArgument for attribute
// lengths that do not match the spatial rank, strides/dilations < 1, negative
// pads, non-zero pads combined with auto_pad, or an empty output.
absl::StatusOr<ConvGeometry> ResolveConvGeometry(const std::vector<int64_t>& input,
                                                 const std::vector<int64_t>& kernel,
                                                 const ConvAttrs& attrs);

// ConvTranspose: output[i] = s * (in - 1) + output_padding + (k - 1) * d + 1 - pads;
// with output_shape (or SAME_*: output = in * s) the pads come from the ONNX
// total_padding split (SAME_UPPER: extra at the end, otherwise at the start).
// When the requested output is larger than the full result, the missing
// trailing positions receive only the bias (onnxruntime's behavior).
absl::StatusOr<ConvGeometry> ResolveConvTransposeGeometry(const std::vector<int64_t>& input,
                                                          const std::vector<int64_t>& kernel,
                                                          const ConvAttrs& attrs);

// y[N, M, out...] = conv(x[N, C, in...], w[M, C/group, kernel...]) + bias[M].
// bias may be null. C and M must be divisible by group.
void Conv(const float* x, int64_t batch, int64_t in_channels, const float* w, int64_t out_channels,
          int64_t group, const float* bias, const ConvGeometry& geometry, float* y);

// y[N, M, out...] = conv_transpose(x[N, C, in...], w[C, M/group, kernel...]) + bias[M].
void ConvTranspose(const float* x, int64_t batch, int64_t in_channels, const float* w,
                   int64_t out_channels, int64_t group, const float* bias,
                   const ConvGeometry& geometry, float* y);

// The conv ops' attribute planning (conv_ops.cc), shared by their float kernels, the op schemas'
// shape inference and the integer kernels.

struct ConvPlan {
  ConvGeometry geometry;
  int64_t group = 1;
  Shape output;  // [N, M, spatial...]
};

// A known auto_pad and group >= 1 (the conv ops' validator).
absl::Status CheckConvAttrs(const AttributeMap& attrs);

// X is [N, C, spatial...] and W has X's rank.
absl::Status CheckConvRanks(const Shape& x, const Shape& w);

// Checks kernel_shape against the weight's spatial shape `kernel` and `bias`
// (null when omitted) against [out_channels], then reads strides, dilations,
// pads and auto_pad (not the ConvTranspose-only attributes).
absl::StatusOr<ConvAttrs> ReadConvAttrs(const AttributeMap& attrs,
                                        const std::vector<int64_t>& kernel, const Shape* bias,
                                        int64_t out_channels);

// Conv / FusedConv: X [N, C, spatial...], W [M, C/group, kernel...], bias [M]
// (null when omitted).
absl::StatusOr<ConvPlan> PlanConv(const AttributeMap& attrs, const Shape& x, const Shape& w,
                                  const Shape* bias);

// ConvTranspose: X [N, C, spatial...], W [C, M/group, kernel...], bias [M] (null when omitted),
// plus output_padding and output_shape (spatial, or the full [N, M, spatial...]).
absl::StatusOr<ConvPlan> PlanConvTranspose(const AttributeMap& attrs, const Shape& x,
                                           const Shape& w, const Shape* bias);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_CONV_H_
