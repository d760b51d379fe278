// ConvTranspose (ONNX ConvTranspose-11): N-d grouped transposed convolution with
// strides, dilations, pads, output_padding, output_shape or auto_pad and an
// optional bias; the math is kernels::ConvTranspose.
#include "common/kernels/conv.h"
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

struct ConvTransposePlan {
  kernels::ConvGeometry geometry;
  int64_t group = 1;
  Shape output;
};

// Checks the operand shapes against each other and the attributes; shared by
// shape inference and the kernel. `bias` is null when B is omitted.
absl::StatusOr<ConvTransposePlan> PlanConvTranspose(const ir::Node& node, const Shape& x,
                                                    const Shape& w, const Shape* bias) {
  const ir::AttributeMap& attrs = node.attrs();
  if (x.size() < 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("input X must have rank >= 3 (N, C, spatial...), got ", ShapeToString(x)));
  }
  if (w.size() != x.size()) {
    return absl::InvalidArgumentError(absl::StrCat("weight ", ShapeToString(w), " and input ",
                                                   ShapeToString(x), " have different ranks"));
  }
  ConvTransposePlan plan;
  plan.group = attrs.GetInt("group", 1);
  const int64_t channels = x[1];
  if (w[0] != channels || channels % plan.group != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input channels ", channels, ", weight ", ShapeToString(w), " and group ", plan.group,
        " do not match (weight must be [C, M/group, ...] with C divisible by group)"));
  }
  const int64_t out_channels = w[1] * plan.group;
  const size_t n = x.size() - 2;
  const std::vector<int64_t> spatial(x.begin() + 2, x.end());
  const std::vector<int64_t> kernel(w.begin() + 2, w.end());
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
  conv_attrs.output_padding = attrs.GetInts("output_padding");
  conv_attrs.output_shape = attrs.GetInts("output_shape");
  conv_attrs.auto_pad = *auto_pad;
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
  absl::StatusOr<kernels::ConvGeometry> geometry =
      kernels::ResolveConvTransposeGeometry(spatial, kernel, conv_attrs);
  if (!geometry.ok()) return geometry.status();
  plan.geometry = *std::move(geometry);
  // The column buffer holds at least one input row for every (channel, tap).
  if (NumElements(Shape(w.begin() + 1, w.end())) * spatial.back() > ir::kMaxTensorElements) {
    return absl::UnimplementedError("transposed convolution too large for the reference kernel");
  }
  plan.output = {x[0], out_channels};
  plan.output.insert(plan.output.end(), plan.geometry.output.begin(), plan.geometry.output.end());
  return plan;
}

ir::OpSchema ConvTransposeSchema() {
  ir::OpSchema s;
  s.name = "ConvTranspose";
  s.min_inputs = 2;
  s.max_inputs = 3;
  s.attrs = {{"auto_pad", ir::AttrKind::kString},     {"dilations", ir::AttrKind::kInts},
             {"group", ir::AttrKind::kInt},           {"kernel_shape", ir::AttrKind::kInts},
             {"output_padding", ir::AttrKind::kInts}, {"output_shape", ir::AttrKind::kInts},
             {"pads", ir::AttrKind::kInts},           {"strides", ir::AttrKind::kInts}};
  s.validate = [](const ir::Node& node) -> absl::Status {
    absl::StatusOr<kernels::ConvAutoPad> auto_pad =
        kernels::ParseConvAutoPad(node.attrs().GetString("auto_pad", "NOTSET"));
    if (!auto_pad.ok()) return auto_pad.status();
    if (node.attrs().GetInt("group", 1) < 1) {
      return absl::InvalidArgumentError("attribute 'group' must be >= 1");
    }
    return absl::OkStatus();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    for (int i = 0; i < node.num_inputs(); ++i) {
      if (node.input(i) == nullptr) continue;
      if (absl::Status st = RequireDType(node, i, {DType::kFloat32}); !st.ok()) return st;
    }
    const ir::Value* bias = node.input(2);
    absl::StatusOr<ConvTransposePlan> plan =
        PlanConvTranspose(node, InputType(node, 0).shape, InputType(node, 1).shape,
                          bias == nullptr ? nullptr : &bias->type().shape);
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = plan->output;
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    const Tensor& w = *inputs[1];
    const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
    absl::StatusOr<ConvTransposePlan> plan =
        PlanConvTranspose(node, x.shape(), w.shape(), bias == nullptr ? nullptr : &bias->shape());
    if (!plan.ok()) return plan.status();
    Tensor y(DType::kFloat32, plan->output);
    kernels::ConvTranspose(x.data<float>(), x.dim(0), x.dim(1), w.data<float>(), plan->output[1],
                           plan->group, bias == nullptr ? nullptr : bias->data<float>(),
                           plan->geometry, y.data<float>());
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(ConvTranspose, ConvTransposeSchema());

}  // namespace
}  // namespace openbpu::ops
