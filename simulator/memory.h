// The simulated memories: byte-addressed DDR and the on-chip SRAMs (feature, weight,
// accumulator, LUT). Every access is bounds-checked; errors name the instruction and range.
#ifndef OPENBPU_SIMULATOR_MEMORY_H_
#define OPENBPU_SIMULATOR_MEMORY_H_

#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace openbpu::sim {

enum class Space : uint8_t { kDdr = 0, kFeature, kWeight, kAcc, kLut };
inline constexpr int kNumSpaces = 5;

const char* SpaceName(Space space);

// A half-open byte range [begin, end) in one memory.
struct ByteRange {
  uint64_t begin = 0;
  uint64_t end = 0;
};

// Sizes in bytes (from the march table for SRAMs; DDR from the program's memory plan).
struct MemoryConfig {
  std::array<uint64_t, kNumSpaces> bytes = {};
  uint64_t& operator[](Space s) { return bytes[static_cast<int>(s)]; }
  uint64_t operator[](Space s) const { return bytes[static_cast<int>(s)]; }
};

class Memories {
 public:
  // `allocate` = false builds an address-only model (perf mode never touches data). Storage is
  // zeroed lazily by the OS (calloc), so bytes a run never touches cost no memory.
  Memories(const MemoryConfig& config, bool allocate);

  uint64_t size(Space s) const { return config_[s]; }
  bool allocated() const { return allocated_; }

  // DDR bytes [base, base + bytes.size()) are `bytes`, shared read-only (a program's parameter
  // blob, one copy for every Memories running it; instructions never write the param region).
  // `bytes` must outlive this object. A host write into the window is an error.
  void ShareReadOnlyDdr(uint64_t base, absl::Span<const uint8_t> bytes) {
    shared_ = bytes.data();
    shared_base_ = base;
    shared_size_ = bytes.size();
  }

  // ISA 1.2: another core's memories. The DDR (and the read-only param window) become `owner`'s,
  // which must outlive this object; the SRAMs stay this core's own.
  void ShareDdrOf(const Memories& owner) {
    data_[0].reset();
    base_[0] = owner.base_[0];
    shared_ = owner.shared_;
    shared_base_ = owner.shared_base_;
    shared_size_ = owner.shared_size_;
  }

  // OK iff [addr, addr + len) lies inside `space` (len == 0 is always OK). The error is
  // OUT_OF_RANGE and names the instruction index, what was accessed and the range.
  absl::Status Check(Space space, uint64_t addr, uint64_t len, int64_t instr,
                     absl::string_view what) const;
  absl::Status Check(Space space, ByteRange r, int64_t instr, absl::string_view what) const {
    return Check(space, r.begin, r.end - r.begin, instr, what);
  }

  // Raw views; callers Check() first. Empty when not allocated.
  absl::Span<uint8_t> bytes(Space s) {
    return absl::MakeSpan(base_[static_cast<int>(s)], allocated_ ? config_[s] : 0);
  }
  absl::Span<const uint8_t> bytes(Space s) const {
    return absl::MakeConstSpan(base_[static_cast<int>(s)], allocated_ ? config_[s] : 0);
  }
  // The shared window's bytes are never written through these (the param region is read-only).
  uint8_t* at(Space s, uint64_t addr) {
    if (s == Space::kDdr && addr - shared_base_ < shared_size_) {
      return const_cast<uint8_t*>(shared_ + (addr - shared_base_));
    }
    return base_[static_cast<int>(s)] + addr;
  }
  const uint8_t* at(Space s, uint64_t addr) const {
    return const_cast<Memories*>(this)->at(s, addr);
  }

  // Bounds-checked host access (memory images in and out of the simulator).
  absl::Status Write(Space s, uint64_t addr, absl::Span<const uint8_t> src);
  absl::Status Read(Space s, uint64_t addr, absl::Span<uint8_t> dst) const;

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  MemoryConfig config_;
  bool allocated_;
  std::array<std::unique_ptr<uint8_t[], Free>, kNumSpaces> data_;
  std::array<uint8_t*, kNumSpaces> base_ = {};  // data_'s, or the owner's DDR (ShareDdrOf)
  const uint8_t* shared_ = nullptr;
  uint64_t shared_base_ = 0, shared_size_ = 0;

 public:
  Memories(const Memories&) = delete;
  Memories& operator=(const Memories&) = delete;
};

}  // namespace openbpu::sim

#endif  // OPENBPU_SIMULATOR_MEMORY_H_
