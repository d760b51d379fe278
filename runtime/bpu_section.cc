// The "bpu.program" section loader (section.h): an .hbm model's BPU program, lowered once into a
// sim::Executable (its parameter blob shared read-only) and run on simulator instances taken from
// a pool, one per concurrent run, so runs share everything but their own memories.
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "isa/march.h"
#include "isa/program.h"
#include "runtime/section.h"
#include "simulator/simulator.h"
#include "simulator/stats.h"

namespace openbpu::runtime {
namespace {

class BpuExecutor : public Executor {
 public:
  static absl::StatusOr<std::unique_ptr<Executor>> Load(const hbm::Model& model,
                                                        const std::string& march_name) {
    absl::StatusOr<isa::Program> program = isa::ParseProgram(absl::MakeConstSpan(
        reinterpret_cast<const uint8_t*>(model.program().data()), model.program().size()));
    if (!program.ok()) return program.status();
    absl::StatusOr<const isa::March*> march = isa::FindMarch(program->march);
    if (!march.ok()) return march.status();
    if (march_name != (*march)->name) {
      return absl::InvalidArgumentError(
          absl::StrCat("program is for march ", (*march)->name, ", the file says ", march_name));
    }
    if (model.memory_plan().input_bytes() != program->ddr_input_bytes ||
        model.memory_plan().output_bytes() != program->ddr_output_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("memory plan says ", model.memory_plan().input_bytes(), " input and ",
                       model.memory_plan().output_bytes(), " output bytes, the program ",
                       program->ddr_input_bytes, " and ", program->ddr_output_bytes));
    }
    absl::StatusOr<std::shared_ptr<const sim::Executable>> exe =
        sim::Executable::Create(*program, **march);
    if (!exe.ok()) return exe.status();
    return std::unique_ptr<Executor>(new BpuExecutor(*std::move(exe)));
  }

  absl::Status Run(absl::Span<const uint8_t> input_region, absl::Span<uint8_t> output_region,
                   const RunOptions& options, RunStats* stats) const override {
    const Backend backend = options.backend;
    const bool data = backend != Backend::kTiming;
    if (data && (options.threads < 1 || options.threads > 256)) {
      return absl::InvalidArgumentError(
          absl::StrCat("threads must be in [1, 256], not ", options.threads));
    }
    // Instances are pooled by kind: with data memories and a thread count, or address-only (0).
    const int kind = data ? options.threads : 0;
    std::unique_ptr<sim::Simulator> sim = Acquire(kind);
    if (sim == nullptr) {
      sim::SimulatorOptions so;
      so.run.mode = data ? sim::Mode::kFunc : sim::Mode::kPerf;
      so.threads = data ? options.threads : 1;
      absl::StatusOr<std::unique_ptr<sim::Simulator>> created =
          sim::Simulator::Create(executable_, so);
      if (!created.ok()) return created.status();
      sim = *std::move(created);
    }
    absl::Status st = RunOn(*sim, input_region, output_region, options, stats);
    Release(std::move(sim), kind);
    return st;
  }

 private:
  explicit BpuExecutor(std::shared_ptr<const sim::Executable> exe) : executable_(std::move(exe)) {}

  absl::Status RunOn(sim::Simulator& sim, absl::Span<const uint8_t> input_region,
                     absl::Span<uint8_t> output_region, const RunOptions& options,
                     RunStats* stats) const {
    const Backend backend = options.backend;
    sim::RunOptions run;
    run.force_serial = options.force_serial;
    run.mode = backend == Backend::kFunctional ? sim::Mode::kFunc
               : backend == Backend::kTiming   ? sim::Mode::kPerf
                                               : sim::Mode::kBoth;
    run.check_hazards = backend != Backend::kFunctional || options.check_hazards;
    if (backend != Backend::kTiming) {
      if (absl::Status st = sim.WriteRegion(isa::Region::kInput, 0, input_region); !st.ok()) {
        return st;
      }
    }
    absl::StatusOr<sim::RunResult> result = sim.Run(run);
    if (!result.ok()) return result.status();
    if (backend != Backend::kTiming) {
      if (absl::Status st = sim.ReadRegion(isa::Region::kOutput, 0, output_region); !st.ok()) {
        return st;
      }
    }
    *stats = RunStats{};
    if (backend != Backend::kFunctional) {
      stats->cycles = result->stats.total_cycles;
      stats->latency_us = result->stats.latency_us;
      stats->instructions = result->stats.instructions;
      for (const sim::LayerStats& l : result->stats.layers) {
        stats->layers.push_back({l.name, l.first_start, l.last_end, l.instructions});
      }
      stats->report = sim::StatsSummary(result->stats);
    }
    return absl::OkStatus();
  }

  // A free instance of the kind (data memories on `kind` threads, or address-only: 0), or null.
  std::unique_ptr<sim::Simulator> Acquire(int kind) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto& pool = pools_[kind];
    if (pool.empty()) return nullptr;
    std::unique_ptr<sim::Simulator> sim = std::move(pool.back());
    pool.pop_back();
    return sim;
  }
  void Release(std::unique_ptr<sim::Simulator> sim, int kind) const {
    std::lock_guard<std::mutex> lock(mu_);
    pools_[kind].push_back(std::move(sim));
  }

  std::shared_ptr<const sim::Executable> executable_;
  mutable std::mutex mu_;
  mutable std::map<int, std::vector<std::unique_ptr<sim::Simulator>>> pools_;
};

const bool kRegistered = RegisterSectionLoader(kBpuProgramSection, BpuExecutor::Load);

}  // namespace
}  // namespace openbpu::runtime
