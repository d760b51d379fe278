// Control instructions (ISA.md §4, "Control"): sync, a dependency-only instruction of the queue
// its field names that takes no time, and end, which goes to no queue.
#include "simulator/units.h"

namespace openbpu::sim::units {

absl::StatusOr<Lowered> Lower(const isa::Sync&, Lowering&) {
  Lowered out;
  out.zero_time = true;
  out.cycles = 0;
  return out;
}

absl::StatusOr<Lowered> Lower(const isa::End&, Lowering&) {
  Lowered out;
  out.queued = false;
  out.cycles = 0;
  return out;
}

}  // namespace openbpu::sim::units
