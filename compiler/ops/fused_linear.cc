// FusedLinear (OpenBPU op made by compiler/passes fusion): y = act(X W^T + B + sumin) for
// X [..., in], W [out, in], B [out], act in {none, relu, relu6}; the math is kernels::Gemm.
#include "common/kernels/gemm.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

absl::StatusOr<Shape> FusedLinearShape(const Shape& x, const Shape& w, const Shape& bias,
                                       const Shape* sumin) {
  if (x.empty()) return absl::InvalidArgumentError("input X must have rank >= 1");
  if (w.size() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("weight must be 2-D [out, in], got ", ShapeToString(w)));
  }
  if (w[1] != x.back()) {
    return absl::InvalidArgumentError(absl::StrCat("input ", ShapeToString(x), " and weight ",
                                                   ShapeToString(w),
                                                   " disagree on the input features"));
  }
  if (bias != Shape{w[0]}) {
    return absl::InvalidArgumentError(
        absl::StrCat("bias must have shape [", w[0], "], got ", ShapeToString(bias)));
  }
  Shape out = x;
  out.back() = w[0];
  if (absl::Status st = CheckSuminShape(out, sumin); !st.ok()) return st;
  return out;
}

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
    absl::StatusOr<Shape> shape = FusedLinearShape(
        InputType(node, 0).shape, InputType(node, 1).shape, InputType(node, 2).shape,
        sumin == nullptr ? nullptr : &sumin->type().shape);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = *std::move(shape);
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    const Tensor& w = *inputs[1];
    const Tensor& bias = *inputs[2];
    const Tensor* sumin = inputs.size() > 3 ? inputs[3] : nullptr;
    absl::StatusOr<Shape> shape = FusedLinearShape(x.shape(), w.shape(), bias.shape(),
                                                   sumin == nullptr ? nullptr : &sumin->shape());
    if (!shape.ok()) return shape.status();
    Tensor y(DType::kFloat32, *shape);
    const int64_t k = w.dim(1);
    const int64_t n = w.dim(0);
    const int64_t m = NumElements(Shape(x.shape().begin(), x.shape().end() - 1));
    // Gemm with transB and the bias as a row: the Gemm op's computation for alpha = beta = 1.
    kernels::GemmParams params;
    params.trans_b = true;
    kernels::Gemm(params, m, n, k, x.data<float>(), w.data<float>(), bias.data<float>(), {n},
                  y.data<float>());
    ApplyFusedEpilogue(node, sumin, y);
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(FusedLinear,
                    qarith::WithArithmeticQuant<qparams::Requant>(FusedLinearSchema(),
                                                                  qarith::PrepareLinear,
                                                                  qarith::LinearKernel));

}  // namespace
}  // namespace openbpu::ops
