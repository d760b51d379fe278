// Float matrix products: a blocked row-major GEMM core shared by Conv,
// ConvTranspose, Gemm and MatMul, plus the ONNX Gemm and MatMul semantics on top.
#ifndef OPENBPU_COMMON_KERNELS_GEMM_H_
#define OPENBPU_COMMON_KERNELS_GEMM_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "common/attribute.h"
#include "common/tensor.h"

namespace openbpu::kernels {

// c[m,n] = sum_k a[m,k] * b[k,n] (+ c[m,n] when `accumulate`). Row-major with
// leading dimensions lda/ldb/ldc (in elements). Each output accumulates in
// float32, k in increasing order. `c` must not alias `a` or `b`.
void MatMulRowMajor(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                    int64_t ldb, float* c, int64_t ldc, bool accumulate);

// dst[c, r] = src[r, c] for a rows x cols row-major matrix.
void Transpose2D(const float* src, int64_t rows, int64_t cols, float* dst);

// ONNX Gemm: y = alpha * op(a) * op(b) + beta * c, op = transpose when trans*.
// a is [M,K] ([K,M] if trans_a), b is [K,N] ([N,K] if trans_b); `c` may be null,
// else it has shape `c_shape` broadcastable unidirectionally to [M,N]. y is [M,N].
struct GemmParams {
  float alpha = 1.f;
  float beta = 1.f;
  bool trans_a = false;
  bool trans_b = false;
};
void Gemm(const GemmParams& params, int64_t m, int64_t n, int64_t k, const float* a, const float* b,
          const float* c, const std::vector<int64_t>& c_shape, float* y);

// Output shape of numpy matmul (1-D operands promoted, batch dims broadcast);
// InvalidArgument for mismatched inner or batch dimensions or rank-0 operands.
absl::StatusOr<std::vector<int64_t>> MatMulShape(const std::vector<int64_t>& a_shape,
                                                 const std::vector<int64_t>& b_shape);

// numpy matmul of a (a_shape) and b (b_shape) into y (MatMulShape(...) elements).
// The shapes must have passed MatMulShape.
void MatMul(const float* a, const std::vector<int64_t>& a_shape, const float* b,
            const std::vector<int64_t>& b_shape, float* y);

struct GemmPlan {
  int64_t m = 0;
  int64_t n = 0;
  int64_t k = 0;
};

// The Gemm op's sizes: A and B 2-D (attributes transA / transB), C (null when omitted)
// unidirectionally broadcastable to [M, N].
absl::StatusOr<GemmPlan> PlanGemm(const AttributeMap& attrs, const Shape& a, const Shape& b,
                                  const Shape* c);

// FusedLinear's output shape: X [..., in], W [out, in], B [out], sumin (null when omitted) of the
// output's shape [..., out].
absl::StatusOr<Shape> FusedLinearShape(const Shape& x, const Shape& w, const Shape& bias,
                                       const Shape* sumin);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_GEMM_H_
