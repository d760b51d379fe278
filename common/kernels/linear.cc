// Float kernels of the matrix-product ops: MatMul (numpy matmul), Gemm (ONNX Gemm-13) and
// FusedLinear (y = act(X W^T + B + sumin), made by fusion), with their planning (gemm.h); the math
// is kernels::MatMul and kernels::Gemm.
#include "absl/strings/str_cat.h"
#include "common/kernels/fused.h"
#include "common/kernels/gemm.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {

absl::StatusOr<GemmPlan> PlanGemm(const AttributeMap& attrs, const Shape& a, const Shape& b,
                                  const Shape* c) {
  if (a.size() != 2 || b.size() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("A ", ShapeToString(a), " and B ", ShapeToString(b), " must be 2-D"));
  }
  const bool trans_a = attrs.GetInt("transA", 0) != 0;
  const bool trans_b = attrs.GetInt("transB", 0) != 0;
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

namespace {

absl::Status MatMulKernel(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs) {
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  absl::StatusOr<Shape> shape = MatMulShape(a.shape(), b.shape());
  if (!shape.ok()) return shape.status();
  Tensor y(DType::kFloat32, *shape);
  MatMul(a.data<float>(), a.shape(), b.data<float>(), b.shape(), y.data<float>());
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

absl::Status GemmKernel(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                        std::vector<Tensor>& outputs) {
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  const Tensor* c = inputs.size() > 2 ? inputs[2] : nullptr;
  absl::StatusOr<GemmPlan> plan =
      PlanGemm(attrs, a.shape(), b.shape(), c == nullptr ? nullptr : &c->shape());
  if (!plan.ok()) return plan.status();
  GemmParams params;
  params.alpha = attrs.GetFloat("alpha", 1.f);
  params.beta = attrs.GetFloat("beta", 1.f);
  params.trans_a = attrs.GetInt("transA", 0) != 0;
  params.trans_b = attrs.GetInt("transB", 0) != 0;
  Tensor y(DType::kFloat32, {plan->m, plan->n});
  Gemm(params, plan->m, plan->n, plan->k, a.data<float>(), b.data<float>(),
       c == nullptr ? nullptr : c->data<float>(), c == nullptr ? Shape{} : c->shape(),
       y.data<float>());
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

// Inputs X, W, B, optional sumin.
absl::Status FusedLinear(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                         std::vector<Tensor>& outputs) {
  if (absl::Status st = CheckFusedActivation(attrs); !st.ok()) return st;
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
  GemmParams params;
  params.trans_b = true;
  Gemm(params, m, n, k, x.data<float>(), w.data<float>(), bias.data<float>(), {n}, y.data<float>());
  ApplyFusedEpilogue(attrs, sumin, y);
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

OPENBPU_REGISTER_FLOAT_KERNEL(MatMul, "MatMul", MatMulKernel);
OPENBPU_REGISTER_FLOAT_KERNEL(Gemm, "Gemm", GemmKernel);
OPENBPU_REGISTER_FLOAT_KERNEL(FusedLinear, "FusedLinear", FusedLinear);

}  // namespace
}  // namespace openbpu::kernels
