// Shared by the three files of compiler/ops/qparams.h's implementation: the field naming of the
// one HBIR encoding and the range checks the isa defines.
#ifndef OPENBPU_COMPILER_OPS_QPARAMS_INTERNAL_H_
#define OPENBPU_COMPILER_OPS_QPARAMS_INTERNAL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "compiler/ir/graph.h"
#include "isa/numerics/requantize.h"
#include "isa/numerics/segment_lut.h"

namespace openbpu::ops::qparams::internal {

// "<family>.<field>".
std::string Key(absl::string_view family, absl::string_view field);
// True when the node has any "<family>." field.
bool HasFamily(const ir::Node& node, absl::string_view family);

// isa::CheckRecord of each record, the error naming `what` and the index.
absl::Status CheckRecords(absl::Span<const numerics::RequantizeRecord> records,
                          absl::string_view what);
absl::Status CheckLength(size_t got, size_t want, absl::string_view what);
// The vae.lut16 image's checked unpacker is the isa's definition of a valid SegmentLUT.
absl::Status CheckSegmentLut(const numerics::SegmentLut& lut);

}  // namespace openbpu::ops::qparams::internal

#endif  // OPENBPU_COMPILER_OPS_QPARAMS_INTERNAL_H_
