// The model openbpu-server and `bpu serve` serve when they are given none: the digits CNN of the
// quantization tests (tests/models, trained on scikit-learn's digits; 8x8 grey images, 10 classes),
// compiled for bayes at O2 into runtime/server/digits.hbm and built into the binary, so that the
// command works out of the box. Regenerate the .hbm after a format change with
//   bazel build //tools:bpu //tests/models:quant_data && bazel-bin/tools/bpu compile \
//     bazel-bin/tests/models/digits.onnx --calib bazel-bin/tests/models/digits_calib.npy \
//     --march bayes --opt O2 -o runtime/server/digits.hbm
// (server_test checks that it loads and that its outputs are `bpu run`'s on the same file).
#ifndef OPENBPU_RUNTIME_SERVER_BUNDLED_MODEL_H_
#define OPENBPU_RUNTIME_SERVER_BUNDLED_MODEL_H_

#include <cstdint>

#include "absl/types/span.h"

namespace openbpu::server {

inline constexpr char kBundledModelName[] = "digits";

// The bundled model's .hbm bytes (static storage).
absl::Span<const uint8_t> BundledModel();

}  // namespace openbpu::server

#endif  // OPENBPU_RUNTIME_SERVER_BUNDLED_MODEL_H_
