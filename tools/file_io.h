// Whole-file reads and writes for the bpu subcommands, with errors that name the path.
#ifndef OPENBPU_TOOLS_FILE_IO_H_
#define OPENBPU_TOOLS_FILE_IO_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace openbpu::tools {

// NOT_FOUND when the file cannot be opened, DATA_LOSS when reading fails.
absl::StatusOr<std::string> ReadFile(const std::string& path);
// INTERNAL when the file cannot be written.
absl::Status WriteFile(const std::string& path, absl::string_view bytes);

}  // namespace openbpu::tools

#endif  // OPENBPU_TOOLS_FILE_IO_H_
