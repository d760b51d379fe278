// Gemm (ONNX Gemm-13): y = alpha * op(A) * op(B) + beta * C with optional
// transposes and an optional C broadcast to [M, N]; the math is kernels::Gemm.
#include "common/kernels/gemm.h"

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

struct GemmPlan {
  int64_t m = 0;
  int64_t n = 0;
  int64_t k = 0;
};

absl::StatusOr<GemmPlan> PlanGemm(const ir::Node& node, const Shape& a, const Shape& b,
                                  const Shape* c) {
  if (a.size() != 2 || b.size() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("A ", ShapeToString(a), " and B ", ShapeToString(b), " must be 2-D"));
  }
  const bool trans_a = node.attrs().GetInt("transA", 0) != 0;
  const bool trans_b = node.attrs().GetInt("transB", 0) != 0;
  GemmPlan plan;
  plan.m = trans_a ? a[1] : a[0];
  plan.k = trans_a ? a[0] : a[1];
  const int64_t kb = trans_b ? b[1] : b[0];
  plan.n = trans_b ? b[0] : b[1];
  if (plan.k != kb) {
    return absl::InvalidArgumentError(absl::StrCat("inner dimensions differ: op(A) is [", plan.m,
                                                   ",", plan.k, "], op(B) is [", kb, ",", plan.n,
                                                   "]"));
  }
  if (c != nullptr) {
    // Unidirectional broadcast of C to [M, N].
    const Shape target = {plan.m, plan.n};
    bool ok = c->size() <= 2;
    for (size_t i = 0; ok && i < c->size(); ++i) {
      const int64_t d = (*c)[c->size() - 1 - i];
      ok = d == 1 || d == target[1 - i];
    }
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("C ", ShapeToString(*c), " does not broadcast to ", ShapeToString(target)));
    }
  }
  return plan;
}

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
    absl::StatusOr<GemmPlan> plan =
        PlanGemm(node, InputType(node, 0).shape, InputType(node, 1).shape,
                 c == nullptr ? nullptr : &c->type().shape);
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = DType::kFloat32;
    outputs[0].shape = {plan->m, plan->n};
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& a = *inputs[0];
    const Tensor& b = *inputs[1];
    const Tensor* c = inputs.size() > 2 ? inputs[2] : nullptr;
    absl::StatusOr<GemmPlan> plan =
        PlanGemm(node, a.shape(), b.shape(), c == nullptr ? nullptr : &c->shape());
    if (!plan.ok()) return plan.status();
    kernels::GemmParams params;
    params.alpha = node.attrs().GetFloat("alpha", 1.f);
    params.beta = node.attrs().GetFloat("beta", 1.f);
    params.trans_a = node.attrs().GetInt("transA", 0) != 0;
    params.trans_b = node.attrs().GetInt("transB", 0) != 0;
    Tensor y(DType::kFloat32, {plan->m, plan->n});
    kernels::Gemm(params, plan->m, plan->n, plan->k, a.data<float>(), b.data<float>(),
                  c == nullptr ? nullptr : c->data<float>(), c == nullptr ? Shape{} : c->shape(),
                  y.data<float>());
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(Gemm,
                    qarith::WithArithmeticQuant<qparams::Requant>(GemmSchema(), qarith::PrepareGemm,
                                                                  qarith::GemmKernel));

}  // namespace
}  // namespace openbpu::ops
