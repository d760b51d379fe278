// Resize (ONNX Resize-19 without cubic, antialias and tf_crop_and_resize):
// nearest (any dtype) and N-d linear (float32) resizing; scales or sizes are
// constant inputs, roi is ignored. Upsample and Resize-10 import as this op
// with asymmetric coordinates. The float kernel, kernels::ParseResizeAttrs and
// kernels::PlanResize are in common/kernels/resize_ops.cc. Quantized:
// docs/NUMERICS.md, "Resize".
#include "common/kernels/resize.h"

#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_exact_util.h"
#include "isa/numerics/resize.h"

namespace openbpu::ops {
namespace {

using kernels::ResizeAttrs;
using kernels::ResizePlan;

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
  absl::StatusOr<ResizeAttrs> attrs = kernels::ParseResizeAttrs(node.attrs());
  if (!attrs.ok()) return attrs.status();
  if (!attrs->linear) return absl::OkStatus();
  absl::StatusOr<float> s_in = qexact::InputScale(node, 0);
  if (!s_in.ok()) return s_in.status();
  absl::StatusOr<float> s_out = qexact::OutputScale(node, 0);
  if (!s_out.ok()) return s_out.status();
  const Shape& in = InputType(node, 0).shape;
  absl::StatusOr<ResizePlan> plan =
      kernels::PlanResize(node.attrs(), in, ConstantInput(node, 2), ConstantInput(node, 3));
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
  absl::StatusOr<ResizeAttrs> attrs = kernels::ParseResizeAttrs(node.attrs());
  if (!attrs.ok()) return attrs.status();
  absl::StatusOr<ResizePlan> plan =
      kernels::PlanResize(node.attrs(), x.shape(), input(2), input(3));
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
  s.validate = [](const ir::Node& node) -> absl::Status {
    return kernels::ParseResizeAttrs(node.attrs()).status();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    absl::StatusOr<ResizeAttrs> attrs = kernels::ParseResizeAttrs(node.attrs());
    if (!attrs.ok()) return attrs.status();
    const DType dtype = InputType(node, 0).dtype;
    if (attrs->linear) {
      if (absl::Status st = RequireDType(node, 0, {DType::kFloat32}); !st.ok()) return st;
    } else if (DTypeSize(dtype) == 0) {
      return RequireDType(node, 0, {});
    }
    absl::StatusOr<ResizePlan> plan = kernels::PlanResize(
        node.attrs(), InputType(node, 0).shape, ConstantInput(node, 2), ConstantInput(node, 3));
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = dtype;
    outputs[0].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Resize");  // common/kernels/resize_ops.cc
  s.kernel_from_registry = true;
  // Nearest is exact and linear stays within 1 LSB; both keep the input's
  // quantization (a convex combination never leaves the input's range).
  s.qkind = ir::QuantKind::kArithmetic;
  s.qinherit_input = 0;
  s.qprepare = PrepareResize;
  // Nearest resize has no parameters.
  s.qcheck = [](const ir::Node& node) -> absl::Status {
    absl::StatusOr<ResizeAttrs> attrs = kernels::ParseResizeAttrs(node.attrs());
    if (!attrs.ok()) return attrs.status();
    return attrs->linear ? qparams::Load<qparams::Resize>(node).status() : absl::OkStatus();
  };
  s.qkernel = ResizeQuantKernel;
  return s;
}

OPENBPU_REGISTER_OP(Resize, ResizeSchema());

}  // namespace
}  // namespace openbpu::ops
