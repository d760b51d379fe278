// Resize (ONNX Resize-19 without cubic, antialias and tf_crop_and_resize):
// nearest (any dtype) and N-d linear (float32) resizing; scales or sizes are
// constant inputs, roi is ignored. Upsample and Resize-10 import as this op
// with asymmetric coordinates. Quantized: docs/NUMERICS.md, "Resize".
#include "common/kernels/resize.h"

#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_exact_util.h"
#include "isa/numerics/resize.h"

namespace openbpu::ops {
namespace {

struct ResizeAttrs {
  bool linear = false;
  kernels::ResizeCoordinates coordinates = kernels::ResizeCoordinates::kHalfPixel;
  kernels::NearestRounding rounding = kernels::NearestRounding::kRoundPreferFloor;
};

absl::Status Unsupported(absl::string_view attr, absl::string_view value) {
  return absl::UnimplementedError(
      absl::StrCat("attribute '", attr, "' = '", value, "' is not supported"));
}

absl::Status Invalid(absl::string_view attr, absl::string_view value) {
  return absl::InvalidArgumentError(absl::StrCat("invalid attribute '", attr, "' = '", value, "'"));
}

absl::StatusOr<ResizeAttrs> ParseResizeAttrs(const ir::Node& node) {
  const ir::AttributeMap& a = node.attrs();
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
  using C = kernels::ResizeCoordinates;
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
  using N = kernels::NearestRounding;
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

struct ResizePlan {
  Shape shape;                 // output shape
  std::vector<double> scales;  // per dimension, for the coordinate transformation
};

// An omitted input and an empty tensor (Resize-11 placeholders) both mean "not given".
bool Given(const Tensor* t) { return t != nullptr && t->num_elements() > 0; }

absl::StatusOr<ResizePlan> PlanResize(const ir::Node& node, const Shape& in, const Tensor* scales_t,
                                      const Tensor* sizes_t) {
  const int rank = static_cast<int>(in.size());
  std::vector<int> axes;
  if (node.attrs().Has("axes")) {
    std::vector<bool> seen(rank, false);
    for (int64_t a : node.attrs().GetInts("axes")) {
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
      if (!(scale > 0) || !std::isfinite(scale) ||
          out > static_cast<double>(ir::kMaxTensorElements)) {
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
      if (size < 0 || size > ir::kMaxTensorElements || (in[d] == 0 && size > 0)) {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid size ", size, " for dimension ", d, " of size ", in[d]));
      }
      plan.shape[d] = size;
      if (in[d] > 0) plan.scales[d] = static_cast<double>(size) / static_cast<double>(in[d]);
    }
  }
  return plan;
}

numerics::ResizeCoordinateMode ToNumerics(kernels::ResizeCoordinates c) {
  using C = kernels::ResizeCoordinates;
  using M = numerics::ResizeCoordinateMode;
  switch (c) {
    case C::kHalfPixel:
      return M::kHalfPixel;
    case C::kHalfPixelSymmetric:
      return M::kHalfPixelSymmetric;
    case C::kPytorchHalfPixel:
      return M::kPytorchHalfPixel;
    case C::kAlignCorners:
      return M::kAlignCorners;
    case C::kAsymmetric:
      return M::kAsymmetric;
    case C::kTfHalfPixelForNearest:
      return M::kTfHalfPixelForNearest;
  }
  return M::kHalfPixel;
}

numerics::NearestMode ToNumerics(kernels::NearestRounding r) {
  using R = kernels::NearestRounding;
  using N = numerics::NearestMode;
  switch (r) {
    case R::kRoundPreferFloor:
      return N::kRoundPreferFloor;
    case R::kRoundPreferCeil:
      return N::kRoundPreferCeil;
    case R::kFloor:
      return N::kFloor;
    case R::kCeil:
      return N::kCeil;
  }
  return N::kRoundPreferFloor;
}

std::vector<std::vector<numerics::LinearTap>> LinearTaps(const ResizeAttrs& attrs, const Shape& in,
                                                         const ResizePlan& plan) {
  std::vector<std::vector<numerics::LinearTap>> taps;
  for (size_t d = 0; d < in.size(); ++d) {
    taps.push_back(numerics::LinearTapTable(ToNumerics(attrs.coordinates), in[d], plan.shape[d],
                                            plan.scales[d]));
  }
  return taps;
}

int InterpolatedDims(const std::vector<std::vector<numerics::LinearTap>>& taps) {
  int n = 0;
  for (const auto& t : taps) n += numerics::IsInterpolated(t) ? 1 : 0;
  return n;
}

// Quantized nearest: exact gather by numerics::NearestIndexTable (the float
// kernel's indices). Quantized linear: record "output" = s_in / (s_out *
// 2^weight_frac_bits), weight_frac_bits = 16 per interpolated dimension (at
// most 2), applied by numerics::ResizeLinear (docs/NUMERICS.md, "Resize").
absl::Status PrepareResize(ir::Node& node, const ir::QuantOpContext&) {
  absl::StatusOr<ResizeAttrs> attrs = ParseResizeAttrs(node);
  if (!attrs.ok()) return attrs.status();
  if (!attrs->linear) return absl::OkStatus();
  absl::StatusOr<float> s_in = qexact::InputScale(node, 0);
  if (!s_in.ok()) return s_in.status();
  absl::StatusOr<float> s_out = qexact::OutputScale(node, 0);
  if (!s_out.ok()) return s_out.status();
  const Shape& in = InputType(node, 0).shape;
  absl::StatusOr<ResizePlan> plan =
      PlanResize(node, in, ConstantInput(node, 2), ConstantInput(node, 3));
  if (!plan.ok()) return plan.status();
  const int dims = InterpolatedDims(LinearTaps(*attrs, in, *plan));
  if (dims > numerics::kMaxInterpolatedDims) {
    return absl::UnimplementedError(
        absl::StrCat(node.Describe(), ": quantized linear resize interpolates ", dims,
                     " dimensions; at most ", numerics::kMaxInterpolatedDims, " are supported"));
  }
  const int frac_bits = numerics::kResizeWeightBits * dims;
  absl::StatusOr<numerics::RequantizeRecord> r = qexact::MakeRecord(
      node, static_cast<double>(*s_in) / static_cast<double>(*s_out) / std::ldexp(1.0, frac_bits));
  if (!r.ok()) return r.status();
  return qparams::Store(node, qparams::Resize{*r, frac_bits});
}

template <typename TIn>
absl::Status LinearToStorage(const Tensor& x, const ResizePlan& plan,
                             const std::vector<std::vector<numerics::LinearTap>>& taps,
                             const numerics::RequantizeRecord& record, DType storage, Tensor& y) {
  absl::StatusOr<std::pair<int64_t, int64_t>> range = qexact::StorageRange(storage);
  if (!range.ok()) return range.status();
  switch (storage) {
    case DType::kInt8:
      return numerics::ResizeLinear(x.data<TIn>(), x.shape(), plan.shape, taps, record,
                                    range->first, range->second, y.data<int8_t>());
    case DType::kInt16:
      return numerics::ResizeLinear(x.data<TIn>(), x.shape(), plan.shape, taps, record,
                                    range->first, range->second, y.data<int16_t>());
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("quantized linear resize to ", DTypeName(storage), " is not supported"));
  }
}

absl::Status ResizeQuantKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                               std::vector<Tensor>& outputs) {
  auto input = [&](size_t i) { return i < inputs.size() ? inputs[i] : nullptr; };
  const Tensor& x = *inputs[0];
  absl::StatusOr<ResizeAttrs> attrs = ParseResizeAttrs(node);
  if (!attrs.ok()) return attrs.status();
  absl::StatusOr<ResizePlan> plan = PlanResize(node, x.shape(), input(2), input(3));
  if (!plan.ok()) return plan.status();
  if (!attrs->linear) {
    std::vector<std::vector<int64_t>> tables;
    for (int d = 0; d < x.rank(); ++d) {
      tables.push_back(numerics::NearestIndexTable(ToNumerics(attrs->coordinates),
                                                   ToNumerics(attrs->rounding), x.dim(d),
                                                   plan->shape[d], plan->scales[d]));
    }
    Tensor y(x.dtype(), plan->shape);
    if (absl::Status st = WithElementWord(x.dtype(),
                                          [&](auto word) {
                                            using W = decltype(word);
                                            numerics::ResizeNearestCopy(
                                                reinterpret_cast<const W*>(x.raw()), x.shape(),
                                                plan->shape, tables, reinterpret_cast<W*>(y.raw()));
                                          });
        !st.ok()) {
      return st;
    }
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  }
  absl::StatusOr<qparams::Resize> params = qparams::Load<qparams::Resize>(node);
  if (!params.ok()) return params.status();
  const int frac_bits_value = params->weight_frac_bits;
  const int* frac_bits = &frac_bits_value;
  const numerics::RequantizeRecord record[1] = {params->output};
  const std::vector<std::vector<numerics::LinearTap>> taps = LinearTaps(*attrs, x.shape(), *plan);
  if (numerics::kResizeWeightBits * InterpolatedDims(taps) != *frac_bits) {
    return absl::InvalidArgumentError(absl::StrCat(
        node.Describe(), ": 'resize' parameter weight_frac_bits = ", *frac_bits,
        " does not match the interpolated dimensions of input ", ShapeToString(x.shape())));
  }
  absl::StatusOr<DType> storage = qexact::OutputStorage(node, 0);
  if (!storage.ok()) return storage.status();
  Tensor y(*storage, plan->shape);
  absl::Status st;
  switch (x.dtype()) {
    case DType::kInt8:
      st = LinearToStorage<int8_t>(x, *plan, taps, record[0], *storage, y);
      break;
    case DType::kInt16:
      st = LinearToStorage<int16_t>(x, *plan, taps, record[0], *storage, y);
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("quantized linear resize of ", DTypeName(x.dtype()), " is not supported"));
  }
  if (!st.ok()) return st;
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

ir::OpSchema ResizeSchema() {
  ir::OpSchema s;
  s.name = "Resize";
  s.min_inputs = 1;
  s.max_inputs = 4;
  // roi (input 1) only matters for tf_crop_and_resize, which is rejected.
  s.constant_inputs = {2, 3};
  s.attrs = {{"antialias", ir::AttrKind::kInt},
             {"axes", ir::AttrKind::kInts},
             {"coordinate_transformation_mode", ir::AttrKind::kString},
             {"cubic_coeff_a", ir::AttrKind::kFloat},
             {"exclude_outside", ir::AttrKind::kInt},
             {"extrapolation_value", ir::AttrKind::kFloat},
             {"keep_aspect_ratio_policy", ir::AttrKind::kString},
             {"mode", ir::AttrKind::kString},
             {"nearest_mode", ir::AttrKind::kString}};
  s.validate = [](const ir::Node& node) -> absl::Status { return ParseResizeAttrs(node).status(); };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    absl::StatusOr<ResizeAttrs> attrs = ParseResizeAttrs(node);
    if (!attrs.ok()) return attrs.status();
    const DType dtype = InputType(node, 0).dtype;
    if (attrs->linear) {
      if (absl::Status st = RequireDType(node, 0, {DType::kFloat32}); !st.ok()) return st;
    } else if (DTypeSize(dtype) == 0) {
      return RequireDType(node, 0, {});
    }
    absl::StatusOr<ResizePlan> plan =
        PlanResize(node, InputType(node, 0).shape, ConstantInput(node, 2), ConstantInput(node, 3));
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = dtype;
    outputs[0].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    auto input = [&](size_t i) { return i < inputs.size() ? inputs[i] : nullptr; };
    const Tensor& x = *inputs[0];
    absl::StatusOr<ResizeAttrs> attrs = ParseResizeAttrs(node);
    if (!attrs.ok()) return attrs.status();
    absl::StatusOr<ResizePlan> plan = PlanResize(node, x.shape(), input(2), input(3));
    if (!plan.ok()) return plan.status();
    Tensor y(x.dtype(), plan->shape);
    if (attrs->linear) {
      if (x.dtype() != DType::kFloat32) {
        return absl::UnimplementedError(
            absl::StrCat("linear resize of dtype ", DTypeName(x.dtype()), " is not supported"));
      }
      kernels::ResizeLinear(x.data<float>(), x.shape(), plan->shape, plan->scales,
                            attrs->coordinates, y.data<float>());
    } else {
      const size_t size = DTypeSize(x.dtype());
      if (size != 1 && size != 2 && size != 4 && size != 8) {
        return absl::UnimplementedError(
            absl::StrCat("dtype ", DTypeName(x.dtype()), " is not supported"));
      }
      kernels::ResizeNearest(x.raw(), size, x.shape(), plan->shape, plan->scales,
                             attrs->coordinates, attrs->rounding, y.raw());
    }
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  // Nearest is exact and linear stays within 1 LSB; both keep the input's
  // quantization (a convex combination never leaves the input's range).
  s.qkind = ir::QuantKind::kArithmetic;
  s.qinherit_input = 0;
  s.qprepare = PrepareResize;
  // Nearest resize has no parameters.
  s.qcheck = [](const ir::Node& node) -> absl::Status {
    absl::StatusOr<ResizeAttrs> attrs = ParseResizeAttrs(node);
    if (!attrs.ok()) return attrs.status();
    return attrs->linear ? qparams::Load<qparams::Resize>(node).status() : absl::OkStatus();
  };
  s.qkernel = ResizeQuantKernel;
  return s;
}

OPENBPU_REGISTER_OP(Resize, ResizeSchema());

}  // namespace
}  // namespace openbpu::ops
