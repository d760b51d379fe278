// FusedConv (OpenBPU op made by compiler/passes fusion): y = act(conv(X, W) + B + sumin) with
// every Conv attribute, act in {none, relu, relu6}; the conv math is kernels::Conv.
#include "common/kernels/conv.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

struct FusedConvPlan {
  kernels::ConvGeometry geometry;
  int64_t group = 1;
  Shape output;
};

// The same operand checks as Conv (conv.cc keeps its own private), plus the
// mandatory bias and the optional sumin of exactly the output's shape.
absl::StatusOr<FusedConvPlan> PlanFusedConv(const ir::Node& node, const Shape& x, const Shape& w,
                                            const Shape& bias, const Shape* sumin) {
  const ir::AttributeMap& attrs = node.attrs();
  if (x.size() < 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("input X must have rank >= 3 (N, C, spatial...), got ", ShapeToString(x)));
  }
  if (w.size() != x.size()) {
    return absl::InvalidArgumentError(absl::StrCat("weight ", ShapeToString(w), " and input ",
                                                   ShapeToString(x), " have different ranks"));
  }
  FusedConvPlan plan;
  plan.group = attrs.GetInt("group", 1);
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
  if (attrs.Has("kernel_shape") && attrs.GetInts("kernel_shape") != kernel) {
    return absl::InvalidArgumentError(
        absl::StrCat("attribute 'kernel_shape' ", ShapeToString(attrs.GetInts("kernel_shape")),
                     " does not match the weight's spatial shape ", ShapeToString(kernel)));
  }
  if (bias != Shape{out_channels}) {
    return absl::InvalidArgumentError(
        absl::StrCat("bias must have shape [", out_channels, "], got ", ShapeToString(bias)));
  }
  absl::StatusOr<kernels::ConvAutoPad> auto_pad =
      kernels::ParseConvAutoPad(attrs.GetString("auto_pad", "NOTSET"));
  if (!auto_pad.ok()) return auto_pad.status();
  kernels::ConvAttrs conv_attrs;
  conv_attrs.strides = attrs.GetInts("strides");
  conv_attrs.dilations = attrs.GetInts("dilations");
  conv_attrs.pads = attrs.GetInts("pads");
  conv_attrs.auto_pad = *auto_pad;
  absl::StatusOr<kernels::ConvGeometry> geometry =
      kernels::ResolveConvGeometry(spatial, kernel, conv_attrs);
  if (!geometry.ok()) return geometry.status();
  plan.geometry = *std::move(geometry);
  // The im2col buffer holds at least one output row for every (channel, tap).
  if (NumElements(Shape(w.begin() + 1, w.end())) * plan.geometry.output.back() >
      ir::kMaxTensorElements) {
    return absl::UnimplementedError("convolution too large for the reference kernel");
  }
  plan.output = {x[0], out_channels};
  plan.output.insert(plan.output.end(), plan.geometry.output.begin(), plan.geometry.output.end());
  if (sumin != nullptr && *sumin != plan.output) {
    return absl::InvalidArgumentError(absl::StrCat("sumin must have the output shape ",
                                                   ShapeToString(plan.output), ", got ",
                                                   ShapeToString(*sumin)));
  }
  return plan;
}

ir::OpSchema FusedConvSchema() {
  ir::OpSchema s;
  s.name = "FusedConv";
  s.min_inputs = 3;
  s.max_inputs = 4;
  s.attrs = {{"activation", ir::AttrKind::kString}, {"auto_pad", ir::AttrKind::kString},
             {"dilations", ir::AttrKind::kInts},    {"group", ir::AttrKind::kInt},
             {"kernel_shape", ir::AttrKind::kInts}, {"pads", ir::AttrKind::kInts},
             {"pattern", ir::AttrKind::kString},    {"strides", ir::AttrKind::kInts}};
  s.validate = [](const ir::Node& node) -> absl::Status {
    absl::StatusOr<kernels::ConvAutoPad> auto_pad =
        kernels::ParseConvAutoPad(node.attrs().GetString("auto_pad", "NOTSET"));
    if (!auto_pad.ok()) return auto_pad.status();
    if (node.attrs().GetInt("group", 1) < 1) {
      return absl::InvalidArgumentError("attribute 'group' must be >= 1");
    }
    const std::string act = node.attrs().GetString("activation", "none");
    if (act != "none" && act != "relu" && act != "relu6") {
      return absl::UnimplementedError(absl::StrCat("attribute 'activation' = \"", act,
                                                   "\" is not supported (none, relu, relu6)"));
    }
    return absl::OkStatus();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    for (int i = 0; i < node.num_inputs(); ++i) {
      if (node.input(i) == nullptr) continue;
      if (absl::Status st = RequireDType(node, i, {DType::kFloat32}); !st.ok()) return st;
    }
    const ir::Value* sumin = node.input(3);
    absl::StatusOr<FusedConvPlan> plan =
        PlanFusedConv(node, InputType(node, 0).shape, InputType(node, 1).shape,
                      InputType(node, 2).shape, sumin == nullptr ? nullptr : &sumin->type().shape);
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = plan->output;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    const Tensor& w = *inputs[1];
    const Tensor& bias = *inputs[2];
    const Tensor* sumin = inputs.size() > 3 ? inputs[3] : nullptr;
    absl::StatusOr<FusedConvPlan> plan = PlanFusedConv(
        node, x.shape(), w.shape(), bias.shape(), sumin == nullptr ? nullptr : &sumin->shape());
    if (!plan.ok()) return plan.status();
    Tensor y(DType::kFloat32, plan->output);
    kernels::Conv(x.data<float>(), x.dim(0), x.dim(1), w.data<float>(), w.dim(0), plan->group,
                  bias.data<float>(), plan->geometry, y.data<float>());
    float* py = y.data<float>();
    const int64_t n = y.num_elements();
    if (sumin != nullptr) {
      const float* ps = sumin->data<float>();
      for (int64_t i = 0; i < n; ++i) py[i] += ps[i];
    }
    // Same comparisons as the Relu and Clip kernels, so NaN behaves as unfused.
    const std::string act = node.attrs().GetString("activation", "none");
    if (act == "relu") {
      for (int64_t i = 0; i < n; ++i) py[i] = py[i] > 0.f ? py[i] : 0.f;
    } else if (act == "relu6") {
      for (int64_t i = 0; i < n; ++i) {
        if (py[i] < 0.f) py[i] = 0.f;
        if (py[i] > 6.f) py[i] = 6.f;
      }
    }
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(FusedConv, FusedConvSchema());

}  // namespace
}  // namespace openbpu::ops
