// The .hbm artifact (hbm/README.md, proto/hbm.proto): one file holding one or more compiled
// models of one march. On disk: "OBHM", uint32 LE format version, the serialized Payload, then a
// uint32 LE CRC-32 of everything before it. The compiler back end writes it; the runtime and the
// simulator read it (this package depends on isa/, proto/ and common/ only, never compiler/).
#ifndef OPENBPU_HBM_HBM_H_
#define OPENBPU_HBM_HBM_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "proto/hbm.pb.h"

namespace openbpu::hbm {

inline constexpr char kHbmMagic[4] = {'O', 'B', 'H', 'M'};
inline constexpr uint32_t kHbmFormatVersion = 1;
inline constexpr size_t kHbmPrefixBytes = 8;  // magic + format version
inline constexpr size_t kHbmCrcBytes = 4;

// The semantic rules ReadHbm applies after parsing (README.md, "Validation"): at least one model,
// unique model names, a known march, header magic and version, each model's program parses and
// is of the header's march, sane tensor descriptors inside the program's DDR regions, layer
// instruction ranges inside the program, memory-plan buffers inside their regions.
absl::Status ValidatePayload(const Payload& payload);

// Validates, then writes the file: deterministic (maps sorted), so equal payloads give equal bytes.
absl::StatusOr<std::vector<uint8_t>> WriteHbm(const Payload& payload);

// The file framing alone, without validation: prefix (magic, this format version), the given
// serialized payload bytes, CRC-32. For tests and fuzzers that need files with valid framing and
// arbitrary content; WriteHbm uses it after validating.
std::vector<uint8_t> FrameHbm(absl::Span<const uint8_t> payload_bytes);

// Checks in order: size, magic, format version, CRC, proto parse, ValidatePayload. Never crashes
// on corrupt bytes; every error says what is wrong.
absl::StatusOr<Payload> ReadHbm(absl::Span<const uint8_t> bytes);

// Merges the models of several files of one march into one payload (the first file's header).
// Errors name both files on a march mismatch and on a duplicate model name.
absl::StatusOr<Payload> Pack(const std::vector<Payload>& payloads);

}  // namespace openbpu::hbm

#endif  // OPENBPU_HBM_HBM_H_
