// WeightProvenance: which constant LOAD last wrote each weight SRAM byte, and the signatures the
// packed-weight store is keyed by; PackedWeightStore's lookups and its bound per instruction.
#include "simulator/weight_cache.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "isa/march.h"
#include "simulator/simulator.h"
#include "simulator/test_programs.h"

namespace openbpu::sim {
namespace {

std::vector<int64_t> Sig(const WeightProvenance& p, uint64_t begin, uint64_t end) {
  std::vector<int64_t> out;
  if (!p.Signature(begin, end, &out)) return {-1};
  return out;
}

TEST(WeightProvenance, SegmentsSplitAndUnknownBytesFail) {
  WeightProvenance p;
  EXPECT_EQ(Sig(p, 0, 10), std::vector<int64_t>{-1});  // nothing written yet: unknown
  p.Record(0, 100, 5);
  EXPECT_EQ(Sig(p, 10, 50), (std::vector<int64_t>{10, 50, 5}));
  p.Record(20, 30, 7);
  EXPECT_EQ(Sig(p, 0, 40), (std::vector<int64_t>{0, 20, 5, 20, 30, 7, 30, 40, 5}));
  p.Record(40, 60, WeightProvenance::kUnknown);  // e.g. a LOAD from the input region
  EXPECT_EQ(Sig(p, 35, 45), std::vector<int64_t>{-1});
  EXPECT_EQ(Sig(p, 60, 100), (std::vector<int64_t>{60, 100, 5}));
  EXPECT_EQ(Sig(p, 90, 110), std::vector<int64_t>{-1});  // past the last write
  p.Record(0, 200, 9);
  EXPECT_EQ(Sig(p, 0, 200), (std::vector<int64_t>{0, 200, 9}));
  p.Reset();
  EXPECT_EQ(Sig(p, 0, 1), std::vector<int64_t>{-1});
  EXPECT_EQ(Sig(p, 5, 5), std::vector<int64_t>{});  // an empty range needs no writer
}

TEST(PackedWeightStore, FindsByInstructionTagAndSignatureWithABound) {
  PackedWeightStore store;
  const std::vector<int64_t> a = {0, 64, 3}, b = {0, 64, 4};
  store.Insert(1, 0, a, std::make_shared<int>(10));
  EXPECT_EQ(*std::static_pointer_cast<const int>(store.Find(1, 0, a)), 10);
  EXPECT_EQ(store.Find(1, 1, a), nullptr);  // another layout
  EXPECT_EQ(store.Find(1, 0, b), nullptr);  // other bytes
  EXPECT_EQ(store.Find(2, 0, a), nullptr);  // another instruction
  for (int64_t w = 0; w < 10; ++w) store.Insert(1, 0, {0, 64, w}, std::make_shared<int>(w));
  EXPECT_EQ(store.entries(), PackedWeightStore::kMaxPerInstruction);
  EXPECT_EQ(*std::static_pointer_cast<const int>(store.Find(1, 0, {0, 64, 9})), 9);

  // WeightCache: packs once while provable, every time otherwise; null results are not kept.
  WeightProvenance prov;
  prov.Record(0, 64, 3);
  WeightCache cache{&prov, &store};
  int packs = 0;
  auto pack = [&]() -> std::shared_ptr<const void> { return std::make_shared<int>(++packs); };
  cache.Get(7, 0, 0, 64, pack);
  cache.Get(7, 0, 0, 64, pack);
  EXPECT_EQ(packs, 1);
  prov.Record(10, 20, WeightProvenance::kUnknown);
  cache.Get(7, 0, 0, 64, pack);
  cache.Get(7, 0, 0, 64, pack);
  EXPECT_EQ(packs, 3);
  EXPECT_EQ(cache.Get(8, 0, 30, 40, [] { return std::shared_ptr<const void>(); }), nullptr);
  EXPECT_EQ(store.Find(8, 0, {30, 40, 3}), nullptr);
}

// Packed weights are reused only while their bytes are provably the program's constants: here
// a second LOAD overwrites conv_requant's weights with bytes from the input region, which change
// between runs, and every run gives its own weights' result (16 with conv_requant's, 0 + bias 10
// -> 5 with zeros), packing afresh each time.
TEST(Simulator, WeightsFromTheInputAreNeverReusedStale) {
  testing::TestProgram t;
  for (const testing::TestProgram& c : testing::AllTestPrograms()) {
    if (c.name == "conv_requant") t = c;
  }
  t.assembly = absl::StrReplaceAll(
      t.assembly, {{".ddr input=8", ".ddr input=16"},
                   {"load dst_space=weight dst=0 region=param offset=0 signal=1 layer=1",
                    "load dst_space=weight dst=0 region=param offset=0 layer=1\n"
                    "load.shape elem=1 n0=8 n1=1 n2=1\n"
                    "load dst_space=weight dst=0 region=input offset=8 signal=1 layer=1"}});
  auto p = testing::Build(t);
  ASSERT_TRUE(p.ok()) << p.status();
  for (int threads : {1, 2}) {
    SimulatorOptions opt;
    opt.threads = threads;
    auto sim = Simulator::Create(*p, **isa::FindMarch(p->march), opt);
    ASSERT_TRUE(sim.ok()) << sim.status();
    const std::vector<uint8_t> weights(t.params.begin(), t.params.begin() + 8), zeros(8, 0);
    for (const auto& [w, want] : {std::make_pair(weights, 16), std::make_pair(zeros, 5),
                                  std::make_pair(weights, 16), std::make_pair(zeros, 5)}) {
      std::vector<uint8_t> in = t.input;
      in.insert(in.end(), w.begin(), w.end());
      ASSERT_TRUE((*sim)->WriteRegion(isa::Region::kInput, 0, in).ok());
      ASSERT_TRUE((*sim)->Run().ok());
      uint8_t out = 0;
      ASSERT_TRUE((*sim)->ReadRegion(isa::Region::kOutput, 0, absl::MakeSpan(&out, 1)).ok());
      EXPECT_EQ(out, want) << "threads " << threads;
    }
    // The requantize records come from the param region alone: stored once. The conv's weights
    // are partly the input's: never stored.
    EXPECT_EQ((*sim)->executable()->packed_weight_entries(), 1u);
  }
}

}  // namespace
}  // namespace openbpu::sim
