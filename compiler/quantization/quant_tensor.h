// Float <-> integer conversion of whole tensors under an ir::QuantInfo (symmetric, zero point 0):
// what convert uses for constants and what the harness and similarity reports use to compare.
#ifndef OPENBPU_COMPILER_QUANTIZATION_QUANT_TENSOR_H_
#define OPENBPU_COMPILER_QUANTIZATION_QUANT_TENSOR_H_

#include "absl/status/statusor.h"
#include "common/tensor.h"
#include "compiler/ir/graph.h"
#include "compiler/quantization/qconfig.h"

namespace openbpu::quantization {

// float32 -> storage. int8/int16: q = clamp(R(x * (1.0f / s)), qmin, qmax) in float32 as
// FakeQuantize (so dequantizing gives FakeQuantize's output bit for bit). int32 (bias): q =
// clamp(rne(double(x) / double(s)), int32) — float32 cannot hold large int32 values exactly.
// Errors: x not float32, bad scale count for the axis, a scale not finite and > 0.
absl::StatusOr<Tensor> QuantizeTensor(const Tensor& x, const ir::QuantInfo& quant,
                                      Rounding rounding = Rounding::kHalfToEven);

// storage -> float32: q * s (one float32 product; exact for int8/int16 up to the scale's rounding).
absl::StatusOr<Tensor> DequantizeTensor(const Tensor& q, const ir::QuantInfo& quant);

// QDType of a storage dtype (int8 -> qint8, ...); InvalidArgument for others.
absl::StatusOr<QDType> QDTypeOfStorage(DType storage);

// "int8 s=0.0123" / "int8 per-channel(axis 0, 64 scales)".
std::string QuantInfoToString(const ir::QuantInfo& quant);

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_QUANT_TENSOR_H_
