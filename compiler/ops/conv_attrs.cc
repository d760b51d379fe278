// Conv operand checks and attribute reading; PlanConv for Conv and FusedConv.
#include "compiler/ops/conv_attrs.h"

#include "compiler/ops/op_util.h"

namespace openbpu::ops {

absl::Status ValidateConvAttrs(const ir::Node& node) {
  absl::StatusOr<kernels::ConvAutoPad> auto_pad =
      kernels::ParseConvAutoPad(node.attrs().GetString("auto_pad", "NOTSET"));
  if (!auto_pad.ok()) return auto_pad.status();
  if (node.attrs().GetInt("group", 1) < 1) {
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

absl::StatusOr<kernels::ConvAttrs> ReadConvAttrs(const ir::Node& node,
                                                 const std::vector<int64_t>& kernel,
                                                 const Shape* bias, int64_t out_channels) {
  const ir::AttributeMap& attrs = node.attrs();
  if (attrs.Has("kernel_shape") && attrs.GetInts("kernel_shape") != kernel) {
    return absl::InvalidArgumentError(
        absl::StrCat("attribute 'kernel_shape' ", ShapeToString(attrs.GetInts("kernel_shape")),
                     " does not match the weight's spatial shape ", ShapeToString(kernel)));
  }
  if (bias != nullptr && *bias != Shape{out_channels}) {
    return absl::InvalidArgumentError(
        absl::StrCat("bias must have shape [", out_channels, "], got ", ShapeToString(*bias)));
  }
  absl::StatusOr<kernels::ConvAutoPad> auto_pad =
      kernels::ParseConvAutoPad(attrs.GetString("auto_pad", "NOTSET"));
  if (!auto_pad.ok()) return auto_pad.status();
  kernels::ConvAttrs conv_attrs;
  conv_attrs.strides = attrs.GetInts("strides");
  conv_attrs.dilations = attrs.GetInts("dilations");
  conv_attrs.pads = attrs.GetInts("pads");
  conv_attrs.auto_pad = *auto_pad;
  return conv_attrs;
}

Shape ConvOutputShape(int64_t batch, int64_t channels, const std::vector<int64_t>& spatial) {
  Shape out = {batch, channels};
  out.insert(out.end(), spatial.begin(), spatial.end());
  return out;
}

absl::StatusOr<ConvPlan> PlanConv(const ir::Node& node, const Shape& x, const Shape& w,
                                  const Shape* bias) {
  if (absl::Status st = CheckConvRanks(x, w); !st.ok()) return st;
  ConvPlan plan;
  plan.group = node.attrs().GetInt("group", 1);
  const int64_t channels = x[1];
  const int64_t out_channels = w[0];
  if (channels % plan.group != 0 || out_channels % plan.group != 0 ||
      w[1] * plan.group != channels) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input channels ", channels, ", weight ", ShapeToString(w), " and group ", plan.group,
        " do not match (weight must be [M, C/group, ...] with M divisible by group)"));
  }
  const std::vector<int64_t> spatial(x.begin() + 2, x.end());
  const std::vector<int64_t> kernel(w.begin() + 2, w.end());
  absl::StatusOr<kernels::ConvAttrs> conv_attrs = ReadConvAttrs(node, kernel, bias, out_channels);
  if (!conv_attrs.ok()) return conv_attrs.status();
  absl::StatusOr<kernels::ConvGeometry> geometry =
      kernels::ResolveConvGeometry(spatial, kernel, *conv_attrs);
  if (!geometry.ok()) return geometry.status();
  plan.geometry = *std::move(geometry);
  // The im2col buffer holds at least one output row for every (channel, tap).
  if (NumElements(Shape(w.begin() + 1, w.end())) * plan.geometry.output.back() >
      ir::kMaxTensorElements) {
    return absl::UnimplementedError("convolution too large for the reference kernel");
  }
  plan.output = ConvOutputShape(x[0], out_channels, plan.geometry.output);
  return plan;
}

ir::OpSchema ConvLikeSchema(std::string name, std::vector<ir::AttrSpec> extra_attrs,
                            ConvPlanFn plan, ConvMathFn math) {
  ir::OpSchema s;
  s.name = std::move(name);
  s.min_inputs = 2;
  s.max_inputs = 3;
  s.attrs = {{"auto_pad", ir::AttrKind::kString}, {"dilations", ir::AttrKind::kInts},
             {"group", ir::AttrKind::kInt},       {"kernel_shape", ir::AttrKind::kInts},
             {"pads", ir::AttrKind::kInts},       {"strides", ir::AttrKind::kInts}};
  s.attrs.insert(s.attrs.end(), extra_attrs.begin(), extra_attrs.end());
  s.validate = ValidateConvAttrs;
  s.weight_input = 1;  // W: [M, C/group, k...] (ConvTranspose: [C, M/group, k...])
  s.bias_input = 2;
  s.weight_channel_axis = [](const ir::Node&) { return 0; };
  s.output_channel_axis = 1;
  s.infer = [plan](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireFloat32Inputs(node); !st.ok()) return st;
    const ir::Value* bias = node.input(2);
    absl::StatusOr<ConvPlan> p = plan(node, InputType(node, 0).shape, InputType(node, 1).shape,
                                      bias == nullptr ? nullptr : &bias->type().shape);
    if (!p.ok()) return p.status();
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = p->output;
    return absl::OkStatus();
  };
  s.kernel = [plan, math](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    const Tensor& w = *inputs[1];
    const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
    absl::StatusOr<ConvPlan> p =
        plan(node, x.shape(), w.shape(), bias == nullptr ? nullptr : &bias->shape());
    if (!p.ok()) return p.status();
    Tensor y(DType::kFloat32, p->output);
    math(x.data<float>(), x.dim(0), x.dim(1), w.data<float>(), p->output[1], p->group,
         bias == nullptr ? nullptr : bias->data<float>(), p->geometry, y.data<float>());
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  return s;
}

}  // namespace openbpu::ops
