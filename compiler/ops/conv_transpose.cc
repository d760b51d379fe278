// ConvTranspose (ONNX ConvTranspose-11): N-d grouped transposed convolution with
// strides, dilations, pads, output_padding, output_shape or auto_pad and an
// optional bias; the math is kernels::ConvTranspose, the integer kernel
// qarith::ConvTransposeKernel.
#include "compiler/ops/conv_attrs.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

// Checks the operand shapes against each other and the attributes; shared by
// shape inference and the kernel. `bias` is null when B is omitted.
absl::StatusOr<ConvPlan> PlanConvTranspose(const ir::Node& node, const Shape& x, const Shape& w,
                                           const Shape* bias) {
  if (absl::Status st = CheckConvRanks(x, w); !st.ok()) return st;
  const ir::AttributeMap& attrs = node.attrs();
  ConvPlan plan;
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
  absl::StatusOr<kernels::ConvAttrs> read = ReadConvAttrs(node, kernel, bias, out_channels);
  if (!read.ok()) return read.status();
  kernels::ConvAttrs conv_attrs = *std::move(read);
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
  absl::StatusOr<kernels::ConvGeometry> geometry =
      kernels::ResolveConvTransposeGeometry(spatial, kernel, conv_attrs);
  if (!geometry.ok()) return geometry.status();
  plan.geometry = *std::move(geometry);
  // The column buffer holds at least one input row for every (channel, tap).
  if (NumElements(Shape(w.begin() + 1, w.end())) * spatial.back() > ir::kMaxTensorElements) {
    return absl::UnimplementedError("transposed convolution too large for the reference kernel");
  }
  plan.output = ConvOutputShape(x[0], out_channels, plan.geometry.output);
  return plan;
}

absl::Status QuantizedConvTranspose(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                    std::vector<Tensor>& outputs) {
  return qarith::ConvTransposeKernel(node, inputs, PlanConvTranspose, outputs);
}

ir::OpSchema ConvTransposeSchema() {
  ir::OpSchema s = ConvLikeSchema(
      "ConvTranspose",
      {{"output_padding", ir::AttrKind::kInts}, {"output_shape", ir::AttrKind::kInts}},
      PlanConvTranspose, kernels::ConvTranspose);
  s.weight_channel_axis = [](const ir::Node&) { return 1; };  // W: [C, M/group, k...]
  return s;
}

OPENBPU_REGISTER_OP(ConvTranspose,
                    qarith::WithArithmeticQuant<qparams::Requant>(ConvTransposeSchema(),
                                                                  qarith::PrepareConvTranspose,
                                                                  QuantizedConvTranspose));

}  // namespace
}  // namespace openbpu::ops
