// The simulator core: DDR layout and memories, lowering of isa::Program instructions to timed
// operations (each kind's footprint, cost and execution come from its unit's file, see
// units.h), bounds checks of every footprint, and the run through the timing engine.
#include "simulator/simulator.h"

#include <string>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "simulator/units.h"

namespace openbpu::sim {
namespace {

constexpr int kMaxRangesPerAccess = 4096;  // beyond this an access is its bounding box

}  // namespace

absl::StatusOr<std::shared_ptr<const Executable>> Executable::Create(const isa::Program& program,
                                                                     const isa::March& march,
                                                                     uint64_t max_instructions) {
  if (program.march != march.id) {
    return absl::InvalidArgumentError(
        absl::StrCat("program is for march ", isa::MarchName(program.march), ", not ", march.name));
  }
  if (program.instructions.size() > max_instructions) {
    return absl::ResourceExhaustedError(
        absl::StrCat("program has ", program.instructions.size(),
                     " instructions, over the simulator's budget of ", max_instructions));
  }
  if (absl::Status st = isa::ValidateProgram(program); !st.ok()) return st;
  std::shared_ptr<Executable> exe(new Executable);
  exe->march_ = &march;
  const uint64_t sizes[4] = {program.ddr_input_bytes, program.ddr_output_bytes,
                             program.params.size(), program.ddr_scratch_bytes};
  uint64_t at = 0;
  for (int r = 0; r < 4; ++r) {
    exe->ddr_.base[r] = at;
    exe->ddr_.size[r] = sizes[r];
    if (sizes[r] > (uint64_t{1} << 40)) {
      return absl::ResourceExhaustedError("DDR region larger than 1 TiB");
    }
    at += static_cast<uint64_t>(isa::Align16(static_cast<int64_t>(sizes[r])));
  }
  exe->ddr_.total = at;
  MemoryConfig& mc = exe->memory_config_;
  mc[Space::kDdr] = at;
  mc[Space::kFeature] = march.feature_sram_bytes.value;
  mc[Space::kWeight] = march.weight_sram_bytes.value;
  mc[Space::kAcc] = march.acc_sram_bytes.value;
  mc[Space::kLut] = march.lut_sram_bytes.value;
  for (const auto& [id, name] : program.layers) exe->layer_names_[id] = name;
  exe->cores_ = program.cores;
  if (absl::Status st = exe->Lower(program); !st.ok()) return st;
  exe->params_ = program.params;
  return std::shared_ptr<const Executable>(std::move(exe));
}

absl::StatusOr<std::unique_ptr<Simulator>> Simulator::Create(const isa::Program& program,
                                                             const isa::March& march,
                                                             const SimulatorOptions& options) {
  absl::StatusOr<std::shared_ptr<const Executable>> exe =
      Executable::Create(program, march, options.max_instructions);
  if (!exe.ok()) return exe.status();
  return Create(*std::move(exe), options);
}

absl::StatusOr<std::unique_ptr<Simulator>> Simulator::Create(
    std::shared_ptr<const Executable> executable, const SimulatorOptions& options) {
  if (executable == nullptr) return absl::InvalidArgumentError("no executable");
  std::unique_ptr<Simulator> sim(new Simulator);
  sim->executable_ = std::move(executable);
  sim->options_ = options;
  const bool functional = options.run.mode != Mode::kPerf;
  sim->memories_ = std::make_unique<Memories>(sim->executable_->memory_config(), functional);
  const DdrLayout& ddr = sim->executable_->ddr_layout();
  const int param = static_cast<int>(isa::Region::kParam);
  sim->memories_->ShareReadOnlyDdr(ddr.base[param], sim->executable_->params());
  for (int c = 1; c < sim->executable_->cores(); ++c) {
    auto core = std::make_unique<Memories>(sim->executable_->memory_config(), functional);
    core->ShareDdrOf(*sim->memories_);
    sim->other_cores_.push_back(std::move(core));
  }
  sim->provenance_.resize(static_cast<size_t>(sim->executable_->cores()));
  sim->pending_.resize(static_cast<size_t>(sim->executable_->cores()));
  if (options.threads < 1 || options.threads > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("threads must be in [1, 256], not ", options.threads));
  }
  if (options.threads > 1 && functional) {
    sim->pool_ = std::make_unique<ThreadPool>(options.threads);
  }
  return sim;
}

