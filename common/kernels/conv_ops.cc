// Float kernels of Conv, ConvTranspose and FusedConv (conv + B + sumin, then none / relu / relu6;
// made by fusion) with their attribute planning (conv.h); the math is kernels::Conv and
// kernels::ConvTranspose.
#include "absl/strings/str_cat.h"
#include "common/kernels/conv.h"
#include "common/kernels/fused.h"
#include "common/kernels/kernel_util.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {

absl::Status CheckConvAttrs(const AttributeMap& attrs) {
  absl::StatusOr<ConvAutoPad> auto_pad = ParseConvAutoPad(attrs.GetString("auto_pad", "NOTSET"));
  if (!auto_pad.ok()) return auto_pad.status();
  if (attrs.GetInt("group", 1) < 1) {
    return absl::InvalidArgumentError("attribute 'group' must be >= 1");
  }
  return absl::OkStatus();
}

absl::Status CheckConvRanks(const Shape& x, const Shape& w) {
  if (x.size() < 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("input X must have rank >= 3 (N, C, spatial...), got ", ShapeToString(x)));
  }
  if (w.size() != x.size()) {
    return absl::InvalidArgumentError(absl::StrCat("weight ", ShapeToString(w), " and input ",
                                                   ShapeToString(x), " have different ranks"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ConvAttrs> ReadConvAttrs(const AttributeMap& attrs,
                                        const std::vector<int64_t>& kernel, const Shape* bias,
                                        int64_t out_channels) {
  if (attrs.Has("kernel_shape") && attrs.GetInts("kernel_shape") != kernel) {
    return absl::InvalidArgumentError(
        absl::StrCat("attribute 'kernel_shape' ", ShapeToString(attrs.GetInts("kernel_shape")),
                     " does not match the weight's spatial shape ", ShapeToString(kernel)));
  }
  if (bias != nullptr && *bias != Shape{out_channels}) {
    return absl::InvalidArgumentError(
        absl::StrCat("bias must have shape [", out_channels, "], got ", ShapeToString(*bias)));
  }
  absl::StatusOr<ConvAutoPad> auto_pad = ParseConvAutoPad(attrs.GetString("auto_pad", "NOTSET"));
  if (!auto_pad.ok()) return auto_pad.status();
  ConvAttrs conv_attrs;
  conv_attrs.strides = attrs.GetInts("strides");
  conv_attrs.dilations = attrs.GetInts("dilations");
  conv_attrs.pads = attrs.GetInts("pads");
  conv_attrs.auto_pad = *auto_pad;
  return conv_attrs;
}

namespace {

// [batch, channels, spatial...]
Shape ConvOutputShape(int64_t batch, int64_t channels, const std::vector<int64_t>& spatial) {
  Shape out = {batch, channels};
  out.insert(out.end(), spatial.begin(), spatial.end());
  return out;
}

}  // namespace

absl::StatusOr<ConvPlan> PlanConv(const AttributeMap& attrs, const Shape& x, const Shape& w,
                                  const Shape* bias) {
  if (absl::Status st = CheckConvRanks(x, w); !st.ok()) return st;
  ConvPlan plan;
  plan.group = attrs.GetInt("group", 1);
  const int64_t channels = x[1];
  const int64_t out_channels = w[0];
  if (plan.group < 1 || channels % plan.group != 0 || out_channels % plan.group != 0 ||
      w[1] * plan.group != channels) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input channels ", channels, ", weight ", ShapeToString(w), " and group ", plan.group,
        " do not match (weight must be [M, C/group, ...] with M divisible by group)"));
  }
  const std::vector<int64_t> spatial(x.begin() + 2, x.end());
  const std::vector<int64_t> kernel(w.begin() + 2, w.end());
  absl::StatusOr<ConvAttrs> conv_attrs = ReadConvAttrs(attrs, kernel, bias, out_channels);
  if (!conv_attrs.ok()) return conv_attrs.status();
  absl::StatusOr<ConvGeometry> geometry = ResolveConvGeometry(spatial, kernel, *conv_attrs);
  if (!geometry.ok()) return geometry.status();
  plan.geometry = *std::move(geometry);
  // The im2col buffer holds at least one output row for every (channel, tap).
  if (NumElements(Shape(w.begin() + 1, w.end())) * plan.geometry.output.back() >
      kMaxTensorElements) {
    return absl::UnimplementedError("convolution too large for the reference kernel");
  }
  plan.output = ConvOutputShape(x[0], out_channels, plan.geometry.output);
  return plan;
}

