// Vector-clock hazard detection over byte ranges (see hazard.h).
#include "simulator/hazard.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_format.h"

namespace openbpu::sim {
namespace {

// First overlapping byte range of two sorted range lists, if any.
bool Overlap(const std::vector<ByteRange>& a, const std::vector<ByteRange>& b, ByteRange* out) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const uint64_t lo = std::max(a[i].begin, b[j].begin);
    const uint64_t hi = std::min(a[i].end, b[j].end);
    if (lo < hi) {
      *out = {lo, hi};
      return true;
    }
    if (a[i].end <= b[j].end) {
      ++i;
    } else {
      ++j;
    }
  }
  return false;
}

std::vector<ByteRange> Sorted(const std::vector<ByteRange>& ranges) {
  std::vector<ByteRange> r;
  r.reserve(ranges.size());
  for (const ByteRange& x : ranges)
    if (x.end > x.begin) r.push_back(x);
  std::sort(r.begin(), r.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.begin < b.begin; });
  // Merge touching ranges so record lists stay short.
  std::vector<ByteRange> merged;
  for (const ByteRange& x : r) {
    if (!merged.empty() && x.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, x.end);
    } else {
      merged.push_back(x);
    }
  }
  return merged;
}

// The unit, and the core when it is not core 0.
std::string Where(const SimOp& op) {
  return op.core == 0 ? std::string(UnitName(op.unit))
                      : absl::StrFormat("core %d %s", op.core, UnitName(op.unit));
}

}  // namespace

HazardChecker::HazardChecker(const std::vector<SimOp>& ops) : ops_(ops) {
  for (const SimOp& op : ops) {
    ++remaining_[op.queue()];
    queues_ = std::max(queues_, (op.core + 1) * kNumUnits);
  }
}

int64_t HazardChecker::live_records() const {
  int64_t n = 0;
  for (const auto& v : live_) n += v.size();
  return n;
}

absl::Status HazardChecker::OnStart(int i, const VectorClock& vc) {
  const SimOp& op = ops_[i];
  const int u = op.queue();
  std::vector<std::pair<int, Record>> fresh;
  for (const Access& acc : op.accesses) {
    Record rec{i, u, vc[u], acc.write, 0, 0, Sorted(acc.ranges)};
    if (rec.ranges.empty()) continue;
    rec.lo = rec.ranges.front().begin;
    rec.hi = rec.ranges.back().end;
    const int memory =
        acc.space == Space::kDdr ? 0 : op.core * kNumSpaces + static_cast<int>(acc.space);
    for (const Record& old : live_[memory]) {
      if (old.op == i || (!old.write && !acc.write)) continue;
      if (old.seq <= vc[old.queue]) continue;  // ordered before us
      if (old.hi <= rec.lo || rec.hi <= old.lo) continue;
      ByteRange o;
      if (!Overlap(old.ranges, rec.ranges, &o)) continue;
      const SimOp& other = ops_[old.op];
      return absl::FailedPreconditionError(absl::StrFormat(
          "hazard: instruction %d (%s on %s) %s %s [0x%x, 0x%x) which instruction %d (%s on %s) "
          "%s, and no dependency token orders them",
          op.index, op.name, Where(op), acc.write ? "writes" : "reads", SpaceName(acc.space),
          o.begin, o.end, other.index, other.name, Where(other), old.write ? "writes" : "reads"));
    }
    fresh.emplace_back(memory, std::move(rec));
  }
  for (auto& [memory, rec] : fresh) live_[memory].push_back(std::move(rec));
  latest_[u] = vc;
  --remaining_[u];
  if (++starts_ % 64 == 0) Prune();
  return absl::OkStatus();
}

// A record can go once every unit that still has instructions to start is already ordered
// after it: clocks only grow along a queue, so every later access is ordered too.
void HazardChecker::Prune() {
  for (auto& list : live_) {
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const Record& r) {
                                for (int u = 0; u < queues_; ++u) {
                                  if (remaining_[u] == 0) continue;
                                  if (latest_[u][r.queue] < r.seq) return false;
                                }
                                return true;
                              }),
               list.end());
  }
}

}  // namespace openbpu::sim
