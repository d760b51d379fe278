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

namespace openbpu::sim {
namespace units {  // the per-unit instruction handlers (units.h, internal)
struct ExecContext;
struct Operand;
}  // namespace units

struct SimulatorOptions {
  RunOptions run;
  KernelPath kernel_path = KernelPath::kBest;  // TAE host kernels
  uint64_t max_instructions = 1u << 24;        // programs longer than this are rejected
};

// Byte offsets of the DDR regions inside the simulator's flat DDR (input, output, param,
// scratch, each 16-byte aligned).
struct DdrLayout {
  uint64_t base[4] = {0, 0, 0, 0};
  uint64_t size[4] = {0, 0, 0, 0};
  uint64_t total = 0;
};

class Simulator {
 public:
  // Lowers and checks `program` for `march` (which must be the program's march): every
  // address of every instruction is bounds-checked here, before anything runs, so even perf
  // mode rejects out-of-range accesses (errors name the instruction index).
  static absl::StatusOr<std::unique_ptr<Simulator>> Create(const isa::Program& program,
                                                           const isa::March& march,
                                                           const SimulatorOptions& options);

  // Host access to the DDR regions (func/both modes). The param region is loaded from the
  // program's blob at creation.
  absl::Status WriteRegion(isa::Region region, uint64_t offset, absl::Span<const uint8_t> data);
  absl::Status ReadRegion(isa::Region region, uint64_t offset, absl::Span<uint8_t> data) const;

  // Runs the program once. SRAM and DDR keep their contents between runs.
  absl::StatusOr<RunResult> Run();

  const std::vector<SimOp>& ops() const { return ops_; }
  Memories& memories() { return *memories_; }
  const DdrLayout& ddr_layout() const { return ddr_; }
  const isa::March& march() const { return *march_; }

 private:
  Simulator() = default;
  absl::Status Lower(const isa::Program& program);
  absl::Status AddAccess(SimOp& op, const units::Operand& operand) const;
  absl::Status Execute(int op);

  const isa::March* march_ = nullptr;
  SimulatorOptions options_;
  DdrLayout ddr_;
  std::map<int32_t, std::string> layer_names_;
  std::unique_ptr<Memories> memories_;
  std::vector<SimOp> ops_;
  // Per op: its data effect (units.h), empty for configuration and sync.
  std::vector<std::function<absl::Status(units::ExecContext&)>> executions_;
};

// Runs `program` once: a convenience for tests and tools.
absl::StatusOr<RunResult> Simulate(const isa::Program& program, const SimulatorOptions& options);

}  // namespace openbpu::sim

#endif  // OPENBPU_SIMULATOR_SIMULATOR_H_
