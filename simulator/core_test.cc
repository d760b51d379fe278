// Timing engine, hazard checker, statistics and trace on hand-built instruction streams with
// hand-computed cycle counts.
#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simulator/hazard.h"
#include "simulator/memory.h"
#include "simulator/stats.h"
#include "simulator/timing.h"

namespace openbpu::sim {
namespace {

using ::testing::HasSubstr;

// Channels: 0 = LOAD->TAE, 1 = TAE->LOAD, 2 = TAE->STORE.
TimingConfig Config() {
  TimingConfig c;
  c.ddr_bytes_per_cycle = 16;
  c.ddr_latency_cycles = 10;
  c.num_channels = 3;
  return c;
}

SimOp Load(int64_t index, uint64_t sram_addr, uint64_t bytes, std::vector<int> signals = {},
           std::vector<int> waits = {}) {
  SimOp op;
  op.unit = Unit::kLoad;
  op.index = index;
  op.name = "load";
  op.ddr_bytes = bytes;
  op.signals = std::move(signals);
  op.waits = std::move(waits);
  op.accesses.push_back({Space::kDdr, false, {{0, bytes}}});
  op.accesses.push_back({Space::kFeature, true, {{sram_addr, sram_addr + bytes}}});
  return op;
}

SimOp Tae(int64_t index, uint64_t sram_addr, uint64_t bytes, uint64_t cycles,
          std::vector<int> waits = {}, std::vector<int> signals = {}) {
  SimOp op;
  op.unit = Unit::kTae;
  op.index = index;
  op.name = "conv";
  op.cycles = cycles;
  op.macs = 100;
  op.waits = std::move(waits);
  op.signals = std::move(signals);
  op.accesses.push_back({Space::kFeature, false, {{sram_addr, sram_addr + bytes}}});
  op.accesses.push_back({Space::kAcc, true, {{0, 64}}});
  return op;
}

SimOp Store(int64_t index, std::vector<int> waits) {
  SimOp op;
  op.unit = Unit::kStore;
  op.index = index;
  op.name = "store";
  op.ddr_bytes = 64;
  op.ddr_write = true;
  op.waits = std::move(waits);
  op.accesses.push_back({Space::kAcc, false, {{0, 64}}});
  op.accesses.push_back({Space::kDdr, true, {{4096, 4096 + 64}}});
  return op;
}

absl::StatusOr<Schedule> RunOps(const std::vector<SimOp>& ops, const TimingConfig& config,
                                std::vector<int>* order = nullptr) {
  HazardChecker hazards(ops);
  return RunTiming(ops, config, [&](int i, const VectorClock& vc) {
    if (order) order->push_back(i);
    return hazards.OnStart(i, vc);
  });
}

TEST(Timing, ClosedFormCyclesWithSharedDdr) {
  // Two loads of 160 B (10 transfer cycles each, +10 latency): the second waits for the
  // DDR channel, so they finish at 20 and 30. The TAE waits for both tokens (30) and runs
  // 50 cycles; the store then moves 64 B: 4 cycles + 10 latency.
  std::vector<SimOp> ops = {Load(0, 0, 160, {0}), Load(1, 256, 160, {0}),
                            Tae(2, 0, 416, 50, {0, 0}, {2}), Store(3, {2})};
  auto s = RunOps(ops, Config());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->times[0].start, 0u);
  EXPECT_EQ(s->times[0].end, 20u);
  EXPECT_EQ(s->times[1].start, 20u);  // in-order LOAD queue
  EXPECT_EQ(s->times[1].end, 40u);
  EXPECT_EQ(s->times[2].start, 40u);
  EXPECT_EQ(s->times[2].end, 90u);
  EXPECT_EQ(s->times[3].end, 104u);
  EXPECT_EQ(s->total_cycles, 104u);

  SimStats st = ComputeStats(ops, *s, 1000.0, {});
  EXPECT_EQ(st.units[static_cast<int>(Unit::kLoad)].busy_cycles, 40u);
  EXPECT_EQ(st.units[static_cast<int>(Unit::kTae)].busy_cycles, 50u);
  EXPECT_EQ(st.ddr_loaded_bytes, 320u);
  EXPECT_EQ(st.ddr_stored_bytes, 64u);
  EXPECT_DOUBLE_EQ(st.latency_us, 0.104);
}

TEST(Timing, LoadAndStoreShareTheDdrChannel) {
  // A load and an independent store start together; the store's transfer queues behind the
  // load's 10 transfer cycles: store ends at 10 + 4 + 10.
  std::vector<SimOp> ops = {Load(0, 0, 160), Store(1, {})};
  ops[1].accesses.clear();
  auto s = RunOps(ops, Config());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->times[0].end, 20u);
  EXPECT_EQ(s->times[1].start, 0u);
  EXPECT_EQ(s->times[1].end, 24u);
}

