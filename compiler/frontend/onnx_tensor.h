// Conversion of ONNX TensorProto (initializers, Constant values, the .pb files
// of ONNX backend tests) to Tensor.
#ifndef OPENBPU_COMPILER_FRONTEND_ONNX_TENSOR_H_
#define OPENBPU_COMPILER_FRONTEND_ONNX_TENSOR_H_

#include "absl/status/statusor.h"
#include "common/tensor.h"
#include "onnx/onnx_pb.h"

namespace openbpu::frontend {

// ONNX TensorProto.DataType code -> DType; unsupported codes are UNIMPLEMENTED.
absl::StatusOr<DType> DTypeFromOnnx(int onnx_type);
int OnnxFromDType(DType dtype);

// Reads raw_data or the typed fields; external data, strings and float16 are
// UNIMPLEMENTED, a size mismatch is INVALID_ARGUMENT.
absl::StatusOr<Tensor> TensorFromOnnx(const onnx::TensorProto& proto);

}  // namespace openbpu::frontend

#endif  // OPENBPU_COMPILER_FRONTEND_ONNX_TENSOR_H_
