// ConvTranspose (ONNX ConvTranspose-11): N-d grouped transposed convolution with
// strides, dilations, pads, output_padding, output_shape or auto_pad and an
// optional bias; the float kernel and kernels::PlanConvTranspose are in
// common/kernels/conv_ops.cc (the math is kernels::ConvTranspose), the integer
// kernel qarith::ConvTransposeKernel.
#include "compiler/ops/conv_attrs.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

// kernels::PlanConvTranspose of the node's attributes (shape inference, the integer kernel).
absl::StatusOr<ConvPlan> PlanConvTranspose(const ir::Node& node, const Shape& x, const Shape& w,
                                           const Shape* bias) {
  return kernels::PlanConvTranspose(node.attrs(), x, w, bias);
}

absl::Status QuantizedConvTranspose(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                    std::vector<Tensor>& outputs) {
  return qarith::ConvTransposeKernel(node, inputs, PlanConvTranspose, outputs);
}

ir::OpSchema ConvTransposeSchema() {
  ir::OpSchema s = ConvLikeSchema(
      "ConvTranspose",
      {{"output_padding", ir::AttrKind::kInts}, {"output_shape", ir::AttrKind::kInts}},
      PlanConvTranspose);
  s.weight_channel_axis = [](const ir::Node&) { return 1; };  // W: [C, M/group, k...]
  return s;
}

OPENBPU_REGISTER_OP(ConvTranspose,
                    qarith::WithArithmeticQuant<qparams::Requant>(ConvTransposeSchema(),
                                                                  qarith::PrepareConvTranspose,
                                                                  QuantizedConvTranspose));

}  // namespace
}  // namespace openbpu::ops
