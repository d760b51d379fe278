// Text form of BPU programs (isa/ISA.md, "Text form"): an assembler and a disassembler that
// round-trip each other; assembler errors name the line number.
#ifndef OPENBPU_ISA_ASSEMBLER_H_
#define OPENBPU_ISA_ASSEMBLER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "isa/instruction.h"
#include "isa/program.h"

namespace openbpu::isa {

// One line: `mnemonic [layer=N] [wait=A[,B]] [signal=A[,B]] field=value ...` with every field.
std::string Disassemble(const Instruction& inst);

// One instruction line (no directives); a comment after `#` or `;` is ignored. Omitted fields
// keep their reset values.
absl::StatusOr<Instruction> AssembleLine(absl::string_view line);

// Instruction lines only (blank and comment lines skipped); errors are "line N: ...".
absl::StatusOr<std::vector<Instruction>> AssembleInstructions(absl::string_view text);

// A whole program: directives `.march NAME`, `.ddr input=N output=N scratch=N`, `.layer ID NAME`
// (the rest of the line is the name), `.params HEX` (appends bytes), then instructions. The
// result is checked with ValidateProgram.
absl::StatusOr<Program> AssembleProgram(absl::string_view text);

// Directives then one line per instruction, with the layer name as a trailing comment.
std::string DisassembleProgram(const Program& program);

}  // namespace openbpu::isa

#endif  // OPENBPU_ISA_ASSEMBLER_H_
