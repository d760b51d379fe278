// Helpers of the table-op family's quantized kernels (docs/NUMERICS.md, "Lookup tables",
// "SegmentLUT", "Softmax", "LayerNorm"): unary table ops (int8 256-entry table, int16
// SegmentLUT), the error bound each table op asserts, and quantization lookups.
#ifndef OPENBPU_COMPILER_OPS_QUANT_TABLE_UTIL_H_
#define OPENBPU_COMPILER_OPS_QUANT_TABLE_UTIL_H_

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/tensor.h"
#include "compiler/ir/graph.h"
#include "compiler/ir/op_registry.h"
#include "isa/numerics/requantize.h"
#include "isa/numerics/segment_lut.h"

namespace openbpu::ops::qtable {

// The worst error, in output LSBs against the float function fake-quantized with the
// output scale, that op `op` asserts for activations of `dtype` (int8: 1; int16: the schema's
// int16_table_error_lsb); -1 for an op that is not a table op. The agreement test and
// docs/NUMERICS.md use these.
int64_t TableErrorBound(absl::string_view op, DType dtype);

// Per-tensor quantization of input / output i: {storage, scale}; errors name the node.
absl::StatusOr<std::pair<DType, double>> InputQuant(const ir::Node& node, int i);
absl::StatusOr<std::pair<DType, double>> OutputQuant(const ir::Node& node, int i);

// [lo, hi] of int8 / int16 / int32.
std::pair<int64_t, int64_t> Range(DType storage);

// An error naming the node unless `storage` is int8, or int16 on a bayes march.
absl::Status CheckActivationStorage(const ir::Node& node, DType storage,
                                    const ir::QuantOpContext& ctx);

// The real values of constant input i (float32, or q * scale in float32 of a quantized
// constant, per-tensor or per-channel); an UNIMPLEMENTED error naming the node if not constant.
absl::StatusOr<std::vector<double>> ConstantReal(const ir::Node& node, int i);

// Builds the real function of a unary table op from the node (attributes, constant
// inputs) and its input scale; the function must be defined on every real input (domain
// handling is the op's choice, docs/NUMERICS.md "Lookup tables").
using RealFunctionFactory =
    std::function<absl::StatusOr<std::function<double(double)>>(const ir::Node&, double s_in)>;

// A factory for a function that needs nothing from the node.
inline RealFunctionFactory Fixed(std::function<double(double)> f) {
  return [f = std::move(f)](const ir::Node&,
                            double) -> absl::StatusOr<std::function<double(double)>> { return f; };
}

// Makes `s` a unary table op (qkind kTable): qprepare stores qparams::Table, an int8-input
// 256-entry table (index x + 128) or an int16-input SegmentLUT (both dividing strategies are
// fitted and the smaller worst error kept) with its measured error; qkernel only looks up.
void MakeUnaryTableOp(ir::OpSchema& s, RealFunctionFactory factory,
                      numerics::SegmentLutMirror mirror = numerics::SegmentLutMirror::kNone);

// Ceil (ceil = true) / Floor: int8 inputs use the 256-entry table; int16 inputs are exact
// in integers: with {m, n} the requantize record of s_in, k = floor(q * m * 2^-n) (Floor)
// or -floor(-q * m * 2^-n) (Ceil), y = Requantize(k, record of 1 / s_out) -- a SegmentLUT
// cannot follow a step function (qparams::Rounding).
void MakeRoundingOp(ir::OpSchema& s, bool ceil);

// Reciprocal / Sqrt / Log: int8 inputs use the 256-entry table; int16 inputs use the
// normalized reciprocal / rsqrt / log2 tables instead of a SegmentLUT (which cannot follow
// the pole of 1/x or the infinite slopes of sqrt and log at 0). With {m, n} the record of
// 1 / (s_in s_out), sqrt(s_in) / s_out or ln 2 / (2^23 s_out):
//   Reciprocal: {rec, e} = Reciprocal(|q|), y = round(sign(q) rec m 2^-(n + e)); q = 0: hi;
//   Sqrt: {rs, e} = Rsqrt(q), y = round(q rs m 2^-(n + e)); q <= 0: 0;
//   Log: y = round(Log2Fixed(q) m 2^-n + O 2^-24), O = round(ln(s_in) / s_out 2^24)
//        (qparams::NormTable's log_offset); q <= 0: lo.
enum class NormalizedFunction { kReciprocal, kSqrt, kLog };
void MakeNormalizedInt16Op(ir::OpSchema& s, RealFunctionFactory factory,
                           numerics::SegmentLutMirror mirror, NormalizedFunction fn);

// A tensor of `storage` dtype (int8/int16/int32) from values in its range.
Tensor IntTensor(DType storage, const Shape& shape, const std::vector<int64_t>& values);

}  // namespace openbpu::ops::qtable

#endif  // OPENBPU_COMPILER_OPS_QUANT_TABLE_UTIL_H_
