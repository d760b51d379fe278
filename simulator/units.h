// The instruction kinds of each BPU unit as the simulator sees them (internal to
// //simulator:simulator). Each kind has one Lower overload, in its unit's file
// (unit_control.cc, unit_dma.cc, unit_tae.cc, unit_vae.cc, unit_aae*.cc), that checks the
// instruction against its queue's configuration registers and returns its footprint (the SRAM
// and DDR bytes it reads and writes), its cost and its execution. The addresses are computed
// once, in Lower: the bounds checks, the hazard checker and the execution all read the same
// ByteBox / SramTensor values. simulator.cc dispatches with std::visit over isa::Payload; a
// kind without an overload selects the deleted template below and does not compile.
#ifndef OPENBPU_SIMULATOR_UNITS_H_
#define OPENBPU_SIMULATOR_UNITS_H_

#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "isa/instruction.h"
#include "isa/march.h"
#include "simulator/memory.h"
#include "simulator/simulator.h"
#include "simulator/tae_kernels.h"
#include "simulator/thread_pool.h"
#include "simulator/weight_cache.h"

namespace openbpu::sim::units {

// The configuration registers of every queue (ISA.md §1, "Configuration registers"), updated in
// program order by the configuration instructions and read by the instructions after them.
struct Registers {
  isa::LoadShape load_shape;
  isa::LoadStride load_stride;
  isa::StoreShape store_shape;
  isa::StoreStride store_stride;
  isa::TaeKernel tae_kernel;
  isa::TaeTile tae_tile;
  isa::TaeMmCfg tae_mm;
  isa::VaeCfg vae;
  isa::AaeWin aae_win;
  isa::AaeTile aae_tile;
  isa::AaeMoveShape move_shape;
  isa::AaeMoveSrc move_src;
  isa::AaeMoveDst move_dst;
  isa::AaeGatherCfg aae_gather;
  // ISA 1.1 operand pitches (0 = dense).
  isa::TaePitch tae_pitch;
  isa::VaePitch vae_pitch;
  isa::AaePitch aae_pitch;
};

inline Space ToSpace(isa::Space s) { return static_cast<Space>(static_cast<int>(s)); }

// `run` bytes at base + i2 * s2 + i1 * s1 for i2 < n2, i1 < n1 (strides >= 0).
struct ByteBox {
  Space space = Space::kFeature;
  uint64_t base = 0;
  int64_t n2 = 1, s2 = 0, n1 = 1, s1 = 0, run = 0;

  uint64_t At(int64_t i2, int64_t i1) const { return base + i2 * s2 + i1 * s1; }
  uint64_t Extent() const { return static_cast<uint64_t>((n2 - 1) * s2 + (n1 - 1) * s1 + run); }
  // Every run follows the one before it: the box is the one range [base, base + Extent()).
  bool Contiguous() const {
    const int64_t row = n1 == 1 ? run : s1 == run ? n1 * run : -1;
    return row >= 0 && (n2 == 1 || s2 == row);
  }
};
inline ByteBox Bytes(Space space, uint64_t addr, int64_t bytes) {
  return {.space = space, .base = addr, .run = bytes};
}

struct Lowering;

// A [h][w][c] tensor of `esize`-byte elements in SRAM (ISA.md, "Tensor layouts in SRAM").
// The [P][C] operands of the VAE are [1][P][C] tensors.
struct SramTensor {
  Space space = Space::kFeature;
  uint64_t addr = 0;
  int64_t h = 1, w = 1, c = 1;
  int esize = 1;
  int64_t pixel_pitch = 0, row_pitch = 0;

