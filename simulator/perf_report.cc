#include "simulator/perf_report.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "simulator/simulator.h"

namespace openbpu::sim {
namespace {

// Cycles of one perf-mode run of `program`, with its ops and schedule.
struct Run {
  std::shared_ptr<const Executable> exe;
  RunResult result;
};

// `hazards` off: two instances of one program, whose DDR buffers would be apart on a real board
// but share addresses here (perf mode moves no data, so only the checker would mind).
absl::StatusOr<Run> RunPerf(const isa::Program& program, const isa::March& march, bool trace,
                            bool hazards = true) {
  SimulatorOptions options;
  options.run.mode = Mode::kPerf;
  options.run.trace = trace;
  options.run.check_hazards = hazards;
  absl::StatusOr<std::unique_ptr<Simulator>> sim = Simulator::Create(program, march, options);
  if (!sim.ok()) return sim.status();
  absl::StatusOr<RunResult> result = (*sim)->Run();
  if (!result.ok()) return result.status();
  return Run{(*sim)->executable(), *std::move(result)};
}

// The same one-core program on every core of a two-core march: two independent instances.
isa::Program TwoInstances(const isa::Program& program) {
  isa::Program two = program;
  two.version_minor = std::max<uint16_t>(two.version_minor, 2);
  two.cores = 2;
  two.instructions.insert(two.instructions.end(), program.instructions.begin(),
                          program.instructions.end());
  return two;
}

}  // namespace

absl::StatusOr<PerfResult> PerfModel(const std::vector<PerfProgram>& programs,
                                     const PerfOptions& options) {
  if (programs.empty()) return absl::InvalidArgumentError("no BPU program to model");
  absl::StatusOr<const isa::March*> march = isa::FindMarch(programs[0].program.march);
  if (!march.ok()) return march.status();
  const isa::March& m = **march;
  PerfResult out;
  perf::PerfSummary& s = *out.report.mutable_summary();
  s.set_model_name(options.model_name);
  s.set_bpu_march(m.name);
  s.set_compiling_options(options.compiling_options);
  s.set_frame_per_run(static_cast<uint32_t>(std::max(1, options.batch)));
  s.set_cpu_segments(static_cast<uint32_t>(options.cpu_segments));
  uint64_t cycles = 0, macs = 0, loaded = 0, stored = 0, two_cycles = 0;
  int cores = 1;
  bool two_possible = m.cores.value >= 2 && options.cpu_segments == 0;
  const double us_per_cycle = 1e6 / m.clock_hz.value;
  // Per program: its TAE spans (cycles from the frame's start), for the intervals.
  std::vector<std::pair<uint64_t, uint64_t>> tae_spans;
  for (const PerfProgram& p : programs) {
    if (p.program.march != m.id) {
      return absl::InvalidArgumentError("the model's programs are for different marches");
    }
    absl::StatusOr<Run> run = RunPerf(p.program, m, options.trace);
    if (!run.ok()) {
      return p.segment.empty()
                 ? run.status()
                 : absl::Status(run.status().code(),
                                absl::StrCat("segment ", p.segment, ": ", run.status().message()));
    }
    const SimStats& st = run->result.stats;
    const std::vector<SimOp>& ops = run->exe->ops();
    for (size_t i = 0; i < ops.size(); ++i) {
      if (ops[i].unit != Unit::kTae) continue;
      const OpTime& t = run->result.schedule.times[i];
      tae_spans.push_back({cycles + t.start, cycles + t.end});
    }
    for (const LayerStats& l : st.layers) {
      perf::PerfLayer* pl = out.report.add_layer_details();
      pl->set_layer_name(l.name);
      if (l.id >= 0 && static_cast<size_t>(l.id) < p.layer_ops.size()) {
        pl->set_op(p.layer_ops[static_cast<size_t>(l.id)]);
      }
      pl->set_computing_cost_us(static_cast<double>(l.compute_cycles) * us_per_cycle);
      pl->set_load_store_cost_us(static_cast<double>(l.load_store_cycles) * us_per_cycle);
      pl->set_start_us(static_cast<double>(cycles + l.first_start) * us_per_cycle);
      pl->set_end_us(static_cast<double>(cycles + l.last_end) * us_per_cycle);
      pl->set_bpu_ops(2.0 * static_cast<double>(l.macs));
      pl->set_loaded_bytes(static_cast<double>(l.ddr_loaded_bytes));
      pl->set_stored_bytes(static_cast<double>(l.ddr_stored_bytes));
      pl->set_segment(p.segment);
    }
    cycles += st.total_cycles;
    macs += st.macs;
    loaded += st.ddr_loaded_bytes;
    stored += st.ddr_stored_bytes;
    cores = std::max(cores, st.cores);
    if (options.trace) out.traces.push_back(run->result.trace_json);
    if (p.program.cores != 1) two_possible = false;
    if (two_possible) {
      absl::StatusOr<Run> two = RunPerf(TwoInstances(p.program), m, false, /*hazards=*/false);
      if (!two.ok()) return two.status();
      two_cycles += two->result.stats.total_cycles;
    }
  }
  const double latency_us = static_cast<double>(cycles) * us_per_cycle;
  const int batch = std::max(1, options.batch);
  s.set_bpu_core_number(static_cast<uint32_t>(cores));
  s.set_latency_us(latency_us);
  s.set_latency_ms(latency_us / 1000.0);
  s.set_fps(latency_us > 0 ? batch * 1e6 / latency_us : 0);
  if (two_possible && two_cycles > 0) {
    s.set_fps_two_instances(2.0 * batch * 1e6 / (static_cast<double>(two_cycles) * us_per_cycle));
  }
  s.set_ddr_bytes_per_frame(static_cast<double>(loaded + stored) / batch);
  s.set_ddr_megabytes_per_frame(static_cast<double>(loaded + stored) / batch / 1e6);
  s.set_loaded_bytes_per_frame(static_cast<double>(loaded) / batch);
  s.set_stored_bytes_per_frame(static_cast<double>(stored) / batch);
  s.set_bpu_ops_per_frame(2.0 * static_cast<double>(macs) / batch);
  const double peak = static_cast<double>(m.MacsPerCycle()) * cores * static_cast<double>(cycles);
  s.set_mac_utilization(peak > 0 ? static_cast<double>(macs) / peak : 0);
  // The TAE's busy fraction per interval, over the cores (each core's TAE runs one at a time).
  const int n = std::max(1, options.intervals);
  std::vector<double> busy(static_cast<size_t>(n), 0.0);
  const double width = static_cast<double>(cycles) / n;
  for (const auto& [begin, end] : tae_spans) {
    if (width <= 0) break;
    for (int k = static_cast<int>(static_cast<double>(begin) / width);
         k < n && k * width < static_cast<double>(end); ++k) {
      const double lo = std::max(static_cast<double>(begin), k * width);
      const double hi = std::min(static_cast<double>(end), (k + 1) * width);
      if (hi > lo) busy[static_cast<size_t>(k)] += hi - lo;
    }
  }
  for (double b : busy) s.add_interval_utilization(width > 0 ? b / (width * cores) : 0);
  return out;
}

std::string PerfSummaryText(const perf::PerfReport& report, bool layers) {
  const perf::PerfSummary& s = report.summary();
  std::string out = absl::StrFormat(
      "perf: model %s, %s, %u BPU core(s), %s\n"
      "  latency %.3f ms (%.1f us), %.1f FPS%s\n"
      "  DDR %.3f MB per frame (loaded %.0f B, stored %.0f B), %.3f GOPs per frame, MAC "
      "utilization "
      "%.1f%%\n",
      s.model_name(), s.bpu_march(), s.bpu_core_number(), s.compiling_options(), s.latency_ms(),
      s.latency_us(), s.fps(),
      s.fps_two_instances() > 0
          ? absl::StrFormat(" (two instances, one per core: %.1f FPS)", s.fps_two_instances())
          : "",
      s.ddr_megabytes_per_frame(), s.loaded_bytes_per_frame(), s.stored_bytes_per_frame(),
      s.bpu_ops_per_frame() / 1e9, 100 * s.mac_utilization());
  if (s.cpu_segments() > 0) {
    absl::StrAppendFormat(&out, "  %u CPU segment(s): host work, not in these figures\n",
                          s.cpu_segments());
  }
  std::vector<std::string> bars;
  for (double u : s.interval_utilization()) bars.push_back(absl::StrFormat("%.0f", 100 * u));
  absl::StrAppend(&out, "  MAC array busy per 1/", s.interval_utilization_size(),
                  " of the run (%): ", absl::StrJoin(bars, " "), "\n");
  // The slowest layers by their span, or every layer.
  std::vector<const perf::PerfLayer*> order;
  for (const perf::PerfLayer& l : report.layer_details()) order.push_back(&l);
  if (!layers) {
    std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
      return a->end_us() - a->start_us() > b->end_us() - b->start_us();
    });
    if (order.size() > 5) order.resize(5);
    absl::StrAppend(&out, "  longest layers (span, compute, load/store):\n");
  } else {
    absl::StrAppend(&out, "  layers (span, compute, load/store):\n");
  }
  for (const perf::PerfLayer* l : order) {
    absl::StrAppendFormat(&out, "    %-40s %-12s %9.1f us %9.1f us %9.1f us\n", l->layer_name(),
                          l->op().substr(0, 12), l->end_us() - l->start_us(),
                          l->computing_cost_us(), l->load_store_cost_us());
  }
  return out;
}

}  // namespace openbpu::sim
