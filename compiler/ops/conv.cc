// Conv (ONNX Conv-11): N-d grouped convolution with strides, dilations, pads or
// auto_pad and an optional bias; the math is kernels::Conv.
#include "compiler/ops/conv_attrs.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Conv, ConvLikeSchema("Conv", {}, PlanConv, kernels::Conv));

}  // namespace
}  // namespace openbpu::ops
