// Conv (ONNX Conv-11): N-d grouped convolution with strides, dilations, pads or
// auto_pad and an optional bias; the float kernel and kernels::PlanConv are in
// common/kernels/conv_ops.cc (the math is kernels::Conv).
#include "compiler/ops/conv_attrs.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

// A Conv that fusion left alone (no bn/add/relu to absorb) quantizes like a
// FusedConv without sumin and activation.
ir::OpSchema ConvSchema() {
  ir::OpSchema s = ConvLikeSchema("Conv", {}, PlanConv);
  s.fused_op = "FusedConv";
  return s;
}

OPENBPU_REGISTER_OP(Conv,
                    qarith::WithArithmeticQuant<qparams::Requant>(ConvSchema(), qarith::PrepareConv,
                                                                  qarith::ConvKernel));

}  // namespace
}  // namespace openbpu::ops
