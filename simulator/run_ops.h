// Runs lowered instructions (SimOps) in a mode: timing events drive the order, the hazard
// checker watches every start, and the functional callback executes data in that order
// (never in perf mode).
#ifndef OPENBPU_SIMULATOR_RUN_OPS_H_
#define OPENBPU_SIMULATOR_RUN_OPS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "simulator/stats.h"
#include "simulator/timing.h"

namespace openbpu::sim {

// func: data only (cycles are still what orders execution, but not reported);
// perf: cycles only, data never read or written; both: data and cycles.
enum class Mode { kFunc, kPerf, kBoth };
const char* ModeName(Mode mode);
absl::StatusOr<Mode> ParseMode(absl::string_view name);

struct RunOptions {
  Mode mode = Mode::kBoth;
  bool force_serial = false;
  bool check_hazards = true;
  uint64_t max_cycles = uint64_t{1} << 40;
  bool trace = false;  // fill RunResult::trace_json
};

struct RunResult {
  Schedule schedule;
  SimStats stats;  // zero cycles in func mode
  std::string trace_json;
};

// Functional effect of op `i` (called in event order in func and both modes).
using ExecFn = std::function<absl::Status(int op)>;

absl::StatusOr<RunResult> RunOps(const std::vector<SimOp>& ops, TimingConfig timing,
                                 const RunOptions& options, double clock_mhz,
                                 const std::map<int32_t, std::string>& layer_names,
                                 const ExecFn& exec);

}  // namespace openbpu::sim

#endif  // OPENBPU_SIMULATOR_RUN_OPS_H_
