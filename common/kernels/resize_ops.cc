// The Resize op (ONNX Resize-19 without cubic, antialias and tf_crop_and_resize): attribute
// parsing, output planning and its float kernel, nearest (any dtype) and N-d linear (float32);
// roi is ignored. The math is resize.cc's.
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/kernels/kernel_util.h"
#include "common/kernels/registry.h"
#include "common/kernels/resize.h"

namespace openbpu::kernels {
namespace {

// An omitted input and an empty tensor (Resize-11 placeholders) both mean "not given".
bool Given(const Tensor* t) { return t != nullptr && t->num_elements() > 0; }

absl::Status Unsupported(absl::string_view attr, absl::string_view value) {
  return absl::UnimplementedError(
      absl::StrCat("attribute '", attr, "' = '", value, "' is not supported"));
}

absl::Status Invalid(absl::string_view attr, absl::string_view value) {
  return absl::InvalidArgumentError(absl::StrCat("invalid attribute '", attr, "' = '", value, "'"));
}

}  // namespace

absl::StatusOr<ResizeAttrs> ParseResizeAttrs(const AttributeMap& a) {
  ResizeAttrs r;
  const std::string mode = a.GetString("mode", "nearest");
  if (mode == "linear") {
    r.linear = true;
  } else if (mode == "cubic") {
    return Unsupported("mode", mode);
  } else if (mode != "nearest") {
    return Invalid("mode", mode);
  }
  const std::string ctm = a.GetString("coordinate_transformation_mode", "half_pixel");
  using C = ResizeCoordinates;
  if (ctm == "half_pixel") {
    r.coordinates = C::kHalfPixel;
  } else if (ctm == "half_pixel_symmetric") {
    r.coordinates = C::kHalfPixelSymmetric;
  } else if (ctm == "pytorch_half_pixel") {
    r.coordinates = C::kPytorchHalfPixel;
  } else if (ctm == "align_corners") {
    r.coordinates = C::kAlignCorners;
  } else if (ctm == "asymmetric") {
    r.coordinates = C::kAsymmetric;
  } else if (ctm == "tf_half_pixel_for_nearest" || ctm == "tf_half_pixel_for_nn") {
    // "tf_half_pixel_for_nn" is the name early Resize-11 models use.
    r.coordinates = C::kTfHalfPixelForNearest;
  } else if (ctm == "tf_crop_and_resize") {
    return Unsupported("coordinate_transformation_mode", ctm);
  } else {
    return Invalid("coordinate_transformation_mode", ctm);
  }
  const std::string nearest = a.GetString("nearest_mode", "round_prefer_floor");
  using N = NearestRounding;
  if (nearest == "round_prefer_floor") {
    r.rounding = N::kRoundPreferFloor;
  } else if (nearest == "round_prefer_ceil") {
    r.rounding = N::kRoundPreferCeil;
  } else if (nearest == "floor") {
    r.rounding = N::kFloor;
  } else if (nearest == "ceil") {
    r.rounding = N::kCeil;
  } else {
    return Invalid("nearest_mode", nearest);
  }
  if (const int64_t v = a.GetInt("exclude_outside", 0); v != 0) {
    return Unsupported("exclude_outside", absl::StrCat(v));
  }
  if (const int64_t v = a.GetInt("antialias", 0); v != 0) {
    return Unsupported("antialias", absl::StrCat(v));
  }
  const std::string policy = a.GetString("keep_aspect_ratio_policy", "stretch");
  if (policy == "not_larger" || policy == "not_smaller") {
    return Unsupported("keep_aspect_ratio_policy", policy);
  }
  if (policy != "stretch") return Invalid("keep_aspect_ratio_policy", policy);
  return r;
}

absl::StatusOr<ResizePlan> PlanResize(const AttributeMap& attrs, const Shape& in,
                                      const Tensor* scales_t, const Tensor* sizes_t) {
  const int rank = static_cast<int>(in.size());
  std::vector<int> axes;
  if (attrs.Has("axes")) {
    std::vector<bool> seen(rank, false);
    for (int64_t a : attrs.GetInts("axes")) {
      absl::StatusOr<int> axis = NormalizeAxis(a, rank);
      if (!axis.ok()) return axis.status();
      if (seen[*axis]) return absl::InvalidArgumentError(absl::StrCat("axis ", a, " repeats"));
      seen[*axis] = true;
      axes.push_back(*axis);
    }
  } else {
    for (int d = 0; d < rank; ++d) axes.push_back(d);
  }
  ResizePlan plan;
  plan.shape = in;
  plan.scales.assign(rank, 1.0);
  const bool has_scales = Given(scales_t);
  const bool has_sizes = Given(sizes_t);
  if (has_scales == has_sizes) {
    return absl::InvalidArgumentError("exactly one of 'scales' and 'sizes' must be given");
  }
  const Tensor& t = has_scales ? *scales_t : *sizes_t;
  if (t.rank() != 1 || t.num_elements() != static_cast<int64_t>(axes.size())) {
    return absl::InvalidArgumentError(absl::StrCat("'", has_scales ? "scales" : "sizes",
                                                   "' must be 1-D with ", axes.size(),
                                                   " values, got ", ShapeToString(t.shape())));
  }
  if (has_scales) {
    if (t.dtype() != DType::kFloat32) {
      return absl::InvalidArgumentError(
          absl::StrCat("'scales' must be float32, got ", DTypeName(t.dtype())));
    }
    for (size_t i = 0; i < axes.size(); ++i) {
      const double scale = t.data<float>()[i];
      const int d = axes[i];
      // floor(in * scale), as the ONNX reference sizes the output.
      const double out = std::floor(scale * static_cast<double>(in[d]));
      if (!(scale > 0) || !std::isfinite(scale) || out > static_cast<double>(kMaxTensorElements)) {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid scale ", scale, " for dimension ", d, " of size ", in[d]));
      }
      plan.scales[d] = scale;
      plan.shape[d] = static_cast<int64_t>(out);
    }
  } else {
    if (t.dtype() != DType::kInt64) {
      return absl::InvalidArgumentError(
          absl::StrCat("'sizes' must be int64, got ", DTypeName(t.dtype())));
    }
    for (size_t i = 0; i < axes.size(); ++i) {
      const int64_t size = t.data<int64_t>()[i];
      const int d = axes[i];
      if (size < 0 || size > kMaxTensorElements || (in[d] == 0 && size > 0)) {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid size ", size, " for dimension ", d, " of size ", in[d]));
      }
      plan.shape[d] = size;
      if (in[d] > 0) plan.scales[d] = static_cast<double>(size) / static_cast<double>(in[d]);
    }
  }
  return plan;
}

namespace {

// Inputs X, roi (ignored), scales, sizes.
absl::Status Resize(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                    std::vector<Tensor>& outputs) {
  auto input = [&](size_t i) { return i < inputs.size() ? inputs[i] : nullptr; };
  const Tensor& x = *inputs[0];
  absl::StatusOr<ResizeAttrs> parsed = ParseResizeAttrs(attrs);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<ResizePlan> plan = PlanResize(attrs, x.shape(), input(2), input(3));
  if (!plan.ok()) return plan.status();
  Tensor y(x.dtype(), plan->shape);
  if (parsed->linear) {
    if (x.dtype() != DType::kFloat32) {
      return absl::UnimplementedError(
          absl::StrCat("linear resize of dtype ", DTypeName(x.dtype()), " is not supported"));
    }
    ResizeLinear(x.data<float>(), x.shape(), plan->shape, plan->scales, parsed->coordinates,
                 y.data<float>());
  } else {
    const size_t size = DTypeSize(x.dtype());
    if (size != 1 && size != 2 && size != 4 && size != 8) {
      return absl::UnimplementedError(
          absl::StrCat("dtype ", DTypeName(x.dtype()), " is not supported"));
    }
    ResizeNearest(x.raw(), size, x.shape(), plan->shape, plan->scales, parsed->coordinates,
                  parsed->rounding, y.raw());
  }
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

OPENBPU_REGISTER_FLOAT_KERNEL(Resize, "Resize", Resize);

}  // namespace
}  // namespace openbpu::kernels
