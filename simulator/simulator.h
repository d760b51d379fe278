// The BPU simulator: lowers an isa::Program to per-unit timed operations, runs them through
// the event-driven timing engine, and (in func / both modes) executes every instruction
// bit-exactly through isa/numerics in the order the timing events allow, with the hazard
// checker watching every start (isa/ISA.md is the contract).
#ifndef OPENBPU_SIMULATOR_SIMULATOR_H_
#define OPENBPU_SIMULATOR_SIMULATOR_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "isa/instruction.h"
#include "isa/march.h"
#include "isa/program.h"
#include "simulator/memory.h"
#include "simulator/run_ops.h"
#include "simulator/tae_kernels.h"
#include "simulator/thread_pool.h"
#include "simulator/weight_cache.h"

namespace openbpu::sim {
namespace units {  // the per-unit instruction handlers (units.h, internal)
struct ExecContext;
struct Operand;
}  // namespace units

struct SimulatorOptions {
  RunOptions run;
  KernelPath kernel_path = KernelPath::kBest;  // TAE host kernels
  // Func / both modes: threads one instruction's tiles are spread over (1: the caller's only).
  // Results are the same for every count.
  int threads = 1;
  // Func / both modes: copy constant weight LOADs only when their bytes are read raw, written
  // over or the run ends (weight_cache.h PendingCopies). The memories after a run are the same
  // either way; false copies every LOAD as it runs (for comparison).
  bool defer_weight_loads = true;
  uint64_t max_instructions = 1u << 24;  // programs longer than this are rejected
};

// Byte offsets of the DDR regions inside the simulator's flat DDR (input, output, param,
// scratch, each 16-byte aligned).
struct DdrLayout {
  uint64_t base[4] = {0, 0, 0, 0};
  uint64_t size[4] = {0, 0, 0, 0};
  uint64_t total = 0;
};

// A program lowered once for its march (every instruction checked against its registers, every
// footprint bounds-checked, costs and executions computed) with its parameter blob: immutable,
// shared by every Simulator that runs it, from any number of threads.
class Executable {
 public:
  static absl::StatusOr<std::shared_ptr<const Executable>> Create(
      const isa::Program& program, const isa::March& march,
      uint64_t max_instructions = uint64_t{1} << 24);

  const isa::March& march() const { return *march_; }
  const DdrLayout& ddr_layout() const { return ddr_; }
  const std::vector<SimOp>& ops() const { return ops_; }
  const std::vector<uint8_t>& params() const { return params_; }
  const std::map<int32_t, std::string>& layer_names() const { return layer_names_; }
  const MemoryConfig& memory_config() const { return memory_config_; }
  int cores() const { return cores_; }  // the program's instruction streams (ISA 1.2)
  // The packed weights stored so far (shared by every Simulator of this Executable).
  size_t packed_weight_entries() const { return packed_weights_->entries(); }

 private:
  friend class Simulator;
  Executable() = default;
  absl::Status Lower(const isa::Program& program);
  absl::Status AddAccess(SimOp& op, const units::Operand& operand, const Memories& sizes) const;

  const isa::March* march_ = nullptr;
  DdrLayout ddr_;
  MemoryConfig memory_config_;
  int cores_ = 1;
  std::map<int32_t, std::string> layer_names_;
  std::vector<uint8_t> params_;
  std::vector<SimOp> ops_;
  // Per op: its data effect (units.h), empty for configuration and sync.
  std::vector<std::function<absl::Status(units::ExecContext&)>> executions_;
  // Per op: it writes the same weight SRAM bytes on every run (a LOAD from the param region).
  std::vector<bool> constant_write_;
  // Per op: a LOAD of constant weights the simulator defers (weight_cache.h PendingCopies):
  // weight SRAM [dst, dst + bytes) from DDR src; bytes 0 when not deferrable.
  struct Deferred {
    uint64_t dst = 0, bytes = 0, src = 0;
  };
  std::vector<Deferred> deferred_;
  // Per op: reads its weight SRAM operand through the weight cache (materializes it itself).
  std::vector<bool> reads_weights_lazily_;
  std::unique_ptr<PackedWeightStore> packed_weights_ = std::make_unique<PackedWeightStore>();
};

// One running instance of an Executable: its own SRAMs and DDR input, output and scratch regions
// (the param region is the Executable's, shared read-only). Not thread-safe itself: give each
// thread its own Simulator over one shared Executable.
class Simulator {
 public:
  // Lowers `program` for `march` (which must be the program's march) and creates an instance:
  // every address of every instruction is bounds-checked here, before anything runs, so even
  // perf mode rejects out-of-range accesses (errors name the instruction index).
  static absl::StatusOr<std::unique_ptr<Simulator>> Create(const isa::Program& program,
                                                           const isa::March& march,
                                                           const SimulatorOptions& options);
  // An instance of an already lowered program (no lowering, no copy of the parameters).
  static absl::StatusOr<std::unique_ptr<Simulator>> Create(
      std::shared_ptr<const Executable> executable, const SimulatorOptions& options);

  // Host access to the DDR regions (shared by every core) (func/both modes). The param region is
  // the program's blob (read-only).
  absl::Status WriteRegion(isa::Region region, uint64_t offset, absl::Span<const uint8_t> data);
  absl::Status ReadRegion(isa::Region region, uint64_t offset, absl::Span<uint8_t> data) const;

  // Runs the program once. SRAM and DDR keep their contents between runs.
  absl::StatusOr<RunResult> Run();
  // Runs it in `mode` (perf: no data effects; func and both need an instance created for data).
  absl::StatusOr<RunResult> Run(const RunOptions& run);

  const std::vector<SimOp>& ops() const { return executable_->ops(); }
  Memories& memories() { return *memories_; }  // core 0's SRAMs and the shared DDR
  Memories& core_memories(int core) { return core == 0 ? *memories_ : *other_cores_[core - 1]; }
  const DdrLayout& ddr_layout() const { return executable_->ddr_layout(); }
  const isa::March& march() const { return executable_->march(); }
  const std::shared_ptr<const Executable>& executable() const { return executable_; }

 private:
  Simulator() = default;
  absl::Status Execute(int op);
  void MaterializePending();  // every core's deferred weight LOADs into its SRAM

  std::shared_ptr<const Executable> executable_;
  SimulatorOptions options_;
  std::unique_ptr<Memories> memories_;
  std::vector<std::unique_ptr<Memories>> other_cores_;  // cores 1..: own SRAMs, core 0's DDR
  std::vector<WeightProvenance> provenance_;            // per core, this run's
  std::vector<PendingCopies> pending_;                  // per core, deferred weight LOADs
  std::unique_ptr<ThreadPool> pool_;                    // options_.threads > 1
};

// Runs `program` once: a convenience for tests and tools.
absl::StatusOr<RunResult> Simulate(const isa::Program& program, const SimulatorOptions& options);

}  // namespace openbpu::sim

#endif  // OPENBPU_SIMULATOR_SIMULATOR_H_
