// The perf_model report (proto/perf.proto PerfReport, `bpu perf`): one frame of a compiled model
// on the timing simulator (perf mode: no data), summarized with the keys of the vendor's
// perf.json. A hybrid model's BPU segments run one after another (their latencies add); its CPU
// segments are host work, not modeled, and only counted.
#ifndef OPENBPU_SIMULATOR_PERF_REPORT_H_
#define OPENBPU_SIMULATOR_PERF_REPORT_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "isa/program.h"
#include "proto/perf.pb.h"

namespace openbpu::sim {

struct PerfProgram {
  std::string segment;  // "" for a BPU-only model; a hybrid model's segment name
  isa::Program program;
  std::vector<std::string> layer_ops;  // per layer id (the program's layer table): its ops
};

struct PerfOptions {
  std::string model_name;
  std::string compiling_options;  // e.g. "--march bernoulli2 --opt O3 --core-num 2"
  int batch = 1;                  // frames per run
  int cpu_segments = 0;           // hybrid models
  bool trace = false;             // fill PerfResult::traces
  int intervals = 20;             // of "interval computing unit utilization"
};

struct PerfResult {
  perf::PerfReport report;
  std::vector<std::string> traces;  // Chrome trace JSON per program, when asked for
};

// Runs every program in perf mode and builds the report. Errors: a program the simulator
// rejects (its error names the instruction), programs of different marches.
absl::StatusOr<PerfResult> PerfModel(const std::vector<PerfProgram>& programs,
                                     const PerfOptions& options);

// The one-screen summary `bpu perf` prints; with `layers`, one line per layer too.
std::string PerfSummaryText(const perf::PerfReport& report, bool layers);

}  // namespace openbpu::sim

#endif  // OPENBPU_SIMULATOR_PERF_REPORT_H_