TEST(Timing, SeveralDmasInFlightOverlapTheirLatency) {
  // Three independent loads of 160 B (10 transfer cycles, 10 latency). One in flight per queue:
  // 20, 40, 60. Four in flight: each starts at 0; their transfers take turns on the channel
  // (ending at 10, 20, 30) and each adds its latency: 20, 30, 40, in order.
  std::vector<SimOp> ops = {Load(0, 0, 160), Load(1, 256, 160), Load(2, 512, 160)};
  auto one = RunOps(ops, Config());
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->total_cycles, 60u);
  TimingConfig four = Config();
  four.dma_outstanding = 4;
  auto s = RunOps(ops, four);
  ASSERT_TRUE(s.ok()) << s.status();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(s->times[i].start, 0u) << i;
    EXPECT_EQ(s->times[i].end, 20u + 10u * i) << i;
  }
  EXPECT_EQ(s->total_cycles, 40u);
  // Busy time is the union of the overlapping spans, never more than the run.
  SimStats st = ComputeStats(ops, *s, 1000.0, {});
  EXPECT_EQ(st.units[static_cast<int>(Unit::kLoad)].busy_cycles, 40u);
  // Two in flight: the third starts when the first completes (20); the channel is free then:
  // transfer 20..30, done at 40.
  TimingConfig two = Config();
  two.dma_outstanding = 2;
  auto t = RunOps(ops, two);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->times[2].start, 20u);
  EXPECT_EQ(t->times[2].end, 40u);
}

TEST(Timing, ChargedBytesSetTheTransferTime) {
  // 48 useful bytes in 16 runs of 3 bytes, charged as 16 bursts of 64: 1024 / 16 = 64 transfer
  // cycles instead of 3.
  std::vector<SimOp> ops = {Load(0, 0, 48)};
  ops[0].ddr_charged_bytes = 16 * 64;
  auto s = RunOps(ops, Config());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->times[0].end, 64u + 10u);
  EXPECT_EQ(ComputeStats(ops, *s, 1000.0, {}).ddr_loaded_bytes, 48u);  // useful bytes
}

TEST(Timing, UnitsOverlapUnlessForcedSerial) {
  // Double-buffered: load A, load B; conv A overlaps load B.
  std::vector<SimOp> ops = {Load(0, 0, 160, {0}), Load(1, 256, 160, {0}), Tae(2, 0, 160, 100, {0}),
                            Tae(3, 256, 160, 100, {0})};
  ops[3].accesses[1].ranges = {{64, 128}};
  std::vector<int> order;
  auto s = RunOps(ops, Config(), &order);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->total_cycles, 220u);  // 20 + 100 + 100
  EXPECT_EQ(s->times[2].start, 20u);
  EXPECT_LT(s->times[2].start, s->times[1].end);  // overlap

  TimingConfig serial = Config();
  serial.force_serial = true;
  auto ser = RunOps(ops, serial);
  ASSERT_TRUE(ser.ok()) << ser.status();
  EXPECT_EQ(ser->total_cycles, 20u + 20u + 100u + 100u);
  for (int i = 1; i < 4; ++i) EXPECT_EQ(ser->times[i].start, ser->times[i - 1].end);
}

TEST(Timing, DeadlockNamesStuckQueuesAndChannels) {
  std::vector<SimOp> ops = {Load(0, 0, 16, {}, {1}), Tae(1, 0, 16, 5, {0}, {})};
  TimingConfig c = Config();
  c.channel_name = [](int ch) { return ch == 0 ? std::string("LOAD->TAE") : "TAE->LOAD"; };
  auto s = RunOps(ops, c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("deadlock"));
  EXPECT_THAT(s.status().message(), HasSubstr("LOAD queue stuck at instruction 0"));
  EXPECT_THAT(s.status().message(), HasSubstr("TAE queue stuck at instruction 1"));
  EXPECT_THAT(s.status().message(), HasSubstr("LOAD->TAE has 0 token(s)"));
}

