// Hazard checker: flags any access to bytes that another instruction writes (or, for a write,
// reads) when no chain of in-order queue positions and dependency tokens orders the two —
// a missing token is caught even when the timing happened to keep the data right.
#ifndef OPENBPU_SIMULATOR_HAZARD_H_
#define OPENBPU_SIMULATOR_HAZARD_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "simulator/timing.h"

namespace openbpu::sim {

class HazardChecker {
 public:
  // `ops` must outlive the checker.
  explicit HazardChecker(const std::vector<SimOp>& ops);

  // Called when op `i` starts (timing.h's StartCallback). Returns FAILED_PRECONDITION
  // naming both instructions, the memory and the overlapping bytes on a hazard.
  absl::Status OnStart(int i, const VectorClock& vc);

  int64_t live_records() const;

 private:
  struct Record {
    int op;
    int queue;     // SimOp::queue()
    uint32_t seq;  // position in its queue (1-based)
    bool write;
    uint64_t lo, hi;                // bounding box of ranges
    std::vector<ByteRange> ranges;  // sorted by begin
  };
  void Prune();

  const std::vector<SimOp>& ops_;
  // Per memory: DDR (shared by the cores) at 0, each core's SRAMs at core * kNumSpaces + space.
  std::array<std::vector<Record>, kMaxCores * kNumSpaces> live_;
  std::array<int64_t, kMaxQueues> remaining_ = {};   // ops not yet started per queue
  std::array<VectorClock, kMaxQueues> latest_ = {};  // clock of each queue's latest start
  int queues_ = kNumUnits;  // the queues of the program's cores (Prune looks at no others)
  int64_t starts_ = 0;
};

}  // namespace openbpu::sim

#endif  // OPENBPU_SIMULATOR_HAZARD_H_
