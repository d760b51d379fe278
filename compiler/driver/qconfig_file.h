// The qconfig file (proto/qconfig.proto): quantization options, the seed's hybrid_dict among
// them, as JSON, parsed by protobuf's JSON parser.
#ifndef OPENBPU_COMPILER_DRIVER_QCONFIG_FILE_H_
#define OPENBPU_COMPILER_DRIVER_QCONFIG_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "compiler/driver/quantize.h"

namespace openbpu::driver {

// Reads `path` into `options`: the file's scalars are set where given (an empty string keeps
// the option's value), its lists appended. Errors name the file: unreadable, not valid JSON, an
// unknown field.
absl::Status ApplyQConfigFile(const std::string& path, QuantizeOptions& options);

}  // namespace openbpu::driver

#endif  // OPENBPU_COMPILER_DRIVER_QCONFIG_FILE_H_
