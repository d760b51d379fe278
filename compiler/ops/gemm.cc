// Gemm (ONNX Gemm-13): y = alpha * op(A) * op(B) + beta * C with optional
// transposes and an optional C broadcast to [M, N]; the float kernel and
// kernels::PlanGemm are in common/kernels/linear.cc.
#include "common/kernels/gemm.h"

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema GemmSchema() {
  ir::OpSchema s;
  s.name = "Gemm";
  s.min_inputs = 2;
  s.max_inputs = 3;
  s.attrs = {{"alpha", ir::AttrKind::kFloat},
             {"beta", ir::AttrKind::kFloat},
             {"transA", ir::AttrKind::kInt},
             {"transB", ir::AttrKind::kInt}};
  s.weight_input = 1;  // B: [K, N], or [N, K] with transB
  s.bias_input = 2;
  s.weight_channel_axis = [](const ir::Node& node) {
    return node.attrs().GetInt("transB", 0) != 0 ? 0 : 1;
  };
  s.output_channel_axis = -1;
  s.fused_op = "FusedLinear";
  s.validate = [](const ir::Node& node) -> absl::Status {
    for (const char* flag : {"transA", "transB"}) {
      const int64_t v = node.attrs().GetInt(flag, 0);
      if (v != 0 && v != 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("attribute '", flag, "' = ", v, " is invalid"));
      }
    }
    return absl::OkStatus();
  };
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    for (int i = 0; i < node.num_inputs(); ++i) {
      if (node.input(i) == nullptr) continue;
      if (absl::Status st = RequireDType(node, i, {DType::kFloat32}); !st.ok()) return st;
    }
    const ir::Value* c = node.input(2);
    absl::StatusOr<kernels::GemmPlan> plan =
        kernels::PlanGemm(node.attrs(), InputType(node, 0).shape, InputType(node, 1).shape,
                          c == nullptr ? nullptr : &c->type().shape);
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = {plan->m, plan->n};
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Gemm");  // common/kernels/linear.cc
  s.kernel_from_registry = true;
  return s;
}

OPENBPU_REGISTER_OP(Gemm,
                    qarith::WithArithmeticQuant<qparams::Requant>(GemmSchema(), qarith::PrepareGemm,
                                                                  qarith::GemmKernel));

}  // namespace
}  // namespace openbpu::ops
