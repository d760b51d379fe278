// Weights packed once (issue 16): a TAE instruction's weights are packed into the GEMM
// micro-kernel's layout the first time it runs and reused on every later run, by any Simulator
// of the same Executable, as long as the weight SRAM bytes it reads are provably the same.
//
// The proof is provenance, not a comparison of bytes: each core's simulator records, during a
// run, which instruction last wrote each byte of its weight SRAM. A LOAD whose source lies in
// the program's parameter region (read-only: host writes into it are errors and instructions
// never write it) and whose destination ranges are exact writes the same bytes on every run; any
// other write makes its bytes unknown. When every byte an instruction reads was last written by
// such constant LOADs, the list of (range, writer) segments identifies the bytes, and packed
// weights stored under that list are the packing of exactly those bytes. Provenance starts
// empty (unknown) at each run, so host writes into SRAM between runs never alias a stored entry.
#ifndef OPENBPU_SIMULATOR_WEIGHT_CACHE_H_
#define OPENBPU_SIMULATOR_WEIGHT_CACHE_H_

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"

namespace openbpu::sim {

// Which instruction last wrote each byte of one core's weight SRAM in the current run.
class WeightProvenance {
 public:
  static constexpr int64_t kUnknown = -1;

  void Reset() { segments_.clear(); }
  // Bytes [begin, end) were just written by instruction `writer` (kUnknown: not a constant LOAD).
  void Record(uint64_t begin, uint64_t end, int64_t writer);
  // The segments covering [begin, end) as (begin, end, writer) triples, clipped to the range;
  // false when some byte of it has no known constant writer.
  bool Signature(uint64_t begin, uint64_t end, std::vector<int64_t>* out) const;

 private:
  std::map<uint64_t, std::pair<uint64_t, int64_t>> segments_;  // begin -> (end, writer)
};

// The packed weights of one Executable's instructions, keyed by instruction index, a packing tag
// (the micro-kernel's layout) and the provenance signature. Thread-safe; entries are immutable
// and shared. At most kMaxPerInstruction entries per instruction (the oldest goes).
class PackedWeightStore {
 public:
  static constexpr size_t kMaxPerInstruction = 4;

  std::shared_ptr<const void> Find(int64_t instruction, int tag,
                                   const std::vector<int64_t>& signature) const;
  void Insert(int64_t instruction, int tag, std::vector<int64_t> signature,
              std::shared_ptr<const void> packed);
  size_t entries() const;

 private:
  struct Entry {
    int tag;
    std::vector<int64_t> signature;
    std::shared_ptr<const void> packed;
  };
  mutable std::mutex mu_;
  std::map<int64_t, std::vector<Entry>> entries_;
};

// Deferred LOADs of constant weights: a LOAD from the param region into weight SRAM (contiguous,
// no padding) records its source here instead of copying; the bytes are copied when something
// reads them raw (Materialize), when anything writes over them, or at the end of the run
// (MaterializeAll), and are forgotten when a later deferred LOAD replaces them. A conv whose
// packed weights are reused never needs its raw bytes: most of a model's weight traffic is
// never copied on the host.
class PendingCopies {
 public:
  bool empty() const { return copies_.empty(); }
  // SRAM bytes [begin, end) are to be the `end - begin` bytes at `src`, replacing what was pending
  // there.
  void Add(uint64_t begin, uint64_t end, const uint8_t* src);
  // Copies the pending bytes inside [begin, end) to sram + address and forgets them.
  void Materialize(uint64_t begin, uint64_t end, uint8_t* sram) { Cut(begin, end, sram); }
  void MaterializeAll(uint8_t* sram) { Cut(0, UINT64_MAX, sram); }

 private:
  void Cut(uint64_t begin, uint64_t end, uint8_t* sram);            // sram null: drop
  std::map<uint64_t, std::pair<uint64_t, const uint8_t*>> copies_;  // begin -> (end, src)
};

// What a TAE execution uses to find its packed weights: the core's provenance and the store
// (either may be null: then every call packs afresh).
struct WeightCache {
  const WeightProvenance* provenance = nullptr;
  PackedWeightStore* store = nullptr;
  PendingCopies* pending = nullptr;  // the core's deferred LOADs (null: none)
  uint8_t* sram = nullptr;           // the core's weight SRAM

  // The raw bytes [begin, end) are about to be read: copy whatever of them is pending.
  void Materialize(uint64_t begin, uint64_t end) const {
    if (pending != nullptr && !pending->empty()) pending->Materialize(begin, end, sram);
  }

  // The packed form of weight SRAM bytes [begin, end) read by `instruction`: the stored one when
  // the bytes are provably the ones it was made from, else pack() (stored when provable and not
  // null; null says the bytes are invalid, and the caller reports it).
  std::shared_ptr<const void> Get(int64_t instruction, int tag, uint64_t begin, uint64_t end,
                                  absl::FunctionRef<std::shared_ptr<const void>()> pack) const;
};

}  // namespace openbpu::sim

#endif  // OPENBPU_SIMULATOR_WEIGHT_CACHE_H_
