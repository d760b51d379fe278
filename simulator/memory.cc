// Bounds-checked DDR and SRAM storage.
#include "simulator/memory.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace openbpu::sim {

const char* SpaceName(Space space) {
  switch (space) {
    case Space::kDdr:
      return "DDR";
    case Space::kFeature:
      return "FSRAM";
    case Space::kWeight:
      return "WSRAM";
    case Space::kAcc:
      return "ASRAM";
    case Space::kLut:
      return "LSRAM";
  }
  return "?";
}

Memories::Memories(const MemoryConfig& config, bool allocate)
    : config_(config), allocated_(allocate) {
  if (!allocate) return;
  for (int i = 0; i < kNumSpaces; ++i) {
    // At least one byte, so an empty space still has a valid base pointer.
    data_[i].reset(static_cast<uint8_t*>(std::calloc(std::max<uint64_t>(config_.bytes[i], 1), 1)));
    if (data_[i] == nullptr) throw std::bad_alloc();
    base_[i] = data_[i].get();
  }
}

absl::Status Memories::Check(Space space, uint64_t addr, uint64_t len, int64_t instr,
                             absl::string_view what) const {
  if (len == 0) return absl::OkStatus();
  const uint64_t size = config_[space];
  // Written to avoid overflow of addr + len.
  if (addr > size || len > size - addr) {
    return absl::OutOfRangeError(absl::StrFormat(
        "instruction %d: %s accesses %s [0x%x, 0x%x) (%u bytes) outside its size 0x%x", instr,
        std::string(what), SpaceName(space), addr, addr + len < addr ? UINT64_MAX : addr + len, len,
        size));
  }
  return absl::OkStatus();
}

absl::Status Memories::Write(Space s, uint64_t addr, absl::Span<const uint8_t> src) {
  if (absl::Status st = Check(s, addr, src.size(), -1, "host write"); !st.ok()) return st;
  if (!allocated_) return absl::FailedPreconditionError("memories are address-only (perf mode)");
  if (s == Space::kDdr && shared_size_ > 0 && addr < shared_base_ + shared_size_ &&
      addr + src.size() > shared_base_) {
    return absl::FailedPreconditionError("host write into the read-only parameter region");
  }
  if (!src.empty()) std::memcpy(at(s, addr), src.data(), src.size());
  return absl::OkStatus();
}

absl::Status Memories::Read(Space s, uint64_t addr, absl::Span<uint8_t> dst) const {
  if (absl::Status st = Check(s, addr, dst.size(), -1, "host read"); !st.ok()) return st;
  if (!allocated_) return absl::FailedPreconditionError("memories are address-only (perf mode)");
  // Byte by byte across the shared window's edges is never needed: a read is inside one region.
  if (!dst.empty()) std::memcpy(dst.data(), at(s, addr), dst.size());
  return absl::OkStatus();
}

}  // namespace openbpu::sim