  uint64_t At(int64_t y, int64_t x, int64_t ch) const {
    return addr + y * row_pitch + x * pixel_pitch + ch * esize;
  }
  // Pixel `pixel` in row-major order (row pixel / w, column pixel % w).
  uint64_t At(int64_t pixel, int64_t ch) const {
    return pixel < w ? At(0, pixel, ch) : At(pixel / w, pixel % w, ch);
  }
  // The bytes it covers: one run when the rows are back to back, else one run per row; with a
  // pixel pitch wider than the dense one (ISA 1.1 pitches) only each pixel's channels.
  ByteBox Footprint() const;
};
// Pixels isa::Align16(c * esize) apart, rows `row_pitch` apart (0: w pixels).
SramTensor Feature(Space space, uint64_t addr, int64_t h, int64_t w, int64_t c, int esize,
                   int64_t row_pitch = 0);
// ISA 1.1 operand pitches: `t` becomes a window of a wider tensor, its pixels `pitch16` x 16
// bytes apart (0: unchanged) and its rows `row_pitch` bytes apart (0: w pixels). A pitch narrower
// than a pixel's channels, or rows that overlap, is an error naming `what`.
absl::Status ApplyPitch(SramTensor& t, int64_t pitch16, int64_t row_pitch, const char* what,
                        const Lowering& ctx);
// Dense [rows][cols] bytes (weight SRAM matrices).
SramTensor DenseBytes(Space space, uint64_t addr, int64_t rows, int64_t cols);

// One entry of a footprint. A DDR entry names its region: its bytes must lie inside it
// (`box.base` is the flat DDR address).
struct Operand {
  ByteBox box;
  bool write = false;
  const char* what = "";
  std::optional<isa::Region> region;
};
inline Operand Reads(const ByteBox& b, const char* what) { return {b, false, what, {}}; }
inline Operand Writes(const ByteBox& b, const char* what) { return {b, true, what, {}}; }
inline Operand Reads(const SramTensor& t, const char* what) { return Reads(t.Footprint(), what); }
inline Operand Writes(const SramTensor& t, const char* what) { return Writes(t.Footprint(), what); }

// "instruction N (mnemonic): msg" (INVALID_ARGUMENT): lowering and execution errors.
absl::Status InstructionError(int64_t index, const char* mnemonic, absl::string_view msg);

// What an execution sees: the memories (allocated: func and both modes only) and the options.
struct ExecContext {
  Memories& mem;
  KernelPath kernel_path;
  int64_t index;
  const char* mnemonic;
  WeightCache weights;         // packed weights kept between runs (weight_cache.h)
  ThreadPool* pool = nullptr;  // func-mode worker threads (null: this thread only)

  uint8_t* at(Space s, uint64_t addr) { return mem.at(s, addr); }
  absl::Status Error(absl::string_view msg) const { return InstructionError(index, mnemonic, msg); }
};
// The data effect of one lowered instruction, run when the timing events start it.
using Execution = std::function<absl::Status(ExecContext&)>;

// One lowered instruction (becomes a timing.h SimOp).
struct Lowered {
  bool queued = true;      // false for end, which goes to no queue
  bool zero_time = false;  // sync
  uint64_t cycles = 1;     // ISA.md: a configuration instruction takes one cycle of its unit
  uint64_t ddr_bytes = 0;  // LOAD / STORE: the bytes moved (statistics)
  // LOAD / STORE: the channel bytes charged, each contiguous DDR run rounded up to whole bursts
  // of march.ddr_burst_bytes.
  uint64_t ddr_charged_bytes = 0;
  bool ddr_write = false;
  // LOAD from the read-only param region whose write footprint is exact: it writes the same
  // bytes on every run (weight_cache.h).
  bool constant_write = false;
  // A LOAD of constant weights the simulator may defer (weight_cache.h PendingCopies): weight SRAM
  // [dst, dst + bytes) gets the DDR bytes at src, both contiguous, no padding.
  struct DeferredCopy {
    uint64_t dst = 0, bytes = 0, src = 0;
  };
  std::optional<DeferredCopy> deferred;
  // The execution reads its weight SRAM operand through ExecContext::weights (materializing the
  // raw bytes itself when it needs them), so the simulator need not copy them beforehand.
  bool reads_weights_lazily = false;
  uint64_t macs = 0;
  std::vector<Operand> footprint;  // bounds-checked and recorded in this order
  Execution execute;               // empty: no data effect
};

// What Lower sees: the registers (configuration instructions update them), the march and the
// DDR layout, and the instruction's index for errors.
struct Lowering {
  Registers& regs;
  const isa::March& march;
  const DdrLayout& ddr;
  int64_t index;
  const char* mnemonic;

