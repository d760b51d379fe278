// Control instructions (ISA.md §4, "Control"): sync, a dependency-only instruction of the queue
// its field names that takes no time, xsync (ISA 1.2), which also signals another core, and end,
// which goes to no queue.
#include "simulator/units.h"

namespace openbpu::sim::units {

absl::StatusOr<Lowered> Lower(const isa::Sync&, Lowering&) {
  Lowered out;
  out.zero_time = true;
  out.cycles = 0;
  return out;
}

// ISA 1.2: occupies its queue for the march's cross-core sync cost; the simulator adds the other
// core's semaphore to its signals.
absl::StatusOr<Lowered> Lower(const isa::XSync&, Lowering& ctx) {
  Lowered out;
  out.cycles = static_cast<uint64_t>(ctx.march.core_sync_cycles.value);
  return out;
}

absl::StatusOr<Lowered> Lower(const isa::End&, Lowering&) {
  Lowered out;
  out.queued = false;
  out.cycles = 0;
  return out;
}

}  // namespace openbpu::sim::units
