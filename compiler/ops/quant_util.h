// Quantized kernels of the arithmetic family (docs/NUMERICS.md, "Add", "Mul",
// "Conv and linear", "Concat", "Average pooling and mean"): parameter
// derivation for qprepare and the integer kernels the op files register.
#ifndef OPENBPU_COMPILER_OPS_QUANT_UTIL_H_
#define OPENBPU_COMPILER_OPS_QUANT_UTIL_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/tensor.h"
#include "compiler/ir/graph.h"
#include "compiler/ir/op_registry.h"
#include "compiler/ops/conv_attrs.h"
#include "compiler/ops/qparams.h"
#include "isa/numerics/requantize.h"

namespace openbpu::ops::qarith {

// [lo, hi] of int8 / int16 / int32 storage; InvalidArgument otherwise.
absl::StatusOr<std::pair<int64_t, int64_t>> StorageRange(DType storage);

// The quantization of value `v`, input / output ("what") `i` of `node`, which must be per-tensor
// with a finite positive scale (InvalidArgument naming the node otherwise). Shared by the exact
// and table families.
absl::StatusOr<const ir::QuantInfo*> PerTensorQuant(const ir::Node& node, const ir::Value* v,
                                                    absl::string_view what, int i);

// Add / Sub (march picks the bayes or bernoulli2 formula) and Mul, with numpy
// broadcasting of two int8 / int16 inputs.
absl::Status PrepareAdd(ir::Node& node, const ir::QuantOpContext& ctx, bool subtract);
absl::Status AddKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                       std::vector<Tensor>& outputs);
absl::Status PrepareMul(ir::Node& node, const ir::QuantOpContext& ctx);
absl::Status MulKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                       std::vector<Tensor>& outputs);

// Conv / FusedConv (X, W, [B], [sumin]) and FusedLinear (X, W, B, [sumin]).
absl::Status PrepareConv(ir::Node& node, const ir::QuantOpContext& ctx);
absl::Status ConvKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                        std::vector<Tensor>& outputs);
// ConvTranspose (X, W [C, M/group, kernel...], [B]): W per column j of axis 1
// (WeightChannelAxis), one scale shared by every group, so output channel
// g * (M/group) + j uses s_w[j]; bias and output per output channel as for
// Conv. `plan` is the op's shape function (kernels::ConvGeometry of the float op).
absl::Status PrepareConvTranspose(ir::Node& node, const ir::QuantOpContext& ctx);
absl::Status ConvTransposeKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                 ConvPlanFn plan, std::vector<Tensor>& outputs);
absl::Status PrepareLinear(ir::Node& node, const ir::QuantOpContext& ctx);
absl::Status LinearKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs);
// Gemm (fusion leaves a lone Gemm unfused) with alpha = beta = 1: A an
// activation, B an int8 weight, C an int32 bias of scale s_a * s_b[c].
absl::Status PrepareGemm(ir::Node& node, const ir::QuantOpContext& ctx);
absl::Status GemmKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                        std::vector<Tensor>& outputs);
// MatMul of two quantized inputs (B may be a constant with per-column scales).
absl::Status PrepareMatMul(ir::Node& node, const ir::QuantOpContext& ctx);
absl::Status MatMulKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs);

// Concat: every input requantized to the output scale.
absl::Status PrepareConcat(ir::Node& node, const ir::QuantOpContext& ctx);
absl::Status ConcatKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs);

// AveragePool, GlobalAveragePool, ReduceMean, ReduceSum: int64 sums
// requantized by s_in / (divisor * s_out).
absl::Status PrepareAveragePool(ir::Node& node, const ir::QuantOpContext& ctx);
absl::Status AveragePoolKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                               std::vector<Tensor>& outputs);
absl::Status PrepareGlobalAveragePool(ir::Node& node, const ir::QuantOpContext& ctx);
absl::Status GlobalAveragePoolKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                     std::vector<Tensor>& outputs);
absl::Status PrepareReduce(ir::Node& node, const ir::QuantOpContext& ctx, bool mean);
absl::Status ReduceKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs);

// `s` with qkind kArithmetic, the given qprepare / qkernel, and the qcheck of parameter family
// `Family` (compiler/ops/qparams.h).
template <typename Family>
ir::OpSchema WithArithmeticQuant(ir::OpSchema s, ir::QuantPrepareFn prepare,
                                 ir::QuantKernelFn kernel) {
  s.qkind = ir::QuantKind::kArithmetic;
  s.qprepare = std::move(prepare);
  s.qcheck = qparams::CheckFn<Family>();
  s.qkernel = std::move(kernel);
  return s;
}

}  // namespace openbpu::ops::qarith

#endif  // OPENBPU_COMPILER_OPS_QUANT_UTIL_H_
