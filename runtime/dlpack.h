// DLPack (Debian's libdlpack-dev) for the runtime: run a model on DLTensor inputs and get its
// outputs as DLManagedTensor, without copies where the layout allows.
//
// Inputs (CPU tensors, any strides):
//   - float32 in the model input's valid shape: quantized straight from the tensor's memory (the
//     QuantStub of Model::Run), no intermediate copy;
//   - the stored integers (TensorInfo::dtype) in the stored (aligned) shape, contiguous: used as
//     they are (BPU_RAW), no copy at all.
// Outputs: DLManagedTensor that own their memory (the deleter frees it): float32 in the valid
// shape (dequantized, as Model::Run returns them), or with `raw_outputs` the stored integers in
// the aligned shape. The caller calls each one's deleter.
#ifndef OPENBPU_RUNTIME_DLPACK_H_
#define OPENBPU_RUNTIME_DLPACK_H_

#include <vector>

#include "absl/status/statusor.h"
#include "common/tensor.h"
#include "dlpack/dlpack.h"
#include "runtime/runtime.h"

namespace openbpu::runtime {

absl::StatusOr<std::vector<DLManagedTensor*>> RunDLPack(const Model& model,
                                                        const std::vector<const DLTensor*>& inputs,
                                                        const RunOptions& options = {},
                                                        RunStats* stats = nullptr,
                                                        bool raw_outputs = false);

// A Tensor handed over to DLPack (moved, not copied); the deleter frees it.
DLManagedTensor* ToDLPack(Tensor tensor);
// The DType of a DLPack dtype, or INVALID_ARGUMENT.
absl::StatusOr<DType> FromDLDataType(DLDataType t);

}  // namespace openbpu::runtime

#endif  // OPENBPU_RUNTIME_DLPACK_H_
