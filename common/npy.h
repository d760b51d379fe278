// Reading and writing NumPy .npy files (format versions 1.0-3.0, little-endian,
// C order) for calibration data, model inputs and reference outputs.
#ifndef OPENBPU_COMMON_NPY_H_
#define OPENBPU_COMMON_NPY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/tensor.h"

namespace openbpu {

// Parses the bytes of a .npy file. Malformed, big-endian or Fortran-order data
// is an InvalidArgument error; the bytes are never trusted beyond their length.
absl::StatusOr<Tensor> ParseNpy(absl::string_view bytes);
absl::StatusOr<Tensor> ReadNpy(const std::string& path);

std::string SerializeNpy(const Tensor& tensor);
absl::Status WriteNpy(const std::string& path, const Tensor& tensor);

}  // namespace openbpu

#endif  // OPENBPU_COMMON_NPY_H_