absl::Status Executable::Lower(const isa::Program& program) {
  const Memories sizes(memory_config_, /*allocate=*/false);
  units::Registers regs;  // the configuration registers of every queue, in program order
  int core = 0;           // ISA 1.2: core k runs the words after the k-th `end`
  auto channel = [](int c, int sem) { return c * (isa::kNumSemaphores + 1) + sem; };
  for (size_t i = 0; i < program.instructions.size(); ++i) {
    const isa::Instruction& inst = program.instructions[i];
    if (i > 0 && std::holds_alternative<isa::End>(program.instructions[i - 1].payload)) {
      ++core;
      regs = units::Registers();  // each core's queues have their own registers
    }
    units::Lowering ctx{regs, *march_, ddr_, static_cast<int64_t>(i), inst.mnemonic()};
    absl::StatusOr<units::Lowered> lowered =
        std::visit([&](const auto& payload) { return units::Lower(payload, ctx); }, inst.payload);
    if (!lowered.ok()) return lowered.status();
    if (!lowered->queued) continue;
    SimOp op;
    op.unit = static_cast<Unit>(static_cast<int>(inst.unit()));
    op.index = static_cast<int64_t>(i);
    op.core = static_cast<uint8_t>(core);
    op.layer_id = inst.common.layer == isa::kNoLayer ? -1 : inst.common.layer;
    op.name = inst.mnemonic();
    for (uint8_t w : inst.common.wait)
      if (w) op.waits.push_back(channel(core, w));
    for (uint8_t s : inst.common.signal)
      if (s) op.signals.push_back(channel(core, s));
    if (const auto* x = std::get_if<isa::XSync>(&inst.payload)) {
      op.signals.push_back(channel(x->core, x->sem));  // another core's semaphore
    }
    op.zero_time = lowered->zero_time;
    op.cycles = lowered->cycles;
    op.ddr_bytes = lowered->ddr_bytes;
    op.ddr_charged_bytes = lowered->ddr_charged_bytes;
    op.ddr_write = lowered->ddr_write;
    op.macs = lowered->macs;
    for (const units::Operand& operand : lowered->footprint) {
      if (absl::Status st = AddAccess(op, operand, sizes); !st.ok()) return st;
    }
    // Exact write ranges: each run of every written box is its own range (AddAccess).
    bool exact = true;
    for (const units::Operand& operand : lowered->footprint) {
      const units::ByteBox& b = operand.box;
      if (operand.write && b.n2 * b.n1 > kMaxRangesPerAccess && !b.Contiguous()) exact = false;
    }
    constant_write_.push_back(lowered->constant_write && exact);
    deferred_.push_back(
        lowered->deferred
            ? Deferred{lowered->deferred->dst, lowered->deferred->bytes, lowered->deferred->src}
            : Deferred{});
    reads_weights_lazily_.push_back(lowered->reads_weights_lazily);
    ops_.push_back(std::move(op));
    executions_.push_back(std::move(lowered->execute));
  }
  return absl::OkStatus();
}

// Checks one footprint entry against its memory (and DDR region) and records its byte ranges
// for the hazard checker: one range per run of the box, or its bounding range when the runs
// are back to back or too many.
absl::Status Executable::AddAccess(SimOp& op, const units::Operand& operand,
                                   const Memories& sizes) const {
  const units::ByteBox& b = operand.box;
  const uint64_t extent = b.Extent();
  if (operand.region) {
    const int r = static_cast<int>(*operand.region);
    const uint64_t offset = b.base - ddr_.base[r];
    if (offset > ddr_.size[r] || extent > ddr_.size[r] - offset) {
      return absl::OutOfRangeError(absl::StrFormat(
          "instruction %d: %s accesses DDR region %s [0x%x, 0x%x) outside its %u bytes", op.index,
          operand.what, isa::RegionName(*operand.region), offset, offset + extent, ddr_.size[r]));
    }
  }
  if (absl::Status st = sizes.Check(b.space, b.base, extent, op.index, operand.what); !st.ok()) {
    return st;
  }
  Access access{b.space, operand.write, {}};
  if (b.n2 * b.n1 > kMaxRangesPerAccess || b.Contiguous()) {
    access.ranges.push_back({b.base, b.base + extent});
  } else {
    for (int64_t i2 = 0; i2 < b.n2; ++i2) {
      for (int64_t i1 = 0; i1 < b.n1; ++i1) {
        const uint64_t at = b.At(i2, i1);
        if (!access.ranges.empty() && access.ranges.back().end == at) {  // runs back to back
          access.ranges.back().end = at + b.run;
        } else {
          access.ranges.push_back({at, at + b.run});
        }
      }
    }
  }
  op.accesses.push_back(std::move(access));
  return absl::OkStatus();
}

absl::Status Simulator::WriteRegion(isa::Region region, uint64_t offset,
                                    absl::Span<const uint8_t> data) {
  const int r = static_cast<int>(region);
  const DdrLayout& ddr_ = executable_->ddr_layout();
  if (offset > ddr_.size[r] || data.size() > ddr_.size[r] - offset) {
    return absl::OutOfRangeError(
        absl::StrFormat("write of %u bytes at %u outside DDR region %s "
                        "(%u bytes)",
                        data.size(), offset, isa::RegionName(region), ddr_.size[r]));
  }
  return memories_->Write(Space::kDdr, ddr_.base[r] + offset, data);
}

