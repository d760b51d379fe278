// Test support: files a test reads from its runfiles, and the committed name lists (allowlists)
// the coverage tests keep: one name per line, '#' starts a comment line.
#ifndef OPENBPU_COMMON_RUNFILES_LIST_H_
#define OPENBPU_COMMON_RUNFILES_LIST_H_

#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace openbpu::testing {

// TEST_SRCDIR/TEST_WORKSPACE/`path` (`path` relative to the workspace root).
std::string RunfilesPath(absl::string_view path);

// The names listed in the runfile `path`; NOT_FOUND when it cannot be read.
absl::StatusOr<std::set<std::string>> ReadNameList(absl::string_view path);

}  // namespace openbpu::testing

#endif  // OPENBPU_COMMON_RUNFILES_LIST_H_
