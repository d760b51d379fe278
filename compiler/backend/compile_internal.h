// Internal to compiler/backend: the parts of Compile that compile.cc and compile_parts.cc share.
#ifndef OPENBPU_COMPILER_BACKEND_COMPILE_INTERNAL_H_
#define OPENBPU_COMPILER_BACKEND_COMPILE_INTERNAL_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/backend/emitter.h"
#include "compiler/backend/lowering.h"
#include "compiler/ir/graph.h"

namespace openbpu::backend::internal {

// Unquantized values the BPU writes: the bool of a comparison (1 byte, 0 / 1) and the int64
// indices of ArgMax / TopK.
bool IsUnquantizedBpuValue(const ir::Value& v);

// The DDR buffer geometry of a quantized (or BPU-written bool / int64) value.
absl::StatusOr<Buffer> Place(const ir::Value& v);

// First-fit allocation of scratch intervals over the layer order.
class ScratchAllocator {
 public:
  uint64_t Allocate(uint64_t bytes) {
    bytes = static_cast<uint64_t>(Align16(static_cast<int64_t>(bytes)));
    uint64_t at = 0;
    for (const auto& [start, size] : live_) {
      if (at + bytes <= start) break;
      at = std::max(at, start + size);
    }
    live_.emplace(at, bytes);
    peak_ = std::max(peak_, at + bytes);
    return at;
  }
  void Free(uint64_t at) {
    for (auto it = live_.begin(); it != live_.end(); ++it) {
      if (it->first == at) {
        live_.erase(it);
        return;
      }
    }
  }
  // First fit within `capacity` bytes; -1 when the bytes do not fit now.
  int64_t TryAllocate(uint64_t bytes, uint64_t capacity) {
    bytes = static_cast<uint64_t>(Align16(static_cast<int64_t>(bytes)));
    uint64_t at = 0;
    for (const auto& [start, size] : live_) {
      if (at + bytes <= start) break;
      at = std::max(at, start + size);
    }
    if (at + bytes > capacity) return -1;
    live_.emplace(at, bytes);
    peak_ = std::max(peak_, at + bytes);
    return static_cast<int64_t>(at);
  }
  uint64_t peak() const { return peak_; }

 private:
  std::multimap<uint64_t, uint64_t> live_;  // start -> bytes
  uint64_t peak_ = 0;
};

// The march op table must put the node's op on the BPU for `march_name` (Linear layers are the
// back end's exception: it runs them as 1x1 convolutions).
absl::Status CheckTableRow(const ir::Node& node, const std::string& march_name);

// Channel-slice views (a concat's input written in place, compile.cc): whether `node`'s lowering
// writes its output through Buffer::PixelStride (so its output may be a slice of a concat's), and
// whether it reads input `value` that way (so the value may be a slice it reads in place).
bool WritesSliceViews(const ir::Node& node);
bool ReadsSliceViews(const ir::Node& node, const ir::Value* value);

// Whether the `layout` bytes of a value of `shape` differ from its NHWC bytes.
bool NeedsTranspose(const Shape& shape, const std::string& layout);

// The element move between the NCHW ([N][C][P]) and NHWC ([N][P][C]) bytes of a value.
std::vector<MoveDim> LayoutMove(const Shape& shape, bool to_nhwc);

}  // namespace openbpu::backend::internal

#endif  // OPENBPU_COMPILER_BACKEND_COMPILE_INTERNAL_H_
