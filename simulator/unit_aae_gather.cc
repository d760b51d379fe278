// The AAE's ISA 1.1 gather with run-time indices (isa/ISA.md §4, AAE page 2): aae.gather.cfg
// and aae.gather.
#include "absl/strings/str_cat.h"
#include "simulator/units.h"

namespace openbpu::sim::units {

absl::StatusOr<Lowered> Lower(const isa::AaeGatherCfg&, Lowering&) {
  return absl::UnimplementedError("aae.gather.cfg is not executed by this simulator build yet");
}
absl::StatusOr<Lowered> Lower(const isa::AaeGather&, Lowering&) {
  return absl::UnimplementedError("aae.gather is not executed by this simulator build yet");
}

}  // namespace openbpu::sim::units
