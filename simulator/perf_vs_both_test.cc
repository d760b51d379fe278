// perf mode (never reads data) and both mode must report identical cycles on every test
// program, overlapped and force-serial; the statistics fill proto/perf.proto.
#include <cstdio>

#include "gtest/gtest.h"
#include "simulator/perf_proto.h"
#include "simulator/simulator.h"
#include "simulator/test_programs.h"

namespace openbpu::sim {
namespace {

// The number of distinct test programs when this floor was set; a program removed by mistake fails.
constexpr int kMinPrograms = 11;

TEST(PerfVsBoth, IdenticalCyclesOnEveryProgram) {
  int programs = 0, runs = 0, mismatches = 0;
  for (const testing::TestProgram& t : testing::AllTestPrograms()) {
    ++programs;
    for (bool serial : {false, true}) {
      auto perf = testing::RunTestProgram(t, Mode::kPerf, serial);
      auto both = testing::RunTestProgram(t, Mode::kBoth, serial);
      ASSERT_TRUE(perf.ok()) << t.name << ": " << perf.status();
      ASSERT_TRUE(both.ok()) << t.name << ": " << both.status();
      ++runs;
      const SimStats& a = perf->result.stats;
      const SimStats& b = both->result.stats;
      bool same = a.total_cycles == b.total_cycles && a.ddr_loaded_bytes == b.ddr_loaded_bytes &&
                  a.ddr_stored_bytes == b.ddr_stored_bytes;
      for (int u = 0; u < kNumUnits; ++u) same &= a.units[u].busy_cycles == b.units[u].busy_cycles;
      for (size_t i = 0; i < perf->result.schedule.times.size(); ++i) {
        same &= perf->result.schedule.times[i].start == both->result.schedule.times[i].start &&
                perf->result.schedule.times[i].end == both->result.schedule.times[i].end;
      }
      if (!same) {
        ++mismatches;
        ADD_FAILURE() << t.name << (serial ? " (serial)" : "") << ": perf " << a.total_cycles
                      << " cycles, both " << b.total_cycles;
      }
    }
  }
  // Each distinct program runs twice per mode: overlapped and force-serial.
  std::printf("perf-vs-both: %d programs, %d runs, %d cycle mismatches\n", programs, runs,
              mismatches);
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(runs, 2 * programs);
  EXPECT_GE(programs, kMinPrograms);
}

TEST(PerfVsBoth, StatisticsFillThePerfProto) {
  const testing::TestProgram* db = nullptr;
  for (const auto& t : testing::AllTestPrograms())
    if (t.name == "double_buffered_conv") db = &t;
  ASSERT_NE(db, nullptr);
  auto out = testing::RunTestProgram(*db, Mode::kPerf);
  ASSERT_TRUE(out.ok());
  const perf::SimStats p = ToProto(out->result.stats, **isa::FindMarch("bernoulli2"), Mode::kPerf);
  EXPECT_EQ(p.march(), "bernoulli2");
  EXPECT_EQ(p.mode(), "perf");
  EXPECT_EQ(p.total_cycles(), out->result.stats.total_cycles);
  EXPECT_DOUBLE_EQ(p.latency_us(), p.total_cycles() / 1000.0);
  ASSERT_EQ(p.units_size(), 5);
  EXPECT_EQ(p.units(2).name(), "tae");
  EXPECT_GT(p.units(2).busy_cycles(), 0u);
  ASSERT_EQ(p.layers_size(), 1);
  EXPECT_EQ(p.layers(0).name(), "layer1.0.conv1");
  EXPECT_EQ(p.layers(0).macs(), 1024u);
  EXPECT_EQ(p.ddr_loaded_bytes(), 48u + 1024u);
  std::printf("%s\n", p.DebugString().c_str());
}

}  // namespace
}  // namespace openbpu::sim
