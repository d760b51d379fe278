#include "common/runfiles_list.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace openbpu::testing {

std::string RunfilesPath(absl::string_view path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/",
                      workspace != nullptr ? workspace : "openbpu", "/", path);
}

absl::StatusOr<std::set<std::string>> ReadNameList(absl::string_view path) {
  std::ifstream in(RunfilesPath(path));
  if (!in.good()) return absl::NotFoundError(absl::StrCat(path, " not found in the runfiles"));
  std::set<std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') names.insert(line);
  }
  return names;
}

}  // namespace openbpu::testing
