// FusedConv (OpenBPU op made by compiler/passes fusion): y = act(conv(X, W) + B + sumin) with
// every Conv attribute, act in {none, relu, relu6}; the float kernel is in
// common/kernels/conv_ops.cc (the conv math is kernels::Conv).
#include "compiler/ops/conv_attrs.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

// Conv with a mandatory B, then the fused epilogue over the optional sumin
// (input 3) of exactly the output's shape.
ir::OpSchema FusedConvSchema() {
  ir::OpSchema s = ConvLikeSchema(
      "FusedConv", {{"activation", ir::AttrKind::kString}, {"pattern", ir::AttrKind::kString}},
      PlanConv);
  s.min_inputs = 3;
  s.max_inputs = 4;
  s.table_op = "Conv";
  s.validate = [](const ir::Node& node) -> absl::Status {
    if (absl::Status st = ValidateConvAttrs(node); !st.ok()) return st;
    return ValidateFusedActivation(node);
  };
  s.infer = [conv_infer = s.infer](const ir::Node& node,
                                   std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = conv_infer(node, outputs); !st.ok()) return st;
    const ir::Value* sumin = node.input(3);
    return CheckSuminShape(outputs[0].shape, sumin == nullptr ? nullptr : &sumin->type().shape);
  };
  return s;
}

OPENBPU_REGISTER_OP(FusedConv, qarith::WithArithmeticQuant<qparams::Requant>(FusedConvSchema(),
                                                                             qarith::PrepareConv,
                                                                             qarith::ConvKernel));

}  // namespace
}  // namespace openbpu::ops
