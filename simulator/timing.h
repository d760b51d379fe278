// The event-driven timing engine: one in-order queue per unit, dependency tokens between
// queues, closed-form costs, a DDR channel shared by LOAD and STORE, force-serial mode and a
// deadlock detector. It knows nothing of instruction encodings: the simulator lowers each
// instruction to a SimOp (unit, cost, tokens, byte accesses) and supplies the functional
// effect through a callback run in event order.
#ifndef OPENBPU_SIMULATOR_TIMING_H_
#define OPENBPU_SIMULATOR_TIMING_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "simulator/memory.h"

namespace openbpu::sim {

enum class Unit : uint8_t { kLoad = 0, kStore, kTae, kVae, kAae };
inline constexpr int kNumUnits = 5;
const char* UnitName(Unit unit);
// ISA 1.2: every core has its own five queues; queue index = core * kNumUnits + unit.
inline constexpr int kMaxCores = 4;
inline constexpr int kMaxQueues = kMaxCores * kNumUnits;

// Byte ranges one instruction reads or writes in one memory (sorted by begin once the
// hazard checker has seen them).
struct Access {
  Space space = Space::kDdr;
  bool write = false;
  std::vector<ByteRange> ranges;
};

struct SimOp {
  Unit unit = Unit::kTae;
  uint8_t core = 0;        // the BPU core whose queue runs it (ISA 1.2)
  int64_t index = 0;       // instruction index in the program (for errors and the trace)
  int32_t layer_id = -1;   // -1: no layer
  std::string name;        // mnemonic
  uint64_t cycles = 0;     // unit occupancy besides the DDR transfer (closed form)
  uint64_t ddr_bytes = 0;  // bytes crossing the shared DDR channel (statistics)
  // Channel bytes the transfer occupies (whole bursts per contiguous run; 0: ddr_bytes).
  uint64_t ddr_charged_bytes = 0;
  bool ddr_write = false;    // true for STORE (SRAM -> DDR)
  uint64_t macs = 0;         // statistics only
  bool zero_time = false;    // may take 0 cycles (sync); others take at least 1
  std::vector<int> waits;    // token channels popped (one token each) before starting
  std::vector<int> signals;  // token channels pushed when the instruction completes
  std::vector<Access> accesses;
  int queue() const { return core * kNumUnits + static_cast<int>(unit); }
};

struct TimingConfig {
  double ddr_bytes_per_cycle = 16.0;  // shared by LOAD and STORE of every core
  uint64_t ddr_latency_cycles = 100;  // first byte latency of every DMA
  // DMAs a LOAD / STORE queue keeps in flight: the next starts while earlier ones wait out their
  // latency (their transfers still take turns on the channel; they complete in order).
  int dma_outstanding = 1;
  int num_channels = 0;                          // token channels; SimOp waits/signals index them
  std::vector<int> initial_tokens;               // per channel (empty = all 0)
  bool force_serial = false;                     // one instruction at a time, in program order
  uint64_t max_cycles = UINT64_MAX / 4;          // budget: exceeding it is RESOURCE_EXHAUSTED
  std::function<std::string(int)> channel_name;  // for deadlock reports (optional)
  int64_t max_tokens = INT64_MAX;  // a channel count above this is FAILED_PRECONDITION
};

// One component per queue (core * kNumUnits + unit): vc[q] = number of queue-q instructions
// known to have completed before (happens-before) the instruction carrying the clock.
using VectorClock = std::array<uint32_t, kMaxQueues>;

struct OpTime {
  uint64_t start = 0;
  uint64_t end = 0;
};

struct Schedule {
  std::vector<OpTime> times;         // per op
  std::vector<int32_t> start_order;  // op indices in the order they started
  uint64_t total_cycles = 0;
};

// Called once per op when it starts, in event order (not program order). `vc` is the op's
// vector clock, vc[op.queue()] its own 1-based position in its queue. A non-OK status
// stops the run and is returned.
using StartCallback = std::function<absl::Status(int op, const VectorClock& vc)>;

// Ops are issued to their unit's queue in vector order. Deadlock (no instruction can start
// and none is running) is FAILED_PRECONDITION naming each stuck queue's head and the
// channels it waits on.
absl::StatusOr<Schedule> RunTiming(const std::vector<SimOp>& ops, const TimingConfig& config,
                                   const StartCallback& on_start);

// The DDR transfer time of `bytes` (ceil(bytes / bandwidth)).
uint64_t DdrTransferCycles(uint64_t bytes, double bytes_per_cycle);

}  // namespace openbpu::sim

#endif  // OPENBPU_SIMULATOR_TIMING_H_
