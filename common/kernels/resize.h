// N-d nearest and (multi)linear resizing of row-major tensors with the ONNX
// Resize coordinate transformations (the Resize op of the reference and runtime).
#ifndef OPENBPU_COMMON_KERNELS_RESIZE_H_
#define OPENBPU_COMMON_KERNELS_RESIZE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "common/attribute.h"
#include "common/tensor.h"

namespace openbpu::kernels {

enum class ResizeCoordinates {
  kHalfPixel,
  kHalfPixelSymmetric,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNearest,
};

enum class NearestRounding { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };

// Input coordinate of output index `x` along a dimension resized from
// `in_size` to `out_size` elements with `scale`, as the ONNX reference computes
// it: the "resized length" of align_corners and pytorch_half_pixel is
// scale * in_size, which differs from out_size when that product is fractional.
double ResizeSourceCoordinate(ResizeCoordinates coordinates, int64_t x, double scale,
                              int64_t in_size, int64_t out_size);

// Input index for input coordinate `x` (ties and integers as the ONNX
// reference rounds them), clamped to [0, in_size - 1]; in_size >= 1.
int64_t NearestSourceIndex(NearestRounding rounding, double x, int64_t in_size);

// Nearest-neighbour resize of elements of `element_size` bytes (1, 2, 4 or 8):
// out has shape out_shape, in has in_shape (same rank); scales[d] is the scale
// of dimension d used by the coordinate transformation. Every dimension with
// out_shape[d] > 0 must have in_shape[d] > 0.
void ResizeNearest(const void* in, size_t element_size, const std::vector<int64_t>& in_shape,
                   const std::vector<int64_t>& out_shape, const std::vector<double>& scales,
                   ResizeCoordinates coordinates, NearestRounding rounding, void* out);

// Linear interpolation along every dimension (bilinear, trilinear...);
// coordinates outside the input take the edge values. Same shape rules.
void ResizeLinear(const float* in, const std::vector<int64_t>& in_shape,
                  const std::vector<int64_t>& out_shape, const std::vector<double>& scales,
                  ResizeCoordinates coordinates, float* out);

// The Resize op's planning (resize_ops.cc), shared by its float kernel, the op schema's shape
// inference and the integer kernels.

struct ResizeAttrs {
  bool linear = false;  // mode linear (else nearest)
  ResizeCoordinates coordinates = ResizeCoordinates::kHalfPixel;
  NearestRounding rounding = NearestRounding::kRoundPreferFloor;
};

// Resize-19's attributes mode, coordinate_transformation_mode, nearest_mode, exclude_outside,
// antialias and keep_aspect_ratio_policy: UNIMPLEMENTED for cubic, tf_crop_and_resize,
// exclude_outside, antialias and aspect-ratio policies, INVALID_ARGUMENT for unknown values.
absl::StatusOr<ResizeAttrs> ParseResizeAttrs(const AttributeMap& attrs);

struct ResizePlan {
  Shape shape;                 // output shape
  std::vector<double> scales;  // per dimension, for the coordinate transformation
};

// The output shape from the float32 `scales` or int64 `sizes` input (exactly one given: null or
// empty means not given) over attribute `axes` (default all).
absl::StatusOr<ResizePlan> PlanResize(const AttributeMap& attrs, const Shape& in,
                                      const Tensor* scales, const Tensor* sizes);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_RESIZE_H_