absl::StatusOr<ConvPlan> PlanConvTranspose(const AttributeMap& attrs, const Shape& x,
                                           const Shape& w, const Shape* bias) {
  if (absl::Status st = CheckConvRanks(x, w); !st.ok()) return st;
  ConvPlan plan;
  plan.group = attrs.GetInt("group", 1);
  const int64_t channels = x[1];
  if (plan.group < 1 || w[0] != channels || channels % plan.group != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input channels ", channels, ", weight ", ShapeToString(w), " and group ", plan.group,
        " do not match (weight must be [C, M/group, ...] with C divisible by group)"));
  }
  const int64_t out_channels = w[1] * plan.group;
  const size_t n = x.size() - 2;
  const std::vector<int64_t> spatial(x.begin() + 2, x.end());
  const std::vector<int64_t> kernel(w.begin() + 2, w.end());
  absl::StatusOr<ConvAttrs> read = ReadConvAttrs(attrs, kernel, bias, out_channels);
  if (!read.ok()) return read.status();
  ConvAttrs conv_attrs = *std::move(read);
  conv_attrs.output_padding = attrs.GetInts("output_padding");
  conv_attrs.output_shape = attrs.GetInts("output_shape");
  // Some exporters give the full [N, M, spatial...] output shape.
  std::vector<int64_t>& output_shape = conv_attrs.output_shape;
  if (output_shape.size() == n + 2) {
    if (output_shape[0] != x[0] || output_shape[1] != out_channels) {
      return absl::InvalidArgumentError(
          absl::StrCat("attribute 'output_shape' ", ShapeToString(output_shape),
                       " does not match batch ", x[0], " and output channels ", out_channels));
    }
    output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
  }
  absl::StatusOr<ConvGeometry> geometry = ResolveConvTransposeGeometry(spatial, kernel, conv_attrs);
  if (!geometry.ok()) return geometry.status();
  plan.geometry = *std::move(geometry);
  // The column buffer holds at least one input row for every (channel, tap).
  if (NumElements(Shape(w.begin() + 1, w.end())) * spatial.back() > kMaxTensorElements) {
    return absl::UnimplementedError("transposed convolution too large for the reference kernel");
  }
  plan.output = ConvOutputShape(x[0], out_channels, plan.geometry.output);
  return plan;
}

namespace {

using PlanFn = absl::StatusOr<ConvPlan> (*)(const AttributeMap& attrs, const Shape& x,
                                            const Shape& w, const Shape* bias);
using MathFn = void (*)(const float* x, int64_t batch, int64_t in_channels, const float* w,
                        int64_t out_channels, int64_t group, const float* bias,
                        const ConvGeometry& geometry, float* y);

// y = math(X, W) + B with B optional (inputs X, W, [B]).
absl::Status ConvLike(PlanFn plan, MathFn math, const AttributeMap& attrs,
                      absl::Span<const Tensor* const> inputs, std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  const Tensor& w = *inputs[1];
  const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  absl::StatusOr<ConvPlan> p =
      plan(attrs, x.shape(), w.shape(), bias == nullptr ? nullptr : &bias->shape());
  if (!p.ok()) return p.status();
  Tensor y(DType::kFloat32, p->output);
  math(x.data<float>(), x.dim(0), x.dim(1), w.data<float>(), p->output[1], p->group,
       bias == nullptr ? nullptr : bias->data<float>(), p->geometry, y.data<float>());
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

absl::Status ConvKernel(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                        std::vector<Tensor>& outputs) {
  return ConvLike(PlanConv, Conv, attrs, inputs, outputs);
}

absl::Status ConvTransposeKernel(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                                 std::vector<Tensor>& outputs) {
  return ConvLike(PlanConvTranspose, ConvTranspose, attrs, inputs, outputs);
}

// Conv with B, then the fused epilogue over the optional sumin (input 3) of exactly the output's
// shape.
absl::Status FusedConv(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                       std::vector<Tensor>& outputs) {
  if (absl::Status st = CheckFusedActivation(attrs); !st.ok()) return st;
  const Tensor* sumin = inputs.size() > 3 ? inputs[3] : nullptr;
  std::vector<Tensor> conv;
  if (absl::Status st = ConvKernel(attrs, inputs.subspan(0, 3), conv); !st.ok()) return st;
  if (absl::Status st =
          CheckSuminShape(conv[0].shape(), sumin == nullptr ? nullptr : &sumin->shape());
      !st.ok()) {
    return st;
  }
  ApplyFusedEpilogue(attrs, sumin, conv[0]);
  outputs.push_back(std::move(conv[0]));
  return absl::OkStatus();
}

OPENBPU_REGISTER_FLOAT_KERNEL(Conv, "Conv", ConvKernel);
OPENBPU_REGISTER_FLOAT_KERNEL(ConvTranspose, "ConvTranspose", ConvTransposeKernel);
OPENBPU_REGISTER_FLOAT_KERNEL(FusedConv, "FusedConv", FusedConv);

}  // namespace
}  // namespace openbpu::kernels