absl::Status Simulator::ReadRegion(isa::Region region, uint64_t offset,
                                   absl::Span<uint8_t> data) const {
  const int r = static_cast<int>(region);
  const DdrLayout& ddr_ = executable_->ddr_layout();
  if (offset > ddr_.size[r] || data.size() > ddr_.size[r] - offset) {
    return absl::OutOfRangeError(
        absl::StrFormat("read of %u bytes at %u outside DDR region %s "
                        "(%u bytes)",
                        data.size(), offset, isa::RegionName(region), ddr_.size[r]));
  }
  return memories_->Read(Space::kDdr, ddr_.base[r] + offset, data);
}

absl::StatusOr<RunResult> Simulator::Run() { return Run(options_.run); }

absl::StatusOr<RunResult> Simulator::Run(const RunOptions& run) {
  if (run.mode != Mode::kPerf && !memories_->allocated()) {
    return absl::FailedPreconditionError(
        "this simulator was created for perf mode (no data memories); create one for func or both");
  }
  const isa::March& march = executable_->march();
  TimingConfig timing;
  timing.ddr_bytes_per_cycle = march.DdrBytesPerCycle();
  timing.ddr_latency_cycles = march.ddr_latency_cycles.value;
  timing.dma_outstanding = march.dma_outstanding.value;
  timing.num_channels = (isa::kNumSemaphores + 1) * executable_->cores();
  timing.max_tokens = 65535;
  timing.channel_name = [](int c) {
    const int core = c / (isa::kNumSemaphores + 1), sem = c % (isa::kNumSemaphores + 1);
    return core == 0 ? absl::StrCat("sem", sem) : absl::StrCat("core ", core, " sem", sem);
  };
  for (WeightProvenance& p : provenance_) p.Reset();  // host writes may have come between runs
  absl::StatusOr<RunResult> result =
      RunOps(executable_->ops(), timing, run, march.clock_mhz(), executable_->layer_names(),
             [this](int i) { return Execute(i); });
  MaterializePending();  // the SRAMs hold every byte the run wrote, as if nothing was deferred
  return result;
}

void Simulator::MaterializePending() {
  for (size_t core = 0; core < pending_.size(); ++core) {
    if (pending_[core].empty()) continue;
    pending_[core].MaterializeAll(core_memories(static_cast<int>(core)).at(Space::kWeight, 0));
  }
}

absl::Status Simulator::Execute(int op_index) {
  const units::Execution& execute = executable_->executions_[op_index];
  if (!execute) return absl::OkStatus();  // configuration, sync: no data
  const SimOp& op = executable_->ops()[op_index];
  const size_t i = static_cast<size_t>(op_index);
  WeightProvenance& provenance = provenance_[op.core];
  PendingCopies& pending = pending_[op.core];
  Memories& memories = core_memories(op.core);
  uint8_t* weight_sram = memories.at(Space::kWeight, 0);
  // Weight SRAM provenance: a constant LOAD's ranges name it, any other write makes them unknown.
  const int64_t writer = executable_->constant_write_[i] ? op.index : WeightProvenance::kUnknown;
  const Executable::Deferred& deferred = executable_->deferred_[i];
  if (deferred.bytes > 0 && options_.defer_weight_loads) {  // copied when read raw
    pending.Add(deferred.dst, deferred.dst + deferred.bytes,
                memories.at(Space::kDdr, deferred.src));
    provenance.Record(deferred.dst, deferred.dst + deferred.bytes, writer);
    return absl::OkStatus();
  }
  if (!pending.empty()) {  // raw weight SRAM reads and any writes see the deferred bytes first
    const bool lazy = executable_->reads_weights_lazily_[i];
    for (const Access& access : op.accesses) {
      if (access.space != Space::kWeight || (lazy && !access.write)) continue;
      for (const ByteRange& r : access.ranges) pending.Materialize(r.begin, r.end, weight_sram);
    }
  }
  units::ExecContext ctx{memories,
                         options_.kernel_path,
                         op.index,
                         op.name.c_str(),
                         {&provenance, executable_->packed_weights_.get(), &pending, weight_sram},
                         pool_.get()};
  if (absl::Status st = execute(ctx); !st.ok()) return st;
  for (const Access& access : op.accesses) {
    if (!access.write || access.space != Space::kWeight) continue;
    for (const ByteRange& r : access.ranges) provenance.Record(r.begin, r.end, writer);
  }
  return absl::OkStatus();
}

absl::StatusOr<RunResult> Simulate(const isa::Program& program, const SimulatorOptions& options) {
  absl::StatusOr<const isa::March*> march = isa::FindMarch(program.march);
  if (!march.ok()) return march.status();
  absl::StatusOr<std::unique_ptr<Simulator>> sim = Simulator::Create(program, **march, options);
  if (!sim.ok()) return sim.status();
  return (*sim)->Run();
}

}  // namespace openbpu::sim
