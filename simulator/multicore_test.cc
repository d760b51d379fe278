// ISA 1.2 multi-core programs on the simulator: each core's own SRAMs, DDR shared, xsync carrying
// order (and its absence reported as a hazard or a deadlock naming the core), the DDR channel
// shared between cores, compute overlapping across cores, and the per-core trace.
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "isa/assembler.h"
#include "simulator/simulator.h"

namespace openbpu::sim {
namespace {

using ::testing::HasSubstr;

// Core 0 copies the input to scratch and signals core 1, which copies scratch (through its own
// feature SRAM at 64) to the output.
constexpr char kHandoff[] = R"(.march bernoulli2
.cores 2
.ddr input=32 output=32 scratch=32
load.shape elem=1 n0=32 n1=1 n2=1
load dst_space=feature dst=0 region=input offset=0 signal=1
store.shape elem=1 n0=32 n1=1 n2=1
store src_space=feature src=0 region=scratch offset=0 wait=1
xsync unit=store core=1 sem=2
end
load.shape elem=1 n0=32 n1=1 n2=1
load dst_space=feature dst=64 region=scratch offset=0 wait=2 signal=3
store.shape elem=1 n0=32 n1=1 n2=1
store src_space=feature src=64 region=output offset=0 wait=3
end
)";

absl::StatusOr<std::unique_ptr<Simulator>> Make(const std::string& text, Mode mode) {
  absl::StatusOr<isa::Program> p = isa::AssembleProgram(text);
  if (!p.ok()) return p.status();
  SimulatorOptions options;
  options.run.mode = mode;
  return Simulator::Create(*p, **isa::FindMarch(p->march), options);
}

TEST(MultiCore, HandoffThroughDdrWithOwnSrams) {
  std::vector<uint8_t> in(32);
  for (int i = 0; i < 32; ++i) in[i] = static_cast<uint8_t>(3 * i + 1);
  for (Mode mode : {Mode::kFunc, Mode::kBoth}) {
    auto sim = Make(kHandoff, mode);
    ASSERT_TRUE(sim.ok()) << sim.status();
    ASSERT_TRUE((*sim)->WriteRegion(isa::Region::kInput, 0, in).ok());
    absl::StatusOr<RunResult> r = (*sim)->Run();
    ASSERT_TRUE(r.ok()) << r.status();
    std::vector<uint8_t> out(32);
    ASSERT_TRUE((*sim)->ReadRegion(isa::Region::kOutput, 0, absl::MakeSpan(out)).ok());
    EXPECT_EQ(out, in) << ModeName(mode);
    // Core 1 wrote its own feature SRAM at 64; core 0's stays zero there, and core 1's at 0.
    std::vector<uint8_t> c0(32), c1(32), c1_low(32);
    ASSERT_TRUE((*sim)->core_memories(0).Read(Space::kFeature, 64, absl::MakeSpan(c0)).ok());
    ASSERT_TRUE((*sim)->core_memories(1).Read(Space::kFeature, 64, absl::MakeSpan(c1)).ok());
    ASSERT_TRUE((*sim)->core_memories(1).Read(Space::kFeature, 0, absl::MakeSpan(c1_low)).ok());
    EXPECT_EQ(c0, std::vector<uint8_t>(32, 0));
    EXPECT_EQ(c1, in);
    EXPECT_EQ(c1_low, std::vector<uint8_t>(32, 0));
    if (mode == Mode::kBoth) {
      EXPECT_EQ(r->stats.cores, 2);
      // Core 1's load starts only after core 0's store and the xsync's cost.
      const isa::March& march = (*sim)->march();
      const Schedule& s = r->schedule;
      // ops: 0 load.shape, 1 load, 2 store.shape, 3 store, 4 xsync, 5 load.shape, 6 load, ...
      EXPECT_EQ(s.times[4].end - s.times[4].start,
                static_cast<uint64_t>(march.core_sync_cycles.value));
      EXPECT_GE(s.times[6].start, s.times[4].end);
    }
  }
}

TEST(MultiCore, MissingXsyncIsAHazardAndAMissingSignalADeadlock) {
  // Without the wait, core 1 reads scratch bytes core 0 writes with nothing ordering them.
  const std::string unordered =
      absl::StrReplaceAll(kHandoff, {{"offset=0 wait=2 signal=3", "offset=0 signal=3"},
                                     {"xsync unit=store core=1 sem=2", "sync unit=store"}});
  auto sim = Make(unordered, Mode::kBoth);
  ASSERT_TRUE(sim.ok()) << sim.status();
  absl::StatusOr<RunResult> r = (*sim)->Run();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("hazard"));
  EXPECT_THAT(r.status().message(), HasSubstr("core 1 LOAD"));
  // With the wait but no xsync, core 1 waits forever: the report names core 1's queue.
  const std::string stuck =
      absl::StrReplaceAll(kHandoff, {{"xsync unit=store core=1 sem=2", "sync unit=store"}});
  sim = Make(stuck, Mode::kPerf);
  ASSERT_TRUE(sim.ok()) << sim.status();
  r = (*sim)->Run();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("deadlock"));
  EXPECT_THAT(r.status().message(), HasSubstr("core 1 LOAD queue stuck"));
  EXPECT_THAT(r.status().message(), HasSubstr("core 1 sem2"));
}

