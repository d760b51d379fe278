// The program container (isa/ISA.md, "Program container"): header with ISA version and march,
// layer table, 128-bit instruction words and the parameter blob; serialization and a parser
// that rejects corrupt bytes with a clear error instead of crashing.
#ifndef OPENBPU_ISA_PROGRAM_H_
#define OPENBPU_ISA_PROGRAM_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "isa/instruction.h"
#include "isa/march.h"

namespace openbpu::isa {

inline constexpr char kProgramMagic[4] = {'O', 'B', 'P', 'U'};
inline constexpr int kProgramHeaderBytes = 56;

struct Program {
  uint16_t version_major = kIsaVersionMajor;
  uint16_t version_minor = kIsaVersionMinor;
  MarchId march = MarchId::kBernoulli2;
  // ISA 1.2: instruction streams, one per BPU core (at most the march's cores). `instructions`
  // holds them back to back, each ending with its `end`: core k runs the words after the k-th
  // `end`. Header byte 9 stores cores - 1.
  uint8_t cores = 1;
  uint64_t ddr_input_bytes = 0;
  uint64_t ddr_output_bytes = 0;
  uint64_t ddr_scratch_bytes = 0;
  std::map<uint16_t, std::string> layers;  // layer id -> name
  std::vector<Instruction> instructions;   // the last one is `end`
  std::vector<uint8_t> params;             // DDR param region contents

  bool operator==(const Program&) const = default;
};

// Program-level rules (ISA.md §6 items 7, 9-12) on an in-memory program.
absl::Status ValidateProgram(const Program& program);

// Validates, then encodes. Errors name the offending instruction index.
absl::StatusOr<std::vector<uint8_t>> SerializeProgram(const Program& program);

// Every rule of ISA.md §6; never crashes or over-allocates on corrupt bytes.
absl::StatusOr<Program> ParseProgram(absl::Span<const uint8_t> bytes);

}  // namespace openbpu::isa

#endif  // OPENBPU_ISA_PROGRAM_H_
