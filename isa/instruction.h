// The BPU instruction set as C++ types (isa/ISA.md is the spec): one struct per opcode, the
// fixed 128-bit encoding and a decoder that rejects every invalid word with a named error.
#ifndef OPENBPU_ISA_INSTRUCTION_H_
#define OPENBPU_ISA_INSTRUCTION_H_

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace openbpu::isa {

// Bits 0..63 in [0], bits 64..127 in [1].
using Word128 = std::array<uint64_t, 2>;

inline constexpr uint16_t kIsaVersionMajor = 1;
inline constexpr uint16_t kIsaVersionMinor = 2;
// The first opcode of ISA 1.1's second pages (0x6_ TAE, 0x7_ VAE, 0x8_ AAE): a program whose
// header says ISA 1.0 may not use them (isa/ISA.md §2, "Opcode pages").
inline constexpr uint8_t kFirstIsa11Opcode = 0x60;
// ISA 1.2: programs with one instruction stream per BPU core and the cross-core `xsync`.
inline constexpr int kMaxCores = 4;

inline constexpr uint16_t kNoLayer = 0xFFFF;
inline constexpr int kNumSemaphores = 63;  // ids 1..63; 0 = slot unused
inline constexpr int kHeaderBits = 48;     // opcode, layer, 2 waits, 2 signals
inline constexpr int kSramAlign = 16;      // Addr16 fields are in 16-byte units

// Values match simulator's Unit where the unit exists.
enum class Unit : uint8_t { kLoad = 0, kStore = 1, kTae = 2, kVae = 3, kAae = 4, kControl = 5 };
inline constexpr int kNumQueues = 5;  // LOAD, STORE, TAE, VAE, AAE
const char* UnitName(Unit unit);

// Memory spaces (values match simulator's Space).
enum class Space : uint8_t { kDdr = 0, kFeature = 1, kWeight = 2, kAcc = 3, kLut = 4 };
const char* SpaceName(Space space);

// DDR regions of a program.
enum class Region : uint8_t { kInput = 0, kOutput = 1, kParam = 2, kScratch = 3 };
const char* RegionName(Region region);

// Element types of SRAM tensors (2-bit code).
enum class DType : uint8_t { kS8 = 0, kS16 = 1, kS32 = 2, kS64 = 3 };
const char* DTypeName(DType dtype);
inline int DTypeBytes(DType d) { return 1 << static_cast<int>(d); }

enum class ReduceOp : uint8_t { kSum = 0, kMax = 1, kMin = 2, kArgMax = 3, kArgMin = 4 };
const char* ReduceOpName(ReduceOp op);

enum class Opcode : uint8_t {
  // control
  kSync = 0x01,
  kEnd = 0x02,
  kXSync = 0x03,  // ISA 1.2
  // LOAD (DDR -> SRAM)
  kLoadShape = 0x10,
  kLoadStride = 0x11,
  kLoad = 0x12,
  // STORE (SRAM -> DDR)
  kStoreShape = 0x20,
  kStoreStride = 0x21,
  kStore = 0x22,
  // TAE
  kTaeKernel = 0x30,
  kTaeTile = 0x31,
  kTaeConv = 0x32,
  kTaeMmCfg = 0x33,
  kTaeMatmul = 0x34,
  // VAE
  kVaeCfg = 0x40,
  kVaeRequant = 0x41,
  kVaeRequantSumin = 0x42,
  kVaeAdd = 0x43,
  kVaeSub = 0x44,
  kVaeAddB2 = 0x45,
  kVaeMul = 0x46,
  kVaeMax = 0x47,
  kVaeMin = 0x48,
  kVaeCmp = 0x49,
  kVaeLut8 = 0x4A,
  kVaeLut16 = 0x4B,
  kVaeRecip = 0x4C,
  kVaeSqrt = 0x4D,
  kVaeLog = 0x4E,
  // AAE
  kAaeWin = 0x50,
  kAaeTile = 0x51,
  kAaeMaxPool = 0x52,
  kAaeAvgPool = 0x53,
  kAaeResizeNearest = 0x54,
  kAaeResizeLinear = 0x55,
  kAaeReduce = 0x56,
  kAaeMoveShape = 0x57,
  kAaeMoveSrc = 0x58,
  kAaeMoveDst = 0x59,
  kAaeMove = 0x5A,
  kAaeTopK = 0x5B,
  // ISA 1.1, second pages: 0x6_ TAE, 0x7_ VAE, 0x8_ AAE (0x9_..0xF_ reserved)
  kTaePitch = 0x60,
  kVaeSoftmax = 0x70,
  kVaeLayerNorm = 0x71,
  kVaeDiv = 0x72,
  kVaeSelect = 0x73,
  kVaePitch = 0x74,
  kAaeGatherCfg = 0x80,
  kAaeGather = 0x81,
  kAaePitch = 0x82,
};

// How a field's value is stored in its bits (isa/ISA.md, "Field encodings").
enum class FieldKind : uint8_t {
  kUnsigned,  // value in [min, max]
  kSigned,    // two's complement, value in [min, max]
  kAddr16,    // byte address, multiple of 16, stored / 16
  kBool,      // 1 bit
  kElem,      // element size in bytes 1/2/4/8, stored log2 (2 bits)
  kDType,     // DType code; `allowed` is a bit mask over codes
  kSpace,     // Space code; `allowed` mask
  kRegion,    // Region code; `allowed` mask
  kUnit,      // queue code (LOAD..AAE); `allowed` mask
  kReduceOp,  // ReduceOp code; `allowed` mask
};

struct FieldSpec {
  FieldKind kind = FieldKind::kUnsigned;
  int width = 0;
  int64_t min = 0;  // kUnsigned/kSigned/kAddr16: inclusive range of the value (bytes for addr)
  int64_t max = 0;
  uint32_t allowed = 0;  // enum kinds: bit i set when code i is valid
};

// Field spec constructors.
constexpr FieldSpec U(int width, int64_t min = 0) {
  return {FieldKind::kUnsigned, width, min, (int64_t{1} << width) - 1, 0};
}
constexpr FieldSpec S(int width) {
  return {FieldKind::kSigned, width, -(int64_t{1} << (width - 1)), (int64_t{1} << (width - 1)) - 1,
          0};
}
constexpr FieldSpec A16(int width) {
  return {FieldKind::kAddr16, width, 0, ((int64_t{1} << width) - 1) * kSramAlign, 0};
}
constexpr FieldSpec B() { return {FieldKind::kBool, 1, 0, 1, 0}; }
constexpr FieldSpec E(FieldKind kind, int width, uint32_t allowed) {
  return {kind, width, 0, 0, allowed};
}
constexpr uint32_t Bit(int i) { return uint32_t{1} << i; }
inline constexpr uint32_t kAnyDType = 0xF;
inline constexpr uint32_t kFeatDTypes = Bit(0) | Bit(1);          // s8, s16
inline constexpr uint32_t kOutDTypes = Bit(0) | Bit(1) | Bit(2);  // s8, s16, s32

// Fields common to every instruction (bits 0..47 with the opcode).
struct Common {
  uint16_t layer = kNoLayer;               // bits 8..23; kNoLayer = not attributed
  std::array<uint8_t, 2> wait = {0, 0};    // bits 24..29, 30..35: semaphores popped at start
  std::array<uint8_t, 2> signal = {0, 0};  // bits 36..41, 42..47: pushed on completion
  bool operator==(const Common&) const = default;
};

// Each struct lists its payload fields in bit order from bit 48 via Visit(v): v(name, member,
// spec). Sizes are plain counts (0 is invalid where min = 1); addresses are bytes.

// control ------------------------------------------------------------------------------------
struct Sync {
  static constexpr Opcode kOpcode = Opcode::kSync;
  static constexpr const char* kMnemonic = "sync";
  Unit unit = Unit::kLoad;  // the queue it is issued to
  template <class V>
  void Visit(V&& v) {
    v("unit", unit, E(FieldKind::kUnit, 3, 0x1F));
  }
  bool operator==(const Sync&) const = default;
};
// ISA 1.2: like `sync` it occupies queue `unit` of its own core (waits, pops, pushes its own
// signals), and on completion it also pushes semaphore `sem` of core `core`, so an instruction of
// another core can wait for this queue's earlier instructions.
struct XSync {
  static constexpr Opcode kOpcode = Opcode::kXSync;
  static constexpr const char* kMnemonic = "xsync";
  Unit unit = Unit::kLoad;
  int32_t core = 0;  // the core whose semaphore is pushed
  int32_t sem = 1;   // 1..63
  template <class V>
  void Visit(V&& v) {
    v("unit", unit, E(FieldKind::kUnit, 3, 0x1F));
    v("core", core, U(2));
    v("sem", sem, U(6, 1));
  }
  bool operator==(const XSync&) const = default;
};
struct End {
  static constexpr Opcode kOpcode = Opcode::kEnd;
  static constexpr const char* kMnemonic = "end";
  template <class V>
  void Visit(V&&) {}
  bool operator==(const End&) const = default;
};

// LOAD / STORE -------------------------------------------------------------------------------
struct LoadShape {
  static constexpr Opcode kOpcode = Opcode::kLoadShape;
  static constexpr const char* kMnemonic = "load.shape";
  int32_t elem = 1;                // element bytes: 1, 2, 4, 8
  int32_t n0 = 1, n1 = 1, n2 = 1;  // elements per run, runs per plane, planes
  int32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;  // in planes / runs
  int32_t pad_value = 0;                                             // sign-extended to the element
  template <class V>
  void Visit(V&& v) {
    v("elem", elem, E(FieldKind::kElem, 2, 0xF));
    v("n0", n0, U(14, 1));
    v("n1", n1, U(14, 1));
    v("n2", n2, U(14, 1));
    v("pad_top", pad_top, U(5));
    v("pad_bottom", pad_bottom, U(5));
    v("pad_left", pad_left, U(5));
    v("pad_right", pad_right, U(5));
    v("pad_value", pad_value, S(16));
  }
  bool operator==(const LoadShape&) const = default;
};
struct DmaStride {
  int64_t ddr_s1 = 0, ddr_s2 = 0;    // bytes between runs / planes in DDR
  int32_t sram_s1 = 0, sram_s2 = 0;  // bytes between runs / planes in SRAM
  template <class V>
  void Visit(V&& v) {
    v("ddr_s1", ddr_s1, U(24));
    v("ddr_s2", ddr_s2, U(24));
    v("sram_s1", sram_s1, U(16));
    v("sram_s2", sram_s2, U(16));
  }
  bool operator==(const DmaStride&) const = default;
};
struct LoadStride : DmaStride {
  static constexpr Opcode kOpcode = Opcode::kLoadStride;
  static constexpr const char* kMnemonic = "load.stride";
  bool operator==(const LoadStride&) const = default;
};
struct Load {
  static constexpr Opcode kOpcode = Opcode::kLoad;
  static constexpr const char* kMnemonic = "load";
  Space dst_space = Space::kFeature;
  int64_t dst = 0;  // SRAM byte address
  Region region = Region::kInput;
  int64_t offset = 0;  // DDR byte offset in the region
  template <class V>
  void Visit(V&& v) {
    v("dst_space", dst_space, E(FieldKind::kSpace, 3, Bit(1) | Bit(2) | Bit(3) | Bit(4)));
    v("dst", dst, U(24));
    v("region", region, E(FieldKind::kRegion, 2, 0xF));
    v("offset", offset, U(32));
  }
  bool operator==(const Load&) const = default;
};
struct StoreShape {
  static constexpr Opcode kOpcode = Opcode::kStoreShape;
  static constexpr const char* kMnemonic = "store.shape";
  int32_t elem = 1;
  int32_t n0 = 1, n1 = 1, n2 = 1;
  template <class V>
  void Visit(V&& v) {
    v("elem", elem, E(FieldKind::kElem, 2, 0xF));
    v("n0", n0, U(14, 1));
    v("n1", n1, U(14, 1));
    v("n2", n2, U(14, 1));
  }
  bool operator==(const StoreShape&) const = default;
};
struct StoreStride : DmaStride {
  static constexpr Opcode kOpcode = Opcode::kStoreStride;
  static constexpr const char* kMnemonic = "store.stride";
  bool operator==(const StoreStride&) const = default;
};
struct Store {
  static constexpr Opcode kOpcode = Opcode::kStore;
  static constexpr const char* kMnemonic = "store";
  Space src_space = Space::kFeature;
  int64_t src = 0;
  Region region = Region::kOutput;
  int64_t offset = 0;
  template <class V>
  void Visit(V&& v) {
    v("src_space", src_space, E(FieldKind::kSpace, 3, Bit(1) | Bit(3)));
    v("src", src, U(24));
    v("region", region, E(FieldKind::kRegion, 2, Bit(1) | Bit(3)));
    v("offset", offset, U(32));
  }
  bool operator==(const Store&) const = default;
};

// TAE ----------------------------------------------------------------------------------------
// Window geometry shared by tae.kernel and aae.win.
struct Window {
  int32_t kernel_h = 1, kernel_w = 1;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  template <class V>
  void Visit(V&& v) {
    v("kernel_h", kernel_h, U(4, 1));
    v("kernel_w", kernel_w, U(4, 1));
    v("stride_h", stride_h, U(4, 1));
    v("stride_w", stride_w, U(4, 1));
    v("dilation_h", dilation_h, U(5, 1));
    v("dilation_w", dilation_w, U(5, 1));
    v("pad_top", pad_top, U(6));
    v("pad_bottom", pad_bottom, U(6));
    v("pad_left", pad_left, U(6));
    v("pad_right", pad_right, U(6));
  }
  bool operator==(const Window&) const = default;
};
struct TaeKernel : Window {
  static constexpr Opcode kOpcode = Opcode::kTaeKernel;
  static constexpr const char* kMnemonic = "tae.kernel";
  int32_t groups = 1;  // groups within the tile (in_c and out_c divisible by it)
  template <class V>
  void Visit(V&& v) {
    Window::Visit(v);
    v("groups", groups, U(14, 1));
  }
  bool operator==(const TaeKernel&) const = default;
};
struct TaeTile {
  static constexpr Opcode kOpcode = Opcode::kTaeTile;
  static constexpr const char* kMnemonic = "tae.tile";
  int32_t in_h = 1, in_w = 1, in_c = 1, out_c = 1;
  DType in_dtype = DType::kS8;  // s8 -> s32 accumulators, s16 -> s64 (bayes)
  int64_t in_row_pitch = 0;     // bytes between input rows; 0 = in_w * pixel pitch
  template <class V>
  void Visit(V&& v) {
    v("in_h", in_h, U(14, 1));
    v("in_w", in_w, U(14, 1));
    v("in_c", in_c, U(14, 1));
    v("out_c", out_c, U(14, 1));
    v("in_dtype", in_dtype, E(FieldKind::kDType, 2, kFeatDTypes));
    v("in_row_pitch", in_row_pitch, A16(20));
  }
  bool operator==(const TaeTile&) const = default;
};
struct TaeConv {
  static constexpr Opcode kOpcode = Opcode::kTaeConv;
  static constexpr const char* kMnemonic = "tae.conv";
  int64_t in = 0, weight = 0, acc = 0;  // feature, weight, accumulator SRAM bytes
  bool accumulate = false;              // add to the accumulators instead of overwriting
  template <class V>
  void Visit(V&& v) {
    v("in", in, A16(20));
    v("weight", weight, A16(20));
    v("acc", acc, A16(20));
    v("accumulate", accumulate, B());
  }
  bool operator==(const TaeConv&) const = default;
};
struct TaeMmCfg {
  static constexpr Opcode kOpcode = Opcode::kTaeMmCfg;
  static constexpr const char* kMnemonic = "tae.mmcfg";
  int32_t m = 1, k = 1, n = 1;
  DType a_dtype = DType::kS8;
  Space b_space = Space::kWeight;  // weight SRAM (weights) or feature SRAM (activations)
  bool b_kn = false;               // B stored [K][N] instead of [N][K]
  template <class V>
  void Visit(V&& v) {
    v("m", m, U(16, 1));
    v("k", k, U(16, 1));
    v("n", n, U(16, 1));
    v("a_dtype", a_dtype, E(FieldKind::kDType, 2, kFeatDTypes));
    v("b_space", b_space, E(FieldKind::kSpace, 3, Bit(1) | Bit(2)));
    v("b_kn", b_kn, B());
    // ISA 1.1 (bits that were reserved, so 0 = s8 keeps 1.0 words meaning the same): s16 B
    // with s16 A on marches with int16 activations (attention: int16 x int16).
    v("b_dtype", b_dtype, E(FieldKind::kDType, 2, kFeatDTypes));
  }
  DType b_dtype = DType::kS8;
  bool operator==(const TaeMmCfg&) const = default;
};
struct TaeMatmul {
  static constexpr Opcode kOpcode = Opcode::kTaeMatmul;
  static constexpr const char* kMnemonic = "tae.matmul";
  int64_t a = 0, b = 0, acc = 0;
  bool accumulate = false;
  template <class V>
  void Visit(V&& v) {
    v("a", a, A16(20));
    v("b", b, A16(20));
    v("acc", acc, A16(20));
    v("accumulate", accumulate, B());
  }
  bool operator==(const TaeMatmul&) const = default;
};

// VAE ----------------------------------------------------------------------------------------
enum class Broadcast : uint8_t { kNone = 0, kChannel = 1, kScalar = 2 };

struct VaeCfg {
  static constexpr Opcode kOpcode = Opcode::kVaeCfg;
  static constexpr const char* kMnemonic = "vae.cfg";
  int32_t pixels = 1;    // P: rows of the [P][C] operands
  int32_t channels = 1;  // C
  DType x_dtype = DType::kS8;
  DType y_dtype = DType::kS8;
  DType out_dtype = DType::kS8;
  bool relu = false;         // clamp below at 0
  bool clamp_hi_en = false;  // clamp above at clamp_hi (ReLU6 etc.)
  int32_t clamp_hi = 0;
  int32_t y_bcast = 0;  // Broadcast code: y is [P][C], [1][C] or [1][1]
  template <class V>
  void Visit(V&& v) {
    v("pixels", pixels, U(20, 1));
    v("channels", channels, U(14, 1));
    v("x_dtype", x_dtype, E(FieldKind::kDType, 2, kAnyDType));
    v("y_dtype", y_dtype, E(FieldKind::kDType, 2, kFeatDTypes));
    v("out_dtype", out_dtype, E(FieldKind::kDType, 2, kOutDTypes));
    v("relu", relu, B());
    v("clamp_hi_en", clamp_hi_en, B());
    v("clamp_hi", clamp_hi, S(16));
    v("y_bcast", y_bcast, FieldSpec{FieldKind::kUnsigned, 2, 0, 2, 0});
    // ISA 1.1 (bits that were reserved; 0 = the dense pitch align16(C x esize)): the pixel pitch
    // of the dst operand of vae.requant / vae.requant_sumin in 16-byte units, so a layer writes
    // straight into a wider on-chip tensor (a channel slice, a value kept on chip).
    v("dst_pitch", dst_pitch, U(10));
  }
  int32_t dst_pitch = 0;
  bool operator==(const VaeCfg&) const = default;
};
struct VaeRequant {
  static constexpr Opcode kOpcode = Opcode::kVaeRequant;
  static constexpr const char* kMnemonic = "vae.requant";
  int64_t src = 0;    // accumulator SRAM (x_dtype s32/s64) or feature SRAM (s8/s16)
  int64_t dst = 0;    // feature SRAM
  int64_t param = 0;  // weight SRAM: one 32-byte RequantParam per channel (records.h)
  template <class V>
  void Visit(V&& v) {
    v("src", src, A16(20));
    v("dst", dst, A16(20));
    v("param", param, A16(20));
  }
  bool operator==(const VaeRequant&) const = default;
};
struct VaeRequantSumin {
  static constexpr Opcode kOpcode = Opcode::kVaeRequantSumin;
  static constexpr const char* kMnemonic = "vae.requant_sumin";
  int64_t src = 0, dst = 0, param = 0;
  int64_t sumin = 0;  // feature SRAM, y_dtype, [P][C]
  template <class V>
  void Visit(V&& v) {
    v("src", src, A16(20));
    v("dst", dst, A16(20));
    v("param", param, A16(20));
    v("sumin", sumin, A16(20));
  }
  bool operator==(const VaeRequantSumin&) const = default;
};
// x, y, dst in feature SRAM; param in weight SRAM (16-byte EltwiseParam / 32-byte CmpParam).
template <Opcode Op, bool kHasParam>
struct VaeBinaryT {
  static constexpr Opcode kOpcode = Op;
  static constexpr const char* kMnemonic = Op == Opcode::kVaeAdd     ? "vae.add"
                                           : Op == Opcode::kVaeSub   ? "vae.sub"
                                           : Op == Opcode::kVaeAddB2 ? "vae.add_b2"
                                           : Op == Opcode::kVaeMul   ? "vae.mul"
                                           : Op == Opcode::kVaeMax   ? "vae.max"
                                           : Op == Opcode::kVaeMin   ? "vae.min"
                                                                     : "vae.cmp";
  int64_t x = 0, y = 0, dst = 0, param = 0;  // param unused (must be 0) without kHasParam
  template <class V>
  void Visit(V&& v) {
    v("x", x, A16(20));
    v("y", y, A16(20));
    v("dst", dst, A16(20));
    if constexpr (kHasParam) v("param", param, A16(20));
  }
  bool operator==(const VaeBinaryT&) const = default;
};
using VaeAdd = VaeBinaryT<Opcode::kVaeAdd, true>;
using VaeSub = VaeBinaryT<Opcode::kVaeSub, true>;
using VaeAddB2 = VaeBinaryT<Opcode::kVaeAddB2, true>;
using VaeMul = VaeBinaryT<Opcode::kVaeMul, true>;
using VaeMax = VaeBinaryT<Opcode::kVaeMax, false>;
using VaeMin = VaeBinaryT<Opcode::kVaeMin, false>;
using VaeCmp = VaeBinaryT<Opcode::kVaeCmp, true>;

template <Opcode Op>
struct VaeLutT {
  static constexpr Opcode kOpcode = Op;
  static constexpr const char* kMnemonic = Op == Opcode::kVaeLut8 ? "vae.lut8" : "vae.lut16";
  int64_t x = 0, dst = 0;  // feature SRAM
  int64_t table = 0;       // LUT SRAM
  template <class V>
  void Visit(V&& v) {
    v("x", x, A16(20));
    v("dst", dst, A16(20));
    v("table", table, A16(20));
  }
  bool operator==(const VaeLutT&) const = default;
};
using VaeLut8 = VaeLutT<Opcode::kVaeLut8>;
using VaeLut16 = VaeLutT<Opcode::kVaeLut16>;

// The int16 functions evaluated through a normalized table (records.h NormTable image in LUT
// SRAM): reciprocal, square root (via rsqrt) and natural log (via log2).
template <Opcode Op>
struct VaeNormT {
  static constexpr Opcode kOpcode = Op;
  static constexpr const char* kMnemonic = Op == Opcode::kVaeRecip  ? "vae.recip"
                                           : Op == Opcode::kVaeSqrt ? "vae.sqrt"
                                                                    : "vae.log";
  int64_t x = 0, dst = 0;  // feature SRAM
  int64_t table = 0;       // LUT SRAM
  template <class V>
  void Visit(V&& v) {
    v("x", x, A16(20));
    v("dst", dst, A16(20));
    v("table", table, A16(20));
  }
  bool operator==(const VaeNormT&) const = default;
};
using VaeRecip = VaeNormT<Opcode::kVaeRecip>;
using VaeSqrt = VaeNormT<Opcode::kVaeSqrt>;
using VaeLog = VaeNormT<Opcode::kVaeLog>;

// AAE ----------------------------------------------------------------------------------------
struct AaeWin : Window {
  static constexpr Opcode kOpcode = Opcode::kAaeWin;
  static constexpr const char* kMnemonic = "aae.win";
  template <class V>
  void Visit(V&& v) {
    Window::Visit(v);
  }
  bool operator==(const AaeWin&) const = default;
};
struct AaeTile {
  static constexpr Opcode kOpcode = Opcode::kAaeTile;
  static constexpr const char* kMnemonic = "aae.tile";
  int32_t in_h = 1, in_w = 1, channels = 1, out_h = 1, out_w = 1;
  DType in_dtype = DType::kS8;
  DType out_dtype = DType::kS8;
  template <class V>
  void Visit(V&& v) {
    v("in_h", in_h, U(14, 1));
    v("in_w", in_w, U(14, 1));
    v("channels", channels, U(14, 1));
    v("out_h", out_h, U(14, 1));
    v("out_w", out_w, U(14, 1));
    v("in_dtype", in_dtype, E(FieldKind::kDType, 2, kOutDTypes));
    v("out_dtype", out_dtype, E(FieldKind::kDType, 2, kOutDTypes));
  }
  bool operator==(const AaeTile&) const = default;
};
struct AaeMaxPool {
  static constexpr Opcode kOpcode = Opcode::kAaeMaxPool;
  static constexpr const char* kMnemonic = "aae.maxpool";
  int64_t src = 0, dst = 0;
  template <class V>
  void Visit(V&& v) {
    v("src", src, A16(20));
    v("dst", dst, A16(20));
  }
  bool operator==(const AaeMaxPool&) const = default;
};
struct AaeAvgPool {
  static constexpr Opcode kOpcode = Opcode::kAaeAvgPool;
  static constexpr const char* kMnemonic = "aae.avgpool";
  int64_t src = 0, dst = 0;
  int64_t param = 0;  // weight SRAM: kernel_h * kernel_w 8-byte records, entry d-1 for divisor d
  bool count_include_pad = true;
  template <class V>
  void Visit(V&& v) {
    v("src", src, A16(20));
    v("dst", dst, A16(20));
    v("param", param, A16(20));
    v("count_include_pad", count_include_pad, B());
  }
  bool operator==(const AaeAvgPool&) const = default;
};
template <Opcode Op>
struct AaeResizeT {
  static constexpr Opcode kOpcode = Op;
  static constexpr const char* kMnemonic =
      Op == Opcode::kAaeResizeNearest ? "aae.resize_nearest" : "aae.resize_linear";
  int64_t src = 0, dst = 0;
  int64_t table = 0;  // weight SRAM: index / tap tables (ISA.md)
  template <class V>
  void Visit(V&& v) {
    v("src", src, A16(20));
    v("dst", dst, A16(20));
    v("table", table, A16(20));
  }
  bool operator==(const AaeResizeT&) const = default;
};
using AaeResizeNearest = AaeResizeT<Opcode::kAaeResizeNearest>;
using AaeResizeLinear = AaeResizeT<Opcode::kAaeResizeLinear>;
struct AaeReduce {
  static constexpr Opcode kOpcode = Opcode::kAaeReduce;
  static constexpr const char* kMnemonic = "aae.reduce";
  ReduceOp op = ReduceOp::kSum;
  int32_t axes = 1;          // bit 0 = H, bit 1 = W, bit 2 = C; argmax/argmin take exactly one
  bool select_last = false;  // argmax/argmin ties: last index instead of first
  int64_t src = 0, dst = 0;
  int64_t param = 0;  // sum: weight SRAM, one 8-byte record
  template <class V>
  void Visit(V&& v) {
    v("op", op, E(FieldKind::kReduceOp, 3, 0x1F));
    v("axes", axes, FieldSpec{FieldKind::kUnsigned, 3, 1, 7, 0});
    v("select_last", select_last, B());
    v("src", src, A16(20));
    v("dst", dst, A16(20));
    v("param", param, A16(20));
  }
  bool operator==(const AaeReduce&) const = default;
};
struct AaeMoveShape {
  static constexpr Opcode kOpcode = Opcode::kAaeMoveShape;
  static constexpr const char* kMnemonic = "aae.move.shape";
  int32_t elem = 1;
  int32_t d0 = 1, d1 = 1, d2 = 1, d3 = 1;  // d0 innermost
  template <class V>
  void Visit(V&& v) {
    v("elem", elem, E(FieldKind::kElem, 2, 0xF));
    v("d0", d0, U(16, 1));
    v("d1", d1, U(16, 1));
    v("d2", d2, U(16, 1));
    v("d3", d3, U(16, 1));
  }
  bool operator==(const AaeMoveShape&) const = default;
};
// Strides in elements (signed), for d0..d3.
struct MoveStrides {
  int32_t s0 = 1, s1 = 0, s2 = 0, s3 = 0;
  template <class V>
  void Visit(V&& v) {
    v("s0", s0, S(20));
    v("s1", s1, S(20));
    v("s2", s2, S(20));
    v("s3", s3, S(20));
  }
  bool operator==(const MoveStrides&) const = default;
};
struct AaeMoveSrc : MoveStrides {
  static constexpr Opcode kOpcode = Opcode::kAaeMoveSrc;
  static constexpr const char* kMnemonic = "aae.move.src";
  bool operator==(const AaeMoveSrc&) const = default;
};
struct AaeMoveDst : MoveStrides {
  static constexpr Opcode kOpcode = Opcode::kAaeMoveDst;
  static constexpr const char* kMnemonic = "aae.move.dst";
  bool operator==(const AaeMoveDst&) const = default;
};
struct AaeMove {
  static constexpr Opcode kOpcode = Opcode::kAaeMove;
  static constexpr const char* kMnemonic = "aae.move";
  Space src_space = Space::kFeature;
  int64_t src = 0;  // byte address
  Space dst_space = Space::kFeature;
  int64_t dst = 0;
  template <class V>
  void Visit(V&& v) {
    v("src_space", src_space, E(FieldKind::kSpace, 3, Bit(1) | Bit(2) | Bit(3)));
    v("src", src, U(24));
    v("dst_space", dst_space, E(FieldKind::kSpace, 3, Bit(1) | Bit(2) | Bit(3)));
    v("dst", dst, U(24));
  }
  bool operator==(const AaeMove&) const = default;
};
// Top-k along one axis of the AAE tile: values (in_dtype) to dst, s32 indices to `indices`.
struct AaeTopK {
  static constexpr Opcode kOpcode = Opcode::kAaeTopK;
  static constexpr const char* kMnemonic = "aae.topk";
  int32_t axis = 0;     // 0 = H, 1 = W, 2 = C
  bool largest = true;  // k largest (else k smallest); ties in increasing index order
  int32_t k = 1;
  int64_t src = 0, dst = 0, indices = 0;  // feature SRAM
  template <class V>
  void Visit(V&& v) {
    v("axis", axis, FieldSpec{FieldKind::kUnsigned, 2, 0, 2, 0});
    v("largest", largest, B());
    v("k", k, U(14, 1));
    v("src", src, A16(20));
    v("dst", dst, A16(20));
    v("indices", indices, A16(20));
  }
  bool operator==(const AaeTopK&) const = default;
};

// ISA 1.1 -------------------------------------------------------------------------------------
// Softmax / layer normalization of the [P][C] operand of vae.cfg (pixels, channels, x_dtype s8 /
// s16, out_dtype) along C (each pixel's channels: axis 0) or along P (each channel's pixels:
// axis 1); param: the SoftmaxParam / LayerNormParam image in weight SRAM (records.h), the numerics
// of isa/numerics/softmax.h and layer_norm.h.
template <Opcode Op>
struct VaeRowT {
  static constexpr Opcode kOpcode = Op;
  static constexpr const char* kMnemonic =
      Op == Opcode::kVaeSoftmax ? "vae.softmax" : "vae.layernorm";
  int32_t axis = 0;        // 0: along C, 1: along P
  int64_t x = 0, dst = 0;  // feature SRAM
  int64_t param = 0;       // weight SRAM
  template <class V>
  void Visit(V&& v) {
    v("axis", axis, FieldSpec{FieldKind::kUnsigned, 1, 0, 1, 0});
    v("x", x, A16(20));
    v("dst", dst, A16(20));
    v("param", param, A16(20));
  }
  bool operator==(const VaeRowT&) const = default;
};
using VaeSoftmax = VaeRowT<Opcode::kVaeSoftmax>;
using VaeLayerNorm = VaeRowT<Opcode::kVaeLayerNorm>;
// x / y of the vae.cfg operands (y broadcast per y_bcast); param: DivParam image in weight SRAM
// (numerics::ApplyDiv).
struct VaeDiv {
  static constexpr Opcode kOpcode = Opcode::kVaeDiv;
  static constexpr const char* kMnemonic = "vae.div";
  int64_t x = 0, y = 0, dst = 0, param = 0;
  template <class V>
  void Visit(V&& v) {
    v("x", x, A16(20));
    v("y", y, A16(20));
    v("dst", dst, A16(20));
    v("param", param, A16(20));
  }
  bool operator==(const VaeDiv&) const = default;
};
// dst[p][c] = cond[p][c] != 0 ? x[p][c] : y[p][c]: cond s8 [P][C], x, y, dst of x_dtype (the
// lowering requantizes x and y to the output scale first, as Where's integer kernel does).
struct VaeSelect {
  static constexpr Opcode kOpcode = Opcode::kVaeSelect;
  static constexpr const char* kMnemonic = "vae.select";
  int64_t cond = 0, x = 0, y = 0, dst = 0;
  template <class V>
  void Visit(V&& v) {
    v("cond", cond, A16(20));
    v("x", x, A16(20));
    v("y", y, A16(20));
    v("dst", dst, A16(20));
  }
  bool operator==(const VaeSelect&) const = default;
};
// Gather with run-time indices: for i < count, the `row` bytes at src + j * src_stride go to
// dst + i * dst_stride, with j = indices[i] (idx_dtype s32 / s64 in feature SRAM), j + limit
// when j < 0; an index outside [-limit, limit) is an execution error.
struct AaeGatherCfg {
  static constexpr Opcode kOpcode = Opcode::kAaeGatherCfg;
  static constexpr const char* kMnemonic = "aae.gather.cfg";
  int32_t count = 1, limit = 1, row = 1;
  int32_t src_stride = 0, dst_stride = 0;  // bytes
  DType idx_dtype = DType::kS64;
  template <class V>
  void Visit(V&& v) {
    v("count", count, U(14, 1));
    v("limit", limit, U(16, 1));
    v("row", row, U(16, 1));
    v("src_stride", src_stride, U(16));
    v("dst_stride", dst_stride, U(16));
    v("idx_dtype", idx_dtype, E(FieldKind::kDType, 2, Bit(2) | Bit(3)));
  }
  bool operator==(const AaeGatherCfg&) const = default;
};
struct AaeGather {
  static constexpr Opcode kOpcode = Opcode::kAaeGather;
  static constexpr const char* kMnemonic = "aae.gather";
  Space src_space = Space::kFeature;
  int64_t src = 0;      // byte address
  int64_t indices = 0;  // feature SRAM
  int64_t dst = 0;      // feature SRAM, byte address
  template <class V>
  void Visit(V&& v) {
    v("src_space", src_space, E(FieldKind::kSpace, 3, Bit(1) | Bit(2)));
    v("src", src, U(24));
    v("indices", indices, A16(20));
    v("dst", dst, U(24));
  }
  bool operator==(const AaeGather&) const = default;
};

// ISA 1.1 operand pitches (ISA.md, "Operand pitches"): configuration registers, reset to 0 (dense)
// at program start, that let an operand be a window of a wider SRAM tensor (a channel slice, a
// value kept on chip, the rows of a halo tile) instead of a dense copy. Pixel pitches are in
// 16-byte units (0 = the dense align16(C x esize)); row pitches are bytes (0 = W x pixel pitch).
// TAE PITCH: tae.conv's input and accumulators; tae.matmul's A rows and accumulator rows.
struct TaePitch {
  static constexpr Opcode kOpcode = Opcode::kTaePitch;
  static constexpr const char* kMnemonic = "tae.pitch";
  int32_t in_pitch = 0, acc_pitch = 0;  // 16-byte units
  int64_t acc_row_pitch = 0;            // bytes (tae.conv)
  template <class V>
  void Visit(V&& v) {
    v("in_pitch", in_pitch, U(14));
    v("acc_pitch", acc_pitch, U(14));
    v("acc_row_pitch", acc_row_pitch, A16(20));
  }
  bool operator==(const TaePitch&) const = default;
};
// VAE PITCH: the x operand (vae.requant's src) and the y operand (sumin; y of the binary ops when
// y_bcast = 0) of vae.requant*, the binary ops and the tables (vae.cfg dst_pitch is the dst's).
struct VaePitch {
  static constexpr Opcode kOpcode = Opcode::kVaePitch;
  static constexpr const char* kMnemonic = "vae.pitch";
  int32_t x_pitch = 0, y_pitch = 0;  // 16-byte units
  template <class V>
  void Visit(V&& v) {
    v("x_pitch", x_pitch, U(14));
    v("y_pitch", y_pitch, U(14));
  }
  bool operator==(const VaePitch&) const = default;
};
// AAE PITCH: the source and result of aae.maxpool / avgpool / resize_* / reduce / topk (topk's
// values; its indices stay dense). aae.move and aae.gather have their own strides.
struct AaePitch {
  static constexpr Opcode kOpcode = Opcode::kAaePitch;
  static constexpr const char* kMnemonic = "aae.pitch";
  int32_t src_pitch = 0, dst_pitch = 0;          // 16-byte units
  int64_t src_row_pitch = 0, dst_row_pitch = 0;  // bytes
  template <class V>
  void Visit(V&& v) {
    v("src_pitch", src_pitch, U(14));
    v("src_row_pitch", src_row_pitch, A16(20));
    v("dst_pitch", dst_pitch, U(14));
    v("dst_row_pitch", dst_row_pitch, A16(20));
  }
  bool operator==(const AaePitch&) const = default;
};

using Payload =
    std::variant<Sync, End, LoadShape, LoadStride, Load, StoreShape, StoreStride, Store, TaeKernel,
                 TaeTile, TaeConv, TaeMmCfg, TaeMatmul, VaeCfg, VaeRequant, VaeRequantSumin, VaeAdd,
                 VaeSub, VaeAddB2, VaeMul, VaeMax, VaeMin, VaeCmp, VaeLut8, VaeLut16, AaeWin,
                 AaeTile, AaeMaxPool, AaeAvgPool, AaeResizeNearest, AaeResizeLinear, AaeReduce,
                 AaeMoveShape, AaeMoveSrc, AaeMoveDst, AaeMove, VaeRecip, VaeSqrt, VaeLog, AaeTopK,
                 VaeSoftmax, VaeLayerNorm, VaeDiv, VaeSelect, AaeGatherCfg, AaeGather, TaePitch,
                 VaePitch, AaePitch, XSync>;
inline constexpr int kNumInstructionKinds = std::variant_size_v<Payload>;

struct Instruction {
  Common common;
  Payload payload;

  Opcode opcode() const;
  const char* mnemonic() const;
  // The queue that executes it (kControl for end; sync's `unit` field).
  Unit unit() const;
  bool operator==(const Instruction&) const = default;
};

// Checks every field's range and alignment; the error names the mnemonic and field.
absl::Status Validate(const Instruction& inst);

// Encodes a valid instruction (Validate's error otherwise).
absl::StatusOr<Word128> Encode(const Instruction& inst);

// Decodes a word; an invalid word (ISA.md, "Invalid words") is INVALID_ARGUMENT naming the rule
// and field.
absl::StatusOr<Instruction> Decode(const Word128& word);

// One payload field as the generic code sees it (for docs, the assembler and tests).
struct FieldInfo {
  std::string name;
  int lsb = 0;
  FieldSpec spec;
};
struct OpcodeInfo {
  Opcode opcode;
  std::string mnemonic;
  Unit unit;       // kControl for sync/end
  int kind_index;  // index in Payload
  std::vector<FieldInfo> fields;
};
// Every opcode, in Payload order.
const std::vector<OpcodeInfo>& AllOpcodes();
// nullptr when unknown.
const OpcodeInfo* FindOpcode(uint8_t opcode);
const OpcodeInfo* FindMnemonic(absl::string_view mnemonic);

// A default-constructed instruction of the given kind (index in Payload).
Instruction MakeDefault(int kind_index);

// Generic field access by name (value in the natural unit: bytes, counts, enum codes).
absl::StatusOr<int64_t> GetField(const Instruction& inst, absl::string_view name);
absl::Status SetField(Instruction& inst, absl::string_view name, int64_t value);

// SRAM layout helpers (ISA.md, "Tensor layouts in SRAM").
inline int64_t Align16(int64_t bytes) { return (bytes + kSramAlign - 1) / kSramAlign * kSramAlign; }
// Bytes between consecutive pixels of a [H][W][C] feature or accumulator tile.
inline int64_t PixelPitch(int64_t channels, DType dtype) {
  return Align16(channels * DTypeBytes(dtype));
}
// Output size of a window over an input (tae.conv, pooling): floor((pad_begin + in + pad_end -
// ((k - 1) * d + 1)) / s) + 1; INVALID_ARGUMENT when the window does not fit once.
absl::StatusOr<std::array<int64_t, 2>> WindowOutputSize(const Window& w, int64_t in_h,
                                                        int64_t in_w);

// Bytes of one RequantParam (per channel of vae.requant*); the layout is in isa/records.h.
inline constexpr int kRequantParamBytes = 32;

}  // namespace openbpu::isa

#endif  // OPENBPU_ISA_INSTRUCTION_H_
