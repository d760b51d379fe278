// Func mode over threads (issue 16), also run under ThreadSanitizer (tag "tsan"): the pool runs
// every index once whatever the count, back to back jobs see no stale state, and every test
// program gives the same bytes on 1, 2 and 4 threads over repeated runs.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "isa/march.h"
#include "simulator/simulator.h"
#include "simulator/test_programs.h"
#include "simulator/thread_pool.h"

namespace openbpu::sim {
namespace {

TEST(ThreadPool, EveryIndexOnceWhateverTheCount) {
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (int round = 0; round < 50; ++round) {  // jobs back to back, some tiny
      for (int64_t n : {0, 1, 2, 7, 1000}) {
        std::vector<int> hits(static_cast<size_t>(n), 0);
        pool.ParallelFor(n, [&](int64_t i) { ++hits[static_cast<size_t>(i)]; });
        for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[static_cast<size_t>(i)], 1) << i;
      }
    }
  }
}

TEST(Simulator, ThreadsGiveTheSameBytes) {
  int runs = 0;
  for (const testing::TestProgram& t : testing::AllTestPrograms()) {
    auto p = testing::Build(t);
    ASSERT_TRUE(p.ok());
    std::vector<uint8_t> first;
    for (int threads : {1, 2, 4}) {
      SimulatorOptions opt;
      opt.threads = threads;
      auto sim = Simulator::Create(*p, **isa::FindMarch(p->march), opt);
      ASSERT_TRUE(sim.ok()) << sim.status();
      for (int run = 0; run < 2; ++run, ++runs) {
        ASSERT_TRUE((*sim)->WriteRegion(isa::Region::kInput, 0, t.input).ok());
        ASSERT_TRUE((*sim)->Run().ok());
        std::vector<uint8_t> out(p->ddr_output_bytes);
        ASSERT_TRUE((*sim)->ReadRegion(isa::Region::kOutput, 0, absl::MakeSpan(out)).ok());
        if (first.empty()) first = out;
        ASSERT_EQ(out, first) << t.name << " threads " << threads << " run " << run;
      }
    }
  }
  std::printf("threads: %d runs on 1, 2 and 4 threads, all equal\n", runs);
}

// Deferred weight LOADs leave every memory as copying each LOAD would: all SRAMs of every core
// and the DDR, after each of two runs, for every test program.
TEST(Simulator, DeferredWeightLoadsLeaveTheSameMemories) {
  int programs = 0;
  for (const testing::TestProgram& t : testing::AllTestPrograms()) {
    auto p = testing::Build(t);
    ASSERT_TRUE(p.ok());
    std::vector<std::unique_ptr<Simulator>> sims;
    for (bool defer : {false, true}) {
      SimulatorOptions opt;
      opt.defer_weight_loads = defer;
      auto sim = Simulator::Create(*p, **isa::FindMarch(p->march), opt);
      ASSERT_TRUE(sim.ok()) << sim.status();
      sims.push_back(*std::move(sim));
    }
    for (int run = 0; run < 2; ++run) {
      for (auto& sim : sims) {
        ASSERT_TRUE(sim->WriteRegion(isa::Region::kInput, 0, t.input).ok());
        ASSERT_TRUE(sim->Run().ok()) << t.name;
      }
      for (int core = 0; core < p->cores; ++core) {
        for (Space space :
             {Space::kDdr, Space::kFeature, Space::kWeight, Space::kAcc, Space::kLut}) {
          const auto a = sims[0]->core_memories(core).bytes(space);
          const auto b = sims[1]->core_memories(core).bytes(space);
          ASSERT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()))
              << t.name << " core " << core << " " << SpaceName(space) << " run " << run;
        }
      }
    }
    ++programs;
  }
  std::printf("deferred-loads: %d programs, memories equal after each run\n", programs);
}

TEST(Simulator, ThreadCountIsChecked) {
  const testing::TestProgram& t = testing::AllTestPrograms().front();
  auto p = testing::Build(t);
  ASSERT_TRUE(p.ok());
  for (int threads : {0, -1, 257}) {
    SimulatorOptions opt;
    opt.threads = threads;
    auto sim = Simulator::Create(*p, **isa::FindMarch(p->march), opt);
    EXPECT_FALSE(sim.ok()) << threads;
  }
}

}  // namespace
}  // namespace openbpu::sim
