// Writes the simulator's hand-written example programs (simulator/test_programs*.cc) as
// self-contained assembly files with their DDR input and expected output, for `bpu sim`
// and the quickstart: OUT_DIR/NAME.s, NAME.input.bin, NAME.expected.bin.
#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "isa/assembler.h"
#include "simulator/test_programs.h"

namespace {

bool Write(const std::string& path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_example_programs OUT_DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  for (const auto& t : openbpu::sim::testing::AllTestPrograms()) {
    absl::StatusOr<openbpu::isa::Program> program = openbpu::sim::testing::Build(t);
    if (!program.ok()) {
      std::fprintf(stderr, "%s: %s\n", t.name.c_str(), program.status().ToString().c_str());
      return 1;
    }
    const std::string text = absl::StrCat("# ", t.name, " (simulator/test_programs_*.cc)\n",
                                          openbpu::isa::DisassembleProgram(*program));
    const std::string base = absl::StrCat(dir, "/", t.name);
    if (!Write(base + ".s", text.data(), text.size()) ||
        !Write(base + ".input.bin", t.input.data(), t.input.size()) ||
        !Write(base + ".expected.bin", t.expected.data(), t.expected.size())) {
      std::fprintf(stderr, "cannot write %s.*\n", base.c_str());
      return 1;
    }
  }
  return 0;
}
