// Helpers of the exact-op family's quantized kernels (docs/NUMERICS.md, "Exact
// ops", "Resize", "Max/min/compare"): value quantization lookups, requantize
// records stored in Node::qparams, and rounding float constants to a grid the
// way fake quantization does.
#ifndef OPENBPU_COMPILER_OPS_QUANT_EXACT_UTIL_H_
#define OPENBPU_COMPILER_OPS_QUANT_EXACT_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/tensor.h"
#include "compiler/ir/graph.h"
#include "compiler/ir/op_registry.h"
#include "compiler/ops/quant_util.h"
#include "isa/numerics/requantize.h"
#include "isa/records.h"

namespace openbpu::ops::qexact {

// [lo, hi] of an int8 / int16 / int32 storage dtype; InvalidArgument otherwise.
using qarith::StorageRange;

// The per-tensor scale of input / output `i` of `node` (an error naming the
// node if the value has no quantization or is per-channel).
absl::StatusOr<float> InputScale(const ir::Node& node, int i);
absl::StatusOr<float> OutputScale(const ir::Node& node, int i);

// Whether input i is present and carries a QuantInfo.
bool InputIsQuantized(const ir::Node& node, int i);

// MakeRequantizeRecord with errors naming the node.
absl::StatusOr<numerics::RequantizeRecord> MakeRecord(const ir::Node& node, double real);

// x on the grid of `scale` exactly as fake quantization computes it (float32
// x * (1.0f / scale), round half to even, saturate to [lo, hi]; NaN gives 0).
int64_t QuantizeLikeFakeQuant(float x, float scale, int64_t lo, int64_t hi);

// The real values of constant input i: a float32 constant's values, or q * s
// of a quantized constant (per-tensor or per-channel scales), in double. Null
// input: empty. A non-constant input is an UNIMPLEMENTED error naming the node.
absl::StatusOr<std::vector<double>> ConstantRealValues(const ir::Node& node, int i);

// A tensor of `storage` dtype from values already in its range.
Tensor IntTensor(DType storage, const Shape& shape, const std::vector<int64_t>& values);

// out[i] = fn(x[i]) for an int8 / int16 / int32 tensor; fn maps int64 to int64
// and must stay in the storage range. The output has x's dtype and shape.
template <typename Fn>
absl::StatusOr<Tensor> MapStorage(const Tensor& x, Fn fn) {
  Tensor out(x.dtype(), x.shape());
  auto run = [&](auto tag) {
    using T = decltype(tag);
    const T* src = x.data<T>();
    T* dst = out.data<T>();
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      dst[i] = static_cast<T>(fn(static_cast<int64_t>(src[i])));
    }
  };
  switch (x.dtype()) {
    case DType::kInt8:
      run(int8_t());
      break;
    case DType::kInt16:
      run(int16_t());
      break;
    case DType::kInt32:
      run(int32_t());
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("quantized input must be int8, int16 or int32, got ", DTypeName(x.dtype())));
  }
  return out;
}

// Output i's storage dtype, or an error naming the node if it is not quantized.
absl::StatusOr<DType> OutputStorage(const ir::Node& node, int i);

// Max / Min of quantized inputs: each input's records "input" (s_i / s_out,
// one per input) requantize it to the output scale, then the broadcast
// elements fold with max (is_max) or min.
absl::Status PrepareRequantizeInputs(ir::Node& node, absl::Span<const int> inputs);
absl::Status RequantizedFold(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                             bool is_max, std::vector<Tensor>& outputs);

// Comparisons of two quantized inputs (docs/NUMERICS.md, "Max/min/compare"):
// qprepare stores each input's exact scale and the predicate (qparams::Compare); the kernel gives
// CmpHolds(predicate, CompareScaled(a, s_a, b, s_b)) per broadcast element, a bool tensor.
// Inputs without quantization run `float_kernel` (index or mask compares).
absl::Status PrepareCompare(ir::Node& node, isa::CmpPredicate predicate);
absl::Status CompareKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                           const ir::KernelFn& float_kernel, std::vector<Tensor>& outputs);

// The qprepare / qkernel of Max (is_max) or Min (kArithmetic): every input requantized to the
// output scale, then folded.
void SetRequantizedFoldQuant(ir::OpSchema& s, bool is_max);

// The qprepare / qcheck / qkernel of a comparison (kExact) built on `s.kernel` (set it first):
// `predicate` of the sign of a * s_a - b * s_b.
void SetCompareQuant(ir::OpSchema& s, isa::CmpPredicate predicate);

// The qkernel body of an elementwise map on the input's grid (Abs, Neg): fn(q) saturated to
// the storage range of x.
absl::Status SaturatedMap(const Tensor& x, int64_t (*fn)(int64_t), std::vector<Tensor>& outputs);

}  // namespace openbpu::ops::qexact

#endif  // OPENBPU_COMPILER_OPS_QUANT_EXACT_UTIL_H_
