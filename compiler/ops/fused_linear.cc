// FusedLinear (OpenBPU op made by compiler/passes fusion): y = act(X W^T + B + sumin) for
// X [..., in], W [out, in], B [out], act in {none, relu, relu6}; the float kernel and
// kernels::FusedLinearShape are in common/kernels/linear.cc (the math is kernels::Gemm).
#include "common/kernels/gemm.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema FusedLinearSchema() {
  ir::OpSchema s;
  s.name = "FusedLinear";
  s.min_inputs = 3;
  s.max_inputs = 4;
  s.attrs = {{"activation", ir::AttrKind::kString}, {"pattern", ir::AttrKind::kString}};
  s.weight_input = 1;  // W: [N, K]
  s.bias_input = 2;
  s.weight_channel_axis = [](const ir::Node&) { return 0; };
  s.output_channel_axis = -1;
  s.table_op = "Gemm";
  s.validate = ValidateFusedActivation;
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    if (absl::Status st = RequireFloat32Inputs(node); !st.ok()) return st;
    const ir::Value* sumin = node.input(3);
    absl::StatusOr<Shape> shape = kernels::FusedLinearShape(
        InputType(node, 0).shape, InputType(node, 1).shape, InputType(node, 2).shape,
        sumin == nullptr ? nullptr : &sumin->type().shape);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = *std::move(shape);
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("FusedLinear");  // common/kernels/linear.cc
  s.kernel_from_registry = true;
  return s;
}

OPENBPU_REGISTER_OP(FusedLinear,
                    qarith::WithArithmeticQuant<qparams::Requant>(FusedLinearSchema(),
                                                                  qarith::PrepareLinear,
                                                                  qarith::LinearKernel));

}  // namespace
}  // namespace openbpu::ops
