// Mode handling around the timing engine (see run_ops.h).
#include "simulator/run_ops.h"

#include <memory>

#include "simulator/hazard.h"

namespace openbpu::sim {

const char* ModeName(Mode mode) {
  switch (mode) {
    case Mode::kFunc:
      return "func";
    case Mode::kPerf:
      return "perf";
    case Mode::kBoth:
      return "both";
  }
  return "?";
}

absl::StatusOr<Mode> ParseMode(absl::string_view name) {
  if (name == "func") return Mode::kFunc;
  if (name == "perf") return Mode::kPerf;
  if (name == "both") return Mode::kBoth;
  return absl::InvalidArgumentError("simulator mode must be func, perf or both");
}

absl::StatusOr<RunResult> RunOps(const std::vector<SimOp>& ops, TimingConfig timing,
                                 const RunOptions& options, double clock_mhz,
                                 const std::map<int32_t, std::string>& layer_names,
                                 const ExecFn& exec) {
  timing.force_serial = options.force_serial;
  timing.max_cycles = options.max_cycles;
  std::unique_ptr<HazardChecker> hazards;
  if (options.check_hazards) hazards = std::make_unique<HazardChecker>(ops);
  const bool functional = options.mode != Mode::kPerf;
  absl::StatusOr<Schedule> schedule =
      RunTiming(ops, timing, [&](int i, const VectorClock& vc) -> absl::Status {
        if (hazards) {
          if (absl::Status st = hazards->OnStart(i, vc); !st.ok()) return st;
        }
        if (functional && exec) return exec(i);
        return absl::OkStatus();
      });
  if (!schedule.ok()) return schedule.status();
  RunResult result;
  result.schedule = *std::move(schedule);
  if (options.mode != Mode::kFunc) {
    result.stats = ComputeStats(ops, result.schedule, clock_mhz, layer_names);
    if (options.trace) {
      result.trace_json = ChromeTraceJson(ops, result.schedule, clock_mhz, layer_names);
    }
  } else {
    result.stats.instructions = ops.size();
    result.stats.clock_mhz = clock_mhz;
  }
  return result;
}

}  // namespace openbpu::sim