TEST(Timing, CycleBudget) {
  std::vector<SimOp> ops = {Tae(0, 0, 16, 1000)};
  TimingConfig c = Config();
  c.max_cycles = 500;
  auto s = RunOps(ops, c);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(Timing, BadChannelIsAnError) {
  std::vector<SimOp> ops = {Tae(0, 0, 16, 10, {7})};
  EXPECT_EQ(RunOps(ops, Config()).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Hazard, MissingTokenIsCaughtEvenWhenTimingHidesIt) {
  // The conv reads bytes the load writes. With the token: fine. Without: a hazard, even
  // though here the TAE is also delayed past the load's end by an unrelated wait.
  std::vector<SimOp> good = {Load(0, 0, 64, {0}), Tae(1, 0, 64, 10, {0})};
  ASSERT_TRUE(RunOps(good, Config()).ok());

  std::vector<SimOp> bad = {Load(0, 0, 64), Tae(1, 0, 64, 10)};
  auto s = RunOps(bad, Config());
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("hazard: instruction 1 (conv on TAE) reads FSRAM"));
  EXPECT_THAT(s.status().message(), HasSubstr("instruction 0 (load on LOAD) writes"));

  // Timing luck: the TAE starts after the load ends (it waits on a slow, unrelated VAE op),
  // but nothing orders it after the load.
  SimOp slow;
  slow.unit = Unit::kVae;
  slow.index = 0;
  slow.name = "slow";
  slow.cycles = 1000;
  slow.signals = {2};
  std::vector<SimOp> lucky = {slow, Load(1, 0, 64), Tae(2, 0, 64, 10, {2})};
  auto l = RunOps(lucky, Config());
  ASSERT_FALSE(l.ok());
  EXPECT_THAT(l.status().message(), HasSubstr("hazard"));
}

TEST(Hazard, WriteAfterReadNeedsABackwardToken) {
  // Load buffer, conv reads it, the next load overwrites it: the LOAD must wait for the
  // TAE's token (channel 1) or it races with the conv.
  std::vector<SimOp> ok = {Load(0, 0, 64, {0}), Tae(1, 0, 64, 10, {0}, {1}),
                           Load(2, 0, 64, {0}, {1}), Tae(3, 0, 64, 10, {0})};
  ASSERT_TRUE(RunOps(ok, Config()).ok());
  std::vector<SimOp> bad = {Load(0, 0, 64, {0}), Tae(1, 0, 64, 10, {0}), Load(2, 0, 64, {0}),
                            Tae(3, 0, 64, 10, {0})};
  auto s = RunOps(bad, Config());
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("instruction 2 (load on LOAD) writes"));
}

TEST(Hazard, DisjointStridedRangesDoNotConflict) {
  // Two loads writing interleaved rows of one buffer, unordered: no shared byte.
  SimOp a = Load(0, 0, 0), b = Load(1, 0, 0);
  a.unit = Unit::kLoad;
  b.unit = Unit::kAae;  // another unit so they are unordered
  a.accesses = {{Space::kFeature, true, {{0, 8}, {16, 24}, {32, 40}}}};
  b.accesses = {{Space::kFeature, true, {{8, 16}, {24, 32}, {40, 48}}}};
  ASSERT_TRUE(RunOps({a, b}, Config()).ok());
  b.accesses[0].ranges.push_back({39, 41});
  auto s = RunOps({a, b}, Config());
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("[0x27, 0x28)"));
}

TEST(Hazard, RecordsArePruned) {
  std::vector<SimOp> ops;
  for (int i = 0; i < 1000; ++i) {
    ops.push_back(Load(2 * i, 0, 64, {0}, i ? std::vector<int>{1} : std::vector<int>{}));
    ops.push_back(Tae(2 * i + 1, 0, 64, 10, {0}, {1}));
  }
  HazardChecker h(ops);
  auto s = RunTiming(ops, Config(), [&](int i, const VectorClock& vc) { return h.OnStart(i, vc); });
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_LT(h.live_records(), 400);
}

TEST(Memory, BoundsCheckNamesInstructionAndRange) {
  MemoryConfig mc;
  mc[Space::kFeature] = 1024;
  Memories m(mc, true);
  EXPECT_TRUE(m.Check(Space::kFeature, 1000, 24, 3, "load dst").ok());
  absl::Status st = m.Check(Space::kFeature, 1000, 25, 3, "load dst");
  EXPECT_EQ(st.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(st.message(), HasSubstr("instruction 3: load dst accesses FSRAM [0x3e8, 0x401)"));
  EXPECT_FALSE(m.Check(Space::kFeature, UINT64_MAX - 2, 8, 4, "x").ok());  // no wraparound
  EXPECT_FALSE(m.Check(Space::kDdr, 0, 1, 5, "x").ok());                   // zero-sized memory
  Memories perf(mc, false);
  EXPECT_TRUE(perf.Check(Space::kFeature, 0, 1024, 0, "x").ok());
  EXPECT_TRUE(perf.bytes(Space::kFeature).empty());
}

TEST(Trace, IsValidJsonWithOneTrackPerUnit) {
  std::vector<SimOp> ops = {Load(0, 0, 160, {0}), Tae(1, 0, 160, 50, {0}, {2}), Store(2, {2})};
  ops[1].name = "conv \"3x3\"\n";  // escaping
  ops[1].layer_id = 4;
  auto s = RunOps(ops, Config());
  ASSERT_TRUE(s.ok());
  const std::string json = ChromeTraceJson(ops, *s, 1000.0, {{4, "layer1.0.conv1"}});
  const std::string path = absl::StrCat(testing::TempDir(), "/trace.json");
  std::ofstream(path) << json;
  const std::string cmd = absl::StrCat("/usr/bin/python3 simulator/trace_check.py ", path, " 3 5");
  EXPECT_EQ(std::system(cmd.c_str()), 0) << json;
  SimStats st = ComputeStats(ops, *s, 1000.0, {{4, "layer1.0.conv1"}});
  ASSERT_EQ(st.layers.size(), 1u);
  EXPECT_EQ(st.layers[0].name, "layer1.0.conv1");
  EXPECT_EQ(st.layers[0].compute_cycles, 50u);
  std::printf("%s", StatsSummary(st).c_str());
}

}  // namespace
}  // namespace openbpu::sim