  absl::Status Fail(absl::string_view msg) const { return InstructionError(index, mnemonic, msg); }
  uint64_t DdrAddress(isa::Region region, uint64_t offset) const {
    return ddr.base[static_cast<int>(region)] + offset;
  }
};

// VAE / AAE cost (ISA.md §4, "Cost model"): the issue cost plus ceil(elements / lanes).
uint64_t LaneCycles(const isa::March& m, int64_t elements, int lanes);
inline int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Little-endian element access and the value range of a dtype.
int64_t ReadElem(const uint8_t* p, isa::DType d);
void WriteElem(uint8_t* p, isa::DType d, int64_t v);
std::pair<int64_t, int64_t> DTypeRange(isa::DType d);

// Calls fn(T{}) with T the C++ type of `d`.
template <typename Fn>
auto WithType(isa::DType d, Fn fn) {
  switch (d) {
    case isa::DType::kS8:
      return fn(int8_t{});
    case isa::DType::kS16:
      return fn(int16_t{});
    case isa::DType::kS32:
      return fn(int32_t{});
    case isa::DType::kS64:
      break;
  }
  return fn(int64_t{});
}

// A feature tensor of T elements <-> a dense row-major [h][w][c] buffer.
template <typename T>
std::vector<T> Gather(ExecContext& ex, const SramTensor& t) {
  std::vector<T> out(t.h * t.w * t.c);
  for (int64_t y = 0; y < t.h; ++y)
    for (int64_t x = 0; x < t.w; ++x)
      std::memcpy(&out[(y * t.w + x) * t.c], ex.at(t.space, t.At(y, x, 0)), t.c * sizeof(T));
  return out;
}
template <typename T>
void Scatter(ExecContext& ex, const std::vector<T>& v, const SramTensor& t) {
  for (int64_t y = 0; y < t.h; ++y)
    for (int64_t x = 0; x < t.w; ++x)
      std::memcpy(ex.at(t.space, t.At(y, x, 0)), &v[(y * t.w + x) * t.c], t.c * sizeof(T));
}

// The aae.tile operands in feature SRAM (ISA.md §4, "AAE"): the [in_h][in_w][channels] source
// and an [out_h][out_w][out_c] result of `esize`-byte elements.
// vae.softmax / layernorm / div / select take dense operands: an error when vae.cfg dst_pitch or
// the VAE PITCH register (ISA 1.1) is set.
absl::Status NoVaePitch(const Lowering& ctx);
// With the AAE PITCH register (ISA 1.1) applied.
absl::StatusOr<SramTensor> AaeSource(const Lowering& ctx, int64_t addr);
absl::StatusOr<SramTensor> AaeResult(const Lowering& ctx, int64_t addr, int64_t out_c, int esize,
                                     bool pitched = true);
// An AAE instruction over `elements` window taps.
inline Lowered AaeOp(const Lowering& ctx, int64_t elements) {
  Lowered out;
  out.cycles = LaneCycles(ctx.march, elements, ctx.march.aae_lanes.value);
  return out;
}

// A kind without its own overload selects this one: a compile error, never a silent no-op.
template <typename Kind>
absl::StatusOr<Lowered> Lower(const Kind&, Lowering&) = delete;

// control (unit_control.cc)
absl::StatusOr<Lowered> Lower(const isa::Sync& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::XSync& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::End& v, Lowering& ctx);
// LOAD / STORE (unit_dma.cc)
absl::StatusOr<Lowered> Lower(const isa::LoadShape& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::LoadStride& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::Load& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::StoreShape& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::StoreStride& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::Store& v, Lowering& ctx);
// TAE (unit_tae.cc)
absl::StatusOr<Lowered> Lower(const isa::TaeKernel& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::TaeTile& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::TaeConv& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::TaeMmCfg& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::TaeMatmul& v, Lowering& ctx);
// VAE (unit_vae.cc)
absl::StatusOr<Lowered> Lower(const isa::VaeCfg& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeRequant& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeRequantSumin& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeAdd& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeSub& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeAddB2& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeMul& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeMax& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeMin& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeCmp& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeLut8& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeLut16& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeRecip& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeSqrt& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeLog& v, Lowering& ctx);
// AAE (unit_aae.cc: configuration, pooling, resize, move; unit_aae_reduce.cc: reduce, top-k)
absl::StatusOr<Lowered> Lower(const isa::AaeWin& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::AaeTile& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::AaeMaxPool& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::AaeAvgPool& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::AaeResizeNearest& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::AaeResizeLinear& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::AaeMoveShape& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::AaeMoveSrc& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::AaeMoveDst& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::AaeMove& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::AaeReduce& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::AaeTopK& v, Lowering& ctx);
// The output range of a VAE instruction: out_dtype's, raised by relu, lowered by clamp_hi
// (unit_vae.cc; every VAE unit file).
std::pair<int64_t, int64_t> VaeRange(const isa::VaeCfg& cfg);

// ISA 1.1 (unit_vae_rows.cc, unit_vae_div.cc, unit_aae_gather.cc).
absl::StatusOr<Lowered> Lower(const isa::VaeSoftmax& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeLayerNorm& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeDiv& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaeSelect& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::AaeGatherCfg& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::AaeGather& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::TaePitch& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::VaePitch& v, Lowering& ctx);
absl::StatusOr<Lowered> Lower(const isa::AaePitch& v, Lowering& ctx);

}  // namespace openbpu::sim::units

#endif  // OPENBPU_SIMULATOR_UNITS_H_
