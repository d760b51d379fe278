// Run statistics (cycles, latency, per-unit busy time, DDR traffic, per-layer totals) and the
// Chrome trace-event JSON of a schedule.
#ifndef OPENBPU_SIMULATOR_STATS_H_
#define OPENBPU_SIMULATOR_STATS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "simulator/timing.h"

namespace openbpu::sim {

struct UnitStats {
  uint64_t busy_cycles = 0;  // summed over the cores (each core's unit: the union of its spans)
  uint64_t instructions = 0;
  double utilization = 0;  // busy / (total cycles x cores)
};

struct LayerStats {
  int32_t id = -1;
  std::string name;
  uint64_t instructions = 0;
  uint64_t first_start = 0;  // cycle the layer's first instruction started
  uint64_t last_end = 0;     // cycle its last instruction completed
  std::array<uint64_t, kNumUnits> busy_cycles = {};
  uint64_t compute_cycles = 0;     // TAE + VAE + AAE busy cycles ("computing cost (no DDR)")
  uint64_t load_store_cycles = 0;  // LOAD + STORE busy cycles
  uint64_t macs = 0;
  uint64_t ddr_loaded_bytes = 0;
  uint64_t ddr_stored_bytes = 0;
};

struct SimStats {
  uint64_t total_cycles = 0;
  double clock_mhz = 0;
  double latency_us = 0;
  uint64_t instructions = 0;
  uint64_t macs = 0;
  uint64_t ddr_loaded_bytes = 0;
  uint64_t ddr_stored_bytes = 0;
  int cores = 1;  // the program's cores (ISA 1.2 instruction streams)
  std::array<UnitStats, kNumUnits> units;
  std::vector<std::array<UnitStats, kNumUnits>> core_units;  // per core (cores > 1 only)
  std::vector<LayerStats> layers;  // by layer id; instructions without a layer are left out
};

SimStats ComputeStats(const std::vector<SimOp>& ops, const Schedule& schedule, double clock_mhz,
                      const std::map<int32_t, std::string>& layer_names);

// Chrome trace-event format ("X" complete events, microseconds at the march clock), one
// process per core ("BPU core K") with one thread track per unit, readable by chrome://tracing and
// ui.perfetto.dev.
std::string ChromeTraceJson(const std::vector<SimOp>& ops, const Schedule& schedule,
                            double clock_mhz, const std::map<int32_t, std::string>& layer_names);

// A human-readable summary (one line per unit, per layer).
std::string StatsSummary(const SimStats& stats);

}  // namespace openbpu::sim

#endif  // OPENBPU_SIMULATOR_STATS_H_
