// The instruction emitter of the back end: builds a program's text form (isa/ISA.md, "Text form")
// and parameter blob, tags instructions with their layer, and orders them. At O0 every data
// instruction (DMA and compute) joins one serial chain: it waits on the semaphore of its own unit
// (load 1, store 2, tae 3, vae 4, aae 5), which only the previous data instruction signals, so
// exactly one instruction can take each token and no two units ever overlap (one shared
// semaphore would not do: every queue head waiting on it could take the token). Configuration
// instructions (load.shape, tae.kernel, vae.cfg...) are ordered by their own queue.
#ifndef OPENBPU_COMPILER_BACKEND_EMITTER_H_
#define OPENBPU_COMPILER_BACKEND_EMITTER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "isa/march.h"
#include "isa/program.h"

namespace openbpu::backend {

inline int64_t Align16(int64_t x) { return (x + 15) / 16 * 16; }

class Emitter {
 public:
  explicit Emitter(const isa::March& march) : march_(march) {}

  const isa::March& march() const { return march_; }

  // Starts a layer: the following instructions carry its id (the layer table of the program).
  void BeginLayer(absl::string_view name);

  // A data instruction in the serial chain (`line`: mnemonic and fields, no wait/signal).
  void Data(absl::string_view line);
  // A configuration instruction of its unit's queue.
  void Config(absl::string_view line);

  // Appends `bytes` to the parameter blob at a 16-byte aligned offset and returns it.
  uint64_t AddParams(const std::vector<uint8_t>& bytes);

  // DMA of `bytes` (a multiple of 16) of the parameter blob at `offset` to `space` at `dst`,
  // in chunks the load fields can express.
  void LoadParams(const char* space, uint64_t dst, uint64_t offset, uint64_t bytes);

  // DMA of a [rows][width][channels] box of `esize`-byte elements from a dense NHWC tensor
  // (row length `full_width`, `full_channels` channels) at DDR `region` + `offset` to feature
  // SRAM `dst` with pixel pitch `pitch`, adding zero rows / columns of padding.
  struct Box {
    int64_t rows = 1, width = 1, channels = 1, esize = 1;
    int64_t full_width = 1, full_channels = 1;
    int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
    int64_t pitch = 16;
  };
  void LoadBox(const char* region, uint64_t offset, int64_t dst, const Box& box);
  // The reverse (no padding): feature SRAM `src` to DDR.
  void StoreBox(const char* region, uint64_t offset, int64_t src, const Box& box);

  // The assembled program (ends with `end`), with the DDR region sizes.
  absl::StatusOr<isa::Program> Finish(uint64_t input_bytes, uint64_t output_bytes,
                                      uint64_t scratch_bytes) const;

  // Instructions emitted so far (without `end`).
  int instruction_count() const { return instructions_; }
  // Layer name -> [first, last] instruction index.
  const std::map<std::string, std::pair<int, int>>& layer_ranges() const { return ranges_; }
  const std::map<uint16_t, std::string>& layers() const { return layers_; }

 private:
  void Emit(absl::string_view line, bool data);

  struct Line {
    std::string mnemonic, fields;
    int layer = -1, wait = 0, signal = 0;
  };
  const isa::March& march_;
  std::vector<Line> lines_;
  int last_data_ = -1;  // index in lines_ of the previous data instruction
  std::vector<uint8_t> params_;
  std::map<uint16_t, std::string> layers_;
  std::map<std::string, std::pair<int, int>> ranges_;
  int layer_ = -1;
  std::string layer_name_;
  int instructions_ = 0;
};

}  // namespace openbpu::backend

#endif  // OPENBPU_COMPILER_BACKEND_EMITTER_H_
