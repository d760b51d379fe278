#include "simulator/weight_cache.h"

#include <algorithm>

namespace openbpu::sim {

void WeightProvenance::Record(uint64_t begin, uint64_t end, int64_t writer) {
  if (begin >= end) return;
  // Cut the segments overlapping [begin, end): keep their parts outside it.
  auto it = segments_.upper_bound(begin);
  if (it != segments_.begin()) --it;
  while (it != segments_.end() && it->first < end) {
    const uint64_t s = it->first, e = it->second.first;
    const int64_t w = it->second.second;
    if (e <= begin) {
      ++it;
      continue;
    }
    it = segments_.erase(it);
    if (s < begin) segments_.emplace(s, std::make_pair(begin, w));
    if (e > end) it = segments_.emplace(end, std::make_pair(e, w)).first;
  }
  if (writer != kUnknown) segments_.emplace(begin, std::make_pair(end, writer));
}

bool WeightProvenance::Signature(uint64_t begin, uint64_t end, std::vector<int64_t>* out) const {
  out->clear();
  if (begin >= end) return true;
  auto it = segments_.upper_bound(begin);
  if (it == segments_.begin()) return false;
  --it;
  uint64_t at = begin;
  while (at < end) {
    if (it == segments_.end() || it->first > at || it->second.first <= at) return false;
    const uint64_t stop = std::min(end, it->second.first);
    out->push_back(static_cast<int64_t>(at));
    out->push_back(static_cast<int64_t>(stop));
    out->push_back(it->second.second);
    at = stop;
    ++it;
  }
  return true;
}

void PendingCopies::Add(uint64_t begin, uint64_t end, const uint8_t* src) {
  if (begin >= end) return;
  Cut(begin, end, nullptr);
  copies_.emplace(begin, std::make_pair(end, src));
}

void PendingCopies::Cut(uint64_t begin, uint64_t end, uint8_t* sram) {
  auto it = copies_.upper_bound(begin);
  if (it != copies_.begin()) --it;
  while (it != copies_.end() && it->first < end) {
    const uint64_t s = it->first, e = it->second.first;
    const uint8_t* src = it->second.second;
    if (e <= begin) {
      ++it;
      continue;
    }
    const uint64_t lo = std::max(s, begin), hi = std::min(e, end);
    if (sram != nullptr) std::memcpy(sram + lo, src + (lo - s), static_cast<size_t>(hi - lo));
    it = copies_.erase(it);
    if (s < begin) copies_.emplace(s, std::make_pair(begin, src));
    if (e > end) it = copies_.emplace(end, std::make_pair(e, src + (end - s))).first;
  }
}

std::shared_ptr<const void> PackedWeightStore::Find(int64_t instruction, int tag,
                                                    const std::vector<int64_t>& signature) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(instruction);
  if (it == entries_.end()) return nullptr;
  for (const Entry& e : it->second) {
    if (e.tag == tag && e.signature == signature) return e.packed;
  }
  return nullptr;
}

void PackedWeightStore::Insert(int64_t instruction, int tag, std::vector<int64_t> signature,
                               std::shared_ptr<const void> packed) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Entry>& list = entries_[instruction];
  for (const Entry& e : list) {
    if (e.tag == tag && e.signature == signature) return;  // another thread stored it first
  }
  if (list.size() >= kMaxPerInstruction) list.erase(list.begin());
  list.push_back({tag, std::move(signature), std::move(packed)});
}

size_t PackedWeightStore::entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [instruction, list] : entries_) n += list.size();
  return n;
}

std::shared_ptr<const void> WeightCache::Get(
    int64_t instruction, int tag, uint64_t begin, uint64_t end,
    absl::FunctionRef<std::shared_ptr<const void>()> pack) const {
  thread_local std::vector<int64_t> signature;
  if (provenance == nullptr || store == nullptr || !provenance->Signature(begin, end, &signature)) {
    return pack();
  }
  if (std::shared_ptr<const void> found = store->Find(instruction, tag, signature)) return found;
  std::shared_ptr<const void> packed = pack();
  if (packed != nullptr) store->Insert(instruction, tag, signature, packed);
  return packed;
}

}  // namespace openbpu::sim