// `per_core` 1x1 conv tiles on each of `cores` cores (no data: perf mode).
std::string Convs(int cores, int per_core) {
  std::string text = absl::StrCat(".march bernoulli2\n.cores ", cores, "\n");
  for (int c = 0; c < cores; ++c) {
    absl::StrAppend(&text, "tae.tile in_h=32 in_w=32 in_c=64 out_c=64\n");
    for (int i = 0; i < per_core; ++i) absl::StrAppend(&text, "tae.conv in=0 weight=0 acc=0\n");
    absl::StrAppend(&text, "end\n");
  }
  return text;
}

// `per_core` DMAs of 64 KiB on each core's LOAD queue.
std::string Loads(int cores, int per_core) {
  std::string text =
      absl::StrCat(".march bernoulli2\n.cores ", cores, "\n.ddr input=65536 output=0 scratch=0\n");
  for (int c = 0; c < cores; ++c) {
    absl::StrAppend(&text,
                    "load.shape elem=1 n0=4096 n1=16 n2=1\nload.stride ddr_s1=4096 sram_s1=4096\n");
    for (int i = 0; i < per_core; ++i) {
      absl::StrAppend(&text, "load dst_space=feature dst=0 region=input offset=0\n");
    }
    absl::StrAppend(&text, "end\n");
  }
  return text;
}

uint64_t Cycles(const std::string& text) {
  auto sim = Make(text, Mode::kPerf);
  EXPECT_TRUE(sim.ok()) << sim.status();
  if (!sim.ok()) return 0;
  absl::StatusOr<RunResult> r = (*sim)->Run();
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? r->stats.total_cycles : 0;
}

TEST(MultiCore, ComputeOverlapsAcrossCoresButDdrIsShared) {
  // Eight conv tiles on one core take twice as long as four on each of two.
  const uint64_t one = Cycles(Convs(1, 8)), two = Cycles(Convs(2, 4));
  EXPECT_EQ(one - 1, 2 * (two - 1));  // less the one-cycle tae.tile
  // Eight 64 KiB loads: the two cores' LOAD queues share the one DDR channel, so splitting them
  // saves at most the latency overlap, never half the transfer time.
  const isa::March& march = **isa::FindMarch("bernoulli2");
  const uint64_t transfer = DdrTransferCycles(8 * 65536, march.DdrBytesPerCycle());
  const uint64_t load_one = Cycles(Loads(1, 8)), load_two = Cycles(Loads(2, 4));
  EXPECT_GE(load_two, transfer);
  EXPECT_GE(load_one, transfer);
  EXPECT_LE(load_two, load_one);
  EXPECT_GT(2 * load_two, load_one + load_one / 2);  // far from a 2x speed-up
}

TEST(MultiCore, TraceHasOneProcessPerCore) {
  auto sim = Make(kHandoff, Mode::kBoth);
  ASSERT_TRUE(sim.ok());
  RunOptions run;
  run.mode = Mode::kBoth;
  run.trace = true;
  absl::StatusOr<RunResult> r = (*sim)->Run(run);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(StatsSummary(r->stats), HasSubstr("2 BPU cores"));
  const std::string path = absl::StrCat(::testing::TempDir(), "/multicore_trace.json");
  std::ofstream(path) << r->trace_json;
  const std::string cmd =
      absl::StrCat("/usr/bin/python3 simulator/trace_check.py ", path, " 9 5 2");
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace openbpu::sim
