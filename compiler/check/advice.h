// `bpu check --advice US`: the model compiled at O2, run in the simulator's perf mode, and each
// layer slower than US microseconds with the reason from its roofline (docs/CHECK.md).
#ifndef OPENBPU_COMPILER_CHECK_ADVICE_H_
#define OPENBPU_COMPILER_CHECK_ADVICE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/ir/graph.h"

namespace openbpu::check {

struct SlowLayer {
  std::string name, op, segment;  // segment: "bpu0", ... of a hybrid model, else empty
  double time_us = 0;   // first instruction start to last end (overlaps with neighbours at O2)
  double bound_us = 0;  // roofline: max(MACs at the peak MacsPerCycle, DDR bytes at the peak)
  double compute_bound_us = 0, ddr_bound_us = 0;
  uint64_t macs = 0, ddr_bytes = 0;
  double mac_fill = 0;  // MACs / (TAE busy cycles x MacsPerCycle), 0 without MACs
  // "DDR-bound", "compute-bound", "MAC array under-filled", "vector-unit bound".
  std::string reason;
  std::string detail;  // what makes it so ("16 input channels < the array's 64", ...)
};

struct AdviceReport {
  std::string march;
  double threshold_us = 0;
  double total_us = 0;          // the modeled latency (sum over BPU segments)
  int layers = 0;               // layers simulated
  std::vector<SlowLayer> slow;  // slowest first
};

// Compiles the quantized `graph` for `march` at O2 (hybrid when it has float nodes), runs each
// BPU program in perf mode and lists the layers whose modeled time exceeds `threshold_us`.
absl::StatusOr<AdviceReport> LayerAdvice(const ir::Graph& graph, const std::string& march,
                                         double threshold_us);

// "advice: L layers over US us (of N, modeled latency T us)" and one line per layer.
std::string FormatAdvice(const AdviceReport& report);

}  // namespace openbpu::check

#endif  // OPENBPU_COMPILER_CHECK_ADVICE_H_
