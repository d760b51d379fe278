// WeightProvenance: which constant LOAD last wrote each weight SRAM byte, and the signatures the
// packed-weight store is keyed by; PackedWeightStore's lookups and its bound per instruction.
#include "simulator/weight_cache.h"

#include <memory>
#include <vector>

#include "gtest/gtest.h"

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

}  // namespace
}  // namespace openbpu::sim
