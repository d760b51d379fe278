// MatMul (ONNX MatMul-13): numpy matmul with 1-D promotion and broadcast batch
// dimensions; the float kernel is in common/kernels/linear.cc (the math is kernels::MatMul).
#include "common/kernels/gemm.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema MatMulSchema() {
  ir::OpSchema s;
  s.name = "MatMul";
  s.min_inputs = s.max_inputs = 2;
  s.weight_input = 1;  // B: [..., K, N]
  s.weight_channel_axis = [](const ir::Node&) { return -1; };
  s.output_channel_axis = -1;
  s.fused_op = "FusedLinear";
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    for (int i = 0; i < 2; ++i) {
      if (absl::Status st = RequireDType(node, i, {DType::kFloat32}); !st.ok()) return st;
    }
    absl::StatusOr<Shape> shape =
        kernels::MatMulShape(InputType(node, 0).shape, InputType(node, 1).shape);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = *std::move(shape);
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("MatMul");  // common/kernels/linear.cc
  s.kernel_from_registry = true;
  return s;
}

OPENBPU_REGISTER_OP(MatMul, qarith::WithArithmeticQuant<qparams::Requant>(MatMulSchema(),
                                                                          qarith::PrepareMatMul,
                                                                          qarith::MatMulKernel));

}  // namespace
}  // namespace openbpu::ops
