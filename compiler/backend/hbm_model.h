// A compiled model as an .hbm model entry (proto/hbm.proto) and a one-model payload.
#ifndef OPENBPU_COMPILER_BACKEND_HBM_MODEL_H_
#define OPENBPU_COMPILER_BACKEND_HBM_MODEL_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "compiler/backend/compile.h"
#include "proto/hbm.pb.h"

namespace openbpu::backend {

// The toolkit version written into .hbm headers.
inline constexpr char kToolkitVersion[] = "openbpu 0.1";

// `d` as an .hbm descriptor: dense (aligned = valid shape), SCALE quantization with its scales,
// NONE for bool / int64 and for a value without scales (a hybrid model's float values).
absl::Status DescribeTensor(const TensorDesc& d, hbm::TensorDesc* out);

// Descriptors (NHWC in DDR, SCALE quantization), the serialized program, the memory plan and the
// layer table of `model`, named `name`.
absl::StatusOr<hbm::Model> ToHbmModel(const CompiledModel& model, const std::string& name);

// A payload holding `model` for `march`, with the full compile options in the header.
absl::StatusOr<hbm::Payload> ToHbmPayload(const CompiledModel& model, const std::string& name,
                                          const std::string& march,
                                          const std::map<std::string, std::string>& options);
// The same for a model already in .hbm form (a hybrid model, hybrid.h).
absl::StatusOr<hbm::Payload> ToHbmPayload(hbm::Model model, const std::string& march,
                                          const std::map<std::string, std::string>& options);

}  // namespace openbpu::backend

#endif  // OPENBPU_COMPILER_BACKEND_HBM_MODEL_H_
