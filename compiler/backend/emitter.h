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
  explicit Emitter(const isa::March& march) : march_(march) {
    for (auto& row : claimed_) {
      for (int& c : row) c = -1;
    }
  }

  const isa::March& march() const { return march_; }

  // Starts a layer: the following instructions carry its id (the layer table of the program).
  void BeginLayer(absl::string_view name);

  // One memory range an instruction reads or writes: `space` is "feature", "weight", "acc",
  // "lut" or a DDR region ("ddr:input", "ddr:output", "ddr:scratch"; the param region is
  // read-only and need not be listed).
  struct Access {
    std::string space;
    int64_t begin = 0, end = 0;  // bytes [begin, end)
    bool write = false;
  };
  static Access Read(std::string space, int64_t begin, int64_t bytes) {
    return {std::move(space), begin, begin + bytes, false};
  }
  static Access Write(std::string space, int64_t begin, int64_t bytes) {
    return {std::move(space), begin, begin + bytes, true};
  }

  // O2: instead of one serial chain, every data instruction waits only for the latest
  // instruction of each other unit whose accesses conflict with its own (read after write,
  // write after read, write after write), through one semaphore per ordered pair of units
  // (VTA's dependency tokens generalized to five queues); a `sync` carries waits or signals
  // beyond an instruction's two slots. Off (O0): the serial chain.
  void set_overlap(bool on) { overlap_ = on; }
  bool overlap() const { return overlap_; }

  // A data instruction (`line`: mnemonic and fields, no wait/signal) and what it accesses (at
  // O2 an instruction without accesses waits for every other unit, as at O0).
  void Data(absl::string_view line, std::vector<Access> accesses = {});

  // On-chip chains (O2): values kept in the feature SRAM bytes [base, base + bytes) instead of
  // DDR. A lowering addresses them as DDR region "chain" (offsets from `base`) with its usual
  // loads and stores; the emitter turns each such `load` / `store` into the same strided copy on
  // the AAE (`aae.move`: no DDR traffic), filling a load's padding from constant slots at the top
  // of the pool. A copy aae.move cannot express makes Finish fail (the caller then compiles
  // without chains).
  void set_chain_pool(int64_t base, int64_t bytes) {
    chain_base_ = base;
    chain_bytes_ = bytes;
  }
  static constexpr int64_t kChainConstantBytes = 256;  // 16 slots of 16 bytes
  // The feature SRAM address of region "chain" offset 0 (-1 without chains).
  int64_t chain_base() const { return chain_base_; }
  // Tiles a layer wrote straight into an on-chip value (vae.cfg dst_pitch) instead of a move.
  void CountDirectWrite() { ++direct_writes_; }
  int direct_writes() const { return direct_writes_; }
  // A configuration instruction of its unit's queue (with several cores: of every core's queue,
  // so each core's registers hold what a one-core program's would).
  void Config(absl::string_view line);

  // ISA 1.2 multi-core (O1 and up): the program gets one instruction stream per core. Data
  // instructions go to the current core: core 0 unless a lowering says otherwise, for each
  // layer. OnCore(c) sends the following ones to core c (a tile of a split layer);
  // OnAllCores() to every core (a split layer's shared prologue, e.g. weights both cores read),
  // except that a copy which writes DDR goes to core 0 only. An instruction that must follow
  // another core's (their accesses conflict in DDR; SRAMs are per core) waits on a semaphore an
  // `xsync` after the producer pushes.
  void set_cores(int n) { cores_ = n; }
  int cores() const { return cores_; }
  void OnCore(int core) {
    core_ = core;
    all_cores_ = false;
  }
  void OnAllCores() { all_cores_ = cores_ > 1; }
  // The core of work item `i` of `count` in a layer split in contiguous blocks (so each core's
  // tiles stay double-buffered): i * cores / count.
  int BlockCore(int64_t i, int64_t count) const {
    return count <= 0 ? 0 : static_cast<int>(i * cores_ / count);
  }
  // Cross-core waits the emitter inserted (xsync instructions).
  int cross_core_syncs() const { return cross_core_syncs_; }
  // Layers a lowering split across the cores (it calls CountSplitLayer once per layer).
  void CountSplitLayer() { ++split_layers_; }
  int split_layers() const { return split_layers_; }

  // ISA 1.1 operand pitches (ISA.md, "ISA 1.1: operand pitches"): the fields of `tae.pitch`,
  // `vae.pitch` or `aae.pitch` (`unit_prefix` "tae", "vae" or "aae") that the next data
  // instruction of that unit needs, e.g. Pitch("tae", "in_pitch=8"). The emitter writes a pitch
  // register only when the next instruction of its unit needs a different value, and writes it
  // back to 0 (dense) before one that set none.
  void Pitch(absl::string_view unit_prefix, std::string fields);
  // Off: OnChipAt (lowering.h) finds no operand in place, so on-chip values are copied through
  // tiles by aae.move (ISA 1.0's way).
  void set_operand_pitches(bool on) { operand_pitches_ = on; }
  bool operand_pitches() const { return operand_pitches_; }
  // Convolution tiles that read their input in place from an on-chip value (tae.pitch).
  void CountInPlaceRead() { ++in_place_reads_; }
  int in_place_reads() const { return in_place_reads_; }

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

  // Layer id -> [first, last] instruction index, once the program is final.
  std::map<int, std::pair<int, int>> LayerRanges() const;
  const std::map<uint16_t, std::string>& layers() const { return layers_; }
  int current_layer() const { return layer_; }

 private:
  void Emit(absl::string_view line, bool data, std::vector<Access> accesses);
  // A load/store of region "chain" as aae.move; false (and error_ set) when it cannot be.
  bool EmitChainCopy(absl::string_view mnemonic, absl::string_view fields,
                     std::vector<Access> accesses);
  // The SRAM address of a 16-byte slot holding `value` as `elem`-byte elements (loaded from the
  // parameter blob on first use).
  int64_t ConstantSlot(int64_t value, int64_t elem);
  void Schedule(int line, int unit, const std::vector<Access>& accesses);

  struct Line {
    std::string mnemonic, fields;
    int layer = -1;
    std::vector<int> waits, signals;  // semaphore ids (a sync line carries the excess)
    int unit = -1;                    // data instructions: 0 load .. 4 aae
    std::vector<Access> accesses;
    bool sync = false;
    int core = 0;      // the core whose stream holds it
    bool all = false;  // configuration with several cores: in every core's stream
  };
  // The program order of the final streams: (line index, core) per instruction, -1 for a core's
  // `end`.
  std::vector<std::pair<int, int>> Order() const;
  void InsertLine(int at, Line line);

  const isa::March& march_;
  std::vector<Line> lines_;
  int last_data_ = -1;  // index in lines_ of the previous data instruction (O0 chain)
  bool overlap_ = false;
  // O2: per unit, the data lines in queue order; per (producer unit, consumer unit), the queue
  // position in the producer unit of the last instruction a consumer waited for (-1: none).
  static constexpr int kQueues = 10;  // 2 cores x 5 units (queue = core * 5 + unit)
  std::vector<int> unit_lines_[kQueues];
  int claimed_[kQueues][kQueues];
  int cores_ = 1, core_ = 0;
  bool all_cores_ = false;
  int cross_core_syncs_ = 0;
  int split_layers_ = 0;
  std::vector<uint8_t> params_;
  // The fields of the last load.shape/load.stride and store.shape/store.stride.
  std::map<std::string, int64_t> load_config_, store_config_;
  std::string load_shape_line_, load_stride_line_;
  int64_t chain_base_ = -1, chain_bytes_ = 0;
  int direct_writes_ = 0;
  int in_place_reads_ = 0;
  bool operand_pitches_ = true;
  // Per unit (0 tae, 1 vae, 2 aae): the pitch fields the next data instruction needs, and the
  // value the register holds (empty: all 0).
  std::string pending_pitch_[3], pitch_state_[3];
  std::map<std::pair<int64_t, int64_t>, int64_t> constant_slots_;  // (value, elem) -> address
  std::string error_;  // the first chain copy that could not be emitted
  std::map<uint16_t, std::string> layers_;
  int layer_ = -1;
  std::string layer_name_;

 public:
  Emitter(const Emitter&) = delete;
  Emitter& operator=(const Emitter&) = delete;
};

}  // namespace openbpu::backend

#endif  // OPENBPU_COMPILER_BACKEND_EMITTER_H_
