// Lowering of isa::Program instructions to timed operations (addresses, bounds, costs) and
// their bit-exact functional execution through isa/numerics.
#include "simulator/simulator.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "isa/numerics/compare.h"
#include "isa/numerics/lut.h"
#include "isa/numerics/movement.h"
#include "isa/numerics/pool.h"
#include "isa/numerics/reduce.h"
#include "isa/numerics/requantize.h"
#include "isa/numerics/resize.h"
#include "isa/numerics/segment_lut.h"
#include "isa/records.h"
#include "simulator/eltwise.h"
#include "simulator/tae.h"

namespace openbpu::sim {
namespace {

using isa::DType;
using isa::Opcode;

constexpr int kMaxRangesPerAccess = 4096;  // beyond this an access is its bounding box
using isa::kCmpParamBytes;
using isa::kEltwiseParamBytes;
using isa::kRecordBytes;

int64_t Align16(int64_t x) { return (x + 15) / 16 * 16; }
int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
Space ToSpace(isa::Space s) { return static_cast<Space>(static_cast<int>(s)); }

int64_t ReadElem(const uint8_t* p, DType d) {
  switch (d) {
    case DType::kS8:
      return static_cast<int8_t>(*p);
    case DType::kS16: {
      int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case DType::kS32: {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case DType::kS64: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
  return 0;
}

void WriteElem(uint8_t* p, DType d, int64_t v) {
  switch (d) {
    case DType::kS8: {
      int8_t x = static_cast<int8_t>(v);
      std::memcpy(p, &x, 1);
      return;
    }
    case DType::kS16: {
      int16_t x = static_cast<int16_t>(v);
      std::memcpy(p, &x, 2);
      return;
    }
    case DType::kS32: {
      int32_t x = static_cast<int32_t>(v);
      std::memcpy(p, &x, 4);
      return;
    }
    case DType::kS64:
      std::memcpy(p, &v, 8);
      return;
  }
}

std::pair<int64_t, int64_t> DTypeRange(DType d) {
  switch (d) {
    case DType::kS8:
      return {-128, 127};
    case DType::kS16:
      return {-32768, 32767};
    case DType::kS32:
      return {INT32_MIN, INT32_MAX};
    case DType::kS64:
      return {INT64_MIN, INT64_MAX};
  }
  return {0, 0};
}

template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// The output range of a VAE instruction: out_dtype's, raised by relu, lowered by clamp_hi.
std::pair<int64_t, int64_t> VaeRange(const isa::VaeCfg& cfg) {
  auto [lo, hi] = DTypeRange(cfg.out_dtype);
  if (cfg.relu) lo = std::max<int64_t>(lo, 0);
  if (cfg.clamp_hi_en) hi = std::min<int64_t>(hi, cfg.clamp_hi);
  return {lo, hi};
}

// Builds one SimOp's accesses and checks each against its memory or DDR region.
class AccessBuilder {
 public:
  AccessBuilder(SimOp& op, const Memories& mem, const DdrLayout& ddr)
      : op_(op), mem_(mem), ddr_(ddr) {}

  // A box of runs: base + i2 * s2 + i1 * s1, run bytes, i2 < n2, i1 < n1 (strides >= 0).
  absl::Status Box(Space space, bool write, uint64_t base, int64_t n2, int64_t s2, int64_t n1,
                   int64_t s1, int64_t run, absl::string_view what) {
    const uint64_t extent = static_cast<uint64_t>((n2 - 1) * s2 + (n1 - 1) * s1 + run);
    if (absl::Status st = mem_.Check(space, base, extent, op_.index, what); !st.ok()) return st;
    Access acc{space, write, {}};
    if (n2 * n1 > kMaxRangesPerAccess || (s1 == run && s2 == n1 * s1)) {
      acc.ranges.push_back({base, base + extent});
    } else {
      for (int64_t i2 = 0; i2 < n2; ++i2)
        for (int64_t i1 = 0; i1 < n1; ++i1) {
          const uint64_t b = base + i2 * s2 + i1 * s1;
          acc.ranges.push_back({b, b + run});
        }
    }
    op_.accesses.push_back(std::move(acc));
    return absl::OkStatus();
  }

  // A DDR box inside one region (offset relative to the region).
  absl::Status DdrBox(isa::Region region, bool write, uint64_t offset, int64_t n2, int64_t s2,
                      int64_t n1, int64_t s1, int64_t run, absl::string_view what) {
    const int r = static_cast<int>(region);
    const uint64_t extent = static_cast<uint64_t>((n2 - 1) * s2 + (n1 - 1) * s1 + run);
    if (offset > ddr_.size[r] || extent > ddr_.size[r] - offset) {
      return absl::OutOfRangeError(absl::StrFormat(
          "instruction %d: %s accesses DDR region %s [0x%x, 0x%x) outside its %u bytes", op_.index,
          std::string(what), isa::RegionName(region), offset, offset + extent, ddr_.size[r]));
    }
    return Box(Space::kDdr, write, ddr_.base[r] + offset, n2, s2, n1, s1, run, what);
  }

  // A feature-layout tensor [h][w][c] of `esize`-byte elements.
  absl::Status Feature(Space space, bool write, uint64_t addr, int64_t h, int64_t w, int64_t c,
                       int esize, int64_t row_pitch, absl::string_view what) {
    const int64_t pp = Align16(c * esize);
    const int64_t rp = row_pitch ? row_pitch : w * pp;
    if (rp == w * pp) return Box(space, write, addr, 1, 0, 1, 0, (h - 1) * rp + w * pp, what);
    return Box(space, write, addr, h, rp, 1, 0, (w - 1) * pp + c * esize, what);
  }

  absl::Status Bytes(Space space, bool write, uint64_t addr, int64_t bytes,
                     absl::string_view what) {
    return Box(space, write, addr, 1, 0, 1, 0, bytes, what);
  }

 private:
  SimOp& op_;
  const Memories& mem_;
  const DdrLayout& ddr_;
};

absl::Status ExecError(int64_t index, const char* mnemonic, absl::string_view msg) {
  return absl::InvalidArgumentError(
      absl::StrFormat("instruction %d (%s): %s", index, mnemonic, std::string(msg)));
}

// Output size of a window along one axis (ISA.md tae.conv).
int64_t WindowOut(int64_t in, int64_t pad_a, int64_t pad_b, int64_t k, int64_t dil, int64_t st) {
  const int64_t span = (k - 1) * dil + 1;
  const int64_t room = pad_a + in + pad_b - span;
  return room < 0 ? 0 : room / st + 1;
}

numerics::PoolWindows PoolGeometry(const isa::AaeWin& w, const isa::AaeTile& t) {
  numerics::PoolWindows g;
  g.input = {t.in_h, t.in_w};
  g.output = {t.out_h, t.out_w};
  g.kernel = {w.kernel_h, w.kernel_w};
  g.strides = {w.stride_h, w.stride_w};
  g.dilations = {w.dilation_h, w.dilation_w};
  g.pads_begin = {w.pad_top, w.pad_left};
  g.pads_end = {w.pad_bottom, w.pad_right};
  return g;
}

// Calls fn(T{}) with T the C++ type of `d`.
template <typename Fn>
auto WithType(DType d, Fn fn) {
  switch (d) {
    case DType::kS8:
      return fn(int8_t{});
    case DType::kS16:
      return fn(int16_t{});
    case DType::kS32:
      return fn(int32_t{});
    case DType::kS64:
      break;
  }
  return fn(int64_t{});
}

// Feature tensor [h][w][c] <-> dense row-major buffers (HWC or CHW).
template <typename T>
std::vector<T> GatherHwc(const uint8_t* base, int64_t h, int64_t w, int64_t c) {
  const int64_t pp = Align16(c * static_cast<int64_t>(sizeof(T)));
  std::vector<T> out(h * w * c);
  for (int64_t p = 0; p < h * w; ++p) std::memcpy(&out[p * c], base + p * pp, c * sizeof(T));
  return out;
}
template <typename T>
void ScatterHwc(const std::vector<T>& v, int64_t h, int64_t w, int64_t c, uint8_t* base) {
  const int64_t pp = Align16(c * static_cast<int64_t>(sizeof(T)));
  for (int64_t p = 0; p < h * w; ++p) std::memcpy(base + p * pp, &v[p * c], c * sizeof(T));
}
template <typename T>
std::vector<T> HwcToChw(const std::vector<T>& hwc, int64_t hw, int64_t c) {
  std::vector<T> out(hw * c);
  for (int64_t p = 0; p < hw; ++p)
    for (int64_t k = 0; k < c; ++k) out[k * hw + p] = hwc[p * c + k];
  return out;
}
template <typename T>
std::vector<T> ChwToHwc(const std::vector<T>& chw, int64_t hw, int64_t c) {
  std::vector<T> out(hw * c);
  for (int64_t p = 0; p < hw; ++p)
    for (int64_t k = 0; k < c; ++k) out[p * c + k] = chw[k * hw + p];
  return out;
}

absl::StatusOr<numerics::RequantizeRecord> ReadRecord(const uint8_t* p, int64_t index,
                                                      const char* mnemonic) {
  absl::StatusOr<numerics::RequantizeRecord> r = isa::UnpackRecord(p);
  if (!r.ok()) return ExecError(index, mnemonic, r.status().message());
  return r;
}

isa::NormFunction NormFunctionOf(Opcode op) {
  return op == Opcode::kVaeRecip  ? isa::NormFunction::kReciprocal
         : op == Opcode::kVaeSqrt ? isa::NormFunction::kSqrt
                                  : isa::NormFunction::kLog;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Costs

uint64_t InstructionCycles(const Simulator::Resolved& r, const isa::March& m) {
  const uint64_t issue = m.issue_cycles.value;
  auto lanes = [&](int64_t elements, int lanes_per_cycle) {
    return issue + static_cast<uint64_t>(
                       CeilDiv(std::max<int64_t>(elements, 1), std::max(lanes_per_cycle, 1)));
  };
  switch (r.inst.opcode()) {
    case Opcode::kSync:
      return 0;
    case Opcode::kEnd:
      return 0;
    case Opcode::kLoad:
    case Opcode::kStore:
      return 0;  // the DDR transfer and latency are charged by the timing engine
    case Opcode::kTaeConv: {
      const auto& k = r.tae_kernel;
      const auto& t = r.tae_tile;
      const int64_t oh =
          WindowOut(t.in_h, k.pad_top, k.pad_bottom, k.kernel_h, k.dilation_h, k.stride_h);
      const int64_t ow =
          WindowOut(t.in_w, k.pad_left, k.pad_right, k.kernel_w, k.dilation_w, k.stride_w);
      const int64_t tiles =
          CeilDiv(oh, m.feature_tile_h.value) * CeilDiv(ow, m.feature_tile_w.value) *
          CeilDiv(t.out_c / k.groups, m.weight_tile_oc.value) *
          CeilDiv(t.in_c / k.groups, m.weight_tile_ic.value) * k.kernel_h * k.kernel_w * k.groups;
      double cycles = static_cast<double>(tiles) / std::max(m.tae_efficiency.value, 1e-3);
      if (t.in_dtype == DType::kS16) cycles /= std::max(m.int16_mac_rate.value, 1e-3);
      return issue + static_cast<uint64_t>(std::ceil(cycles));
    }
    case Opcode::kTaeMatmul: {
      const auto& mm = r.tae_mm;
      const int64_t tiles =
          CeilDiv(mm.m, int64_t{m.feature_tile_h.value} * m.feature_tile_w.value) *
          CeilDiv(mm.n, m.weight_tile_oc.value) * CeilDiv(mm.k, m.weight_tile_ic.value);
      double cycles = static_cast<double>(tiles) / std::max(m.tae_efficiency.value, 1e-3);
      if (mm.a_dtype == DType::kS16) cycles /= std::max(m.int16_mac_rate.value, 1e-3);
      return issue + static_cast<uint64_t>(std::ceil(cycles));
    }
    case Opcode::kVaeRequant:
    case Opcode::kVaeRequantSumin:
    case Opcode::kVaeAdd:
    case Opcode::kVaeSub:
    case Opcode::kVaeAddB2:
    case Opcode::kVaeMul:
    case Opcode::kVaeMax:
    case Opcode::kVaeMin:
    case Opcode::kVaeCmp:
    case Opcode::kVaeLut8:
    case Opcode::kVaeLut16:
    case Opcode::kVaeRecip:
    case Opcode::kVaeSqrt:
    case Opcode::kVaeLog:
      return lanes(int64_t{r.vae.pixels} * r.vae.channels, m.vae_lanes.value);
    case Opcode::kAaeMaxPool:
    case Opcode::kAaeAvgPool:
      return lanes(int64_t{r.aae_tile.out_h} * r.aae_tile.out_w * r.aae_tile.channels *
                       r.aae_win.kernel_h * r.aae_win.kernel_w,
                   m.aae_lanes.value);
    case Opcode::kAaeResizeNearest:
      return lanes(int64_t{r.aae_tile.out_h} * r.aae_tile.out_w * r.aae_tile.channels,
                   m.aae_lanes.value);
    case Opcode::kAaeResizeLinear:
      return lanes(int64_t{r.aae_tile.out_h} * r.aae_tile.out_w * r.aae_tile.channels * 4,
                   m.aae_lanes.value);
    case Opcode::kAaeReduce:
      return lanes(int64_t{r.aae_tile.in_h} * r.aae_tile.in_w * r.aae_tile.channels,
                   m.aae_lanes.value);
    case Opcode::kAaeTopK:  // k selection passes over the input
      return lanes(int64_t{r.aae_tile.in_h} * r.aae_tile.in_w * r.aae_tile.channels *
                       std::get<isa::AaeTopK>(r.inst.payload).k,
                   m.aae_lanes.value);
    case Opcode::kAaeMove:
      return lanes(int64_t{r.move_shape.d0} * r.move_shape.d1 * r.move_shape.d2 * r.move_shape.d3,
                   m.aae_lanes.value);
    default:
      return 1;  // configuration instructions (ISA.md: one cycle of their unit)
  }
}

// ---------------------------------------------------------------------------------------------
// Lowering

absl::StatusOr<std::unique_ptr<Simulator>> Simulator::Create(const isa::Program& program,
                                                             const isa::March& march,
                                                             const SimulatorOptions& options) {
  if (program.march != march.id) {
    return absl::InvalidArgumentError(
        absl::StrCat("program is for march ", isa::MarchName(program.march), ", not ", march.name));
  }
  if (program.instructions.size() > options.max_instructions) {
    return absl::ResourceExhaustedError(
        absl::StrCat("program has ", program.instructions.size(),
                     " instructions, over the simulator's budget of ", options.max_instructions));
  }
  if (absl::Status st = isa::ValidateProgram(program); !st.ok()) return st;
  std::unique_ptr<Simulator> sim(new Simulator);
  sim->march_ = &march;
  sim->options_ = options;
  const uint64_t sizes[4] = {program.ddr_input_bytes, program.ddr_output_bytes,
                             program.params.size(), program.ddr_scratch_bytes};
  uint64_t at = 0;
  for (int r = 0; r < 4; ++r) {
    sim->ddr_.base[r] = at;
    sim->ddr_.size[r] = sizes[r];
    if (sizes[r] > (uint64_t{1} << 40)) {
      return absl::ResourceExhaustedError("DDR region larger than 1 TiB");
    }
    at += static_cast<uint64_t>(Align16(static_cast<int64_t>(sizes[r])));
  }
  sim->ddr_.total = at;
  MemoryConfig mc;
  mc[Space::kDdr] = at;
  mc[Space::kFeature] = march.feature_sram_bytes.value;
  mc[Space::kWeight] = march.weight_sram_bytes.value;
  mc[Space::kAcc] = march.acc_sram_bytes.value;
  mc[Space::kLut] = march.lut_sram_bytes.value;
  const bool functional = options.run.mode != Mode::kPerf;
  sim->memories_ = std::make_unique<Memories>(mc, functional);
  for (const auto& [id, name] : program.layers) sim->layer_names_[id] = name;
  if (absl::Status st = sim->Lower(program); !st.ok()) return st;
  if (functional && !program.params.empty()) {
    if (absl::Status st = sim->WriteRegion(isa::Region::kParam, 0, program.params); !st.ok()) {
      return st;
    }
  }
  return sim;
}

absl::Status Simulator::Lower(const isa::Program& program) {
  Resolved regs;  // configuration registers of every queue, in program order
  const Memories& mem = *memories_;
  for (size_t i = 0; i < program.instructions.size(); ++i) {
    const isa::Instruction& inst = program.instructions[i];
    regs.index = static_cast<int64_t>(i);
    regs.inst = inst;
    const Opcode opc = inst.opcode();
    // Configuration registers update before the instruction is recorded.
    switch (opc) {
      case Opcode::kLoadShape:
        regs.load_shape = std::get<isa::LoadShape>(inst.payload);
        break;
      case Opcode::kLoadStride:
        regs.load_stride = std::get<isa::LoadStride>(inst.payload);
        break;
      case Opcode::kStoreShape:
        regs.store_shape = std::get<isa::StoreShape>(inst.payload);
        break;
      case Opcode::kStoreStride:
        regs.store_stride = std::get<isa::StoreStride>(inst.payload);
        break;
      case Opcode::kTaeKernel:
        regs.tae_kernel = std::get<isa::TaeKernel>(inst.payload);
        break;
      case Opcode::kTaeTile:
        regs.tae_tile = std::get<isa::TaeTile>(inst.payload);
        break;
      case Opcode::kTaeMmCfg:
        regs.tae_mm = std::get<isa::TaeMmCfg>(inst.payload);
        break;
      case Opcode::kVaeCfg:
        regs.vae = std::get<isa::VaeCfg>(inst.payload);
        break;
      case Opcode::kAaeWin:
        regs.aae_win = std::get<isa::AaeWin>(inst.payload);
        break;
      case Opcode::kAaeTile:
        regs.aae_tile = std::get<isa::AaeTile>(inst.payload);
        break;
      case Opcode::kAaeMoveShape:
        regs.move_shape = std::get<isa::AaeMoveShape>(inst.payload);
        break;
      case Opcode::kAaeMoveSrc:
        regs.move_src = std::get<isa::AaeMoveSrc>(inst.payload);
        break;
      case Opcode::kAaeMoveDst:
        regs.move_dst = std::get<isa::AaeMoveDst>(inst.payload);
        break;
      default:
        break;
    }
    if (opc == Opcode::kEnd) continue;  // goes to no queue
    SimOp op;
    op.unit = static_cast<Unit>(static_cast<int>(inst.unit()));
    op.index = static_cast<int64_t>(i);
    op.layer_id = inst.common.layer == isa::kNoLayer ? -1 : inst.common.layer;
    op.name = inst.mnemonic();
    for (uint8_t w : inst.common.wait)
      if (w) op.waits.push_back(w);
    for (uint8_t s : inst.common.signal)
      if (s) op.signals.push_back(s);
    op.zero_time = opc == Opcode::kSync;
    AccessBuilder ab(op, mem, ddr_);
    const char* mn = inst.mnemonic();
    auto fail = [&](absl::string_view msg) { return ExecError(op.index, mn, msg); };
    absl::Status st;
    switch (opc) {
      case Opcode::kLoad: {
        const auto& ld = std::get<isa::Load>(inst.payload);
        const auto& sh = regs.load_shape;
        const auto& sd = regs.load_stride;
        if (ld.dst % sh.elem || ld.offset % sh.elem) {
          return fail(absl::StrCat("dst and offset must be multiples of elem ", sh.elem));
        }
        const int64_t run = int64_t{sh.n0} * sh.elem;
        st = ab.Box(ToSpace(ld.dst_space), true, ld.dst, sh.pad_top + sh.n2 + sh.pad_bottom,
                    sd.sram_s2, sh.pad_left + sh.n1 + sh.pad_right, sd.sram_s1, run, "load dst");
        if (st.ok()) {
          st = ab.DdrBox(ld.region, false, ld.offset, sh.n2, sd.ddr_s2, sh.n1, sd.ddr_s1, run,
                         "load src");
        }
        op.ddr_bytes = static_cast<uint64_t>(run) * sh.n1 * sh.n2;
        break;
      }
      case Opcode::kStore: {
        const auto& stv = std::get<isa::Store>(inst.payload);
        const auto& sh = regs.store_shape;
        const auto& sd = regs.store_stride;
        if (stv.src % sh.elem || stv.offset % sh.elem) {
          return fail(absl::StrCat("src and offset must be multiples of elem ", sh.elem));
        }
        const int64_t run = int64_t{sh.n0} * sh.elem;
        st = ab.Box(ToSpace(stv.src_space), false, stv.src, sh.n2, sd.sram_s2, sh.n1, sd.sram_s1,
                    run, "store src");
        if (st.ok()) {
          st = ab.DdrBox(stv.region, true, stv.offset, sh.n2, sd.ddr_s2, sh.n1, sd.ddr_s1, run,
                         "store dst");
        }
        op.ddr_bytes = static_cast<uint64_t>(run) * sh.n1 * sh.n2;
        op.ddr_write = true;
        break;
      }
      case Opcode::kTaeConv: {
        const auto& cv = std::get<isa::TaeConv>(inst.payload);
        const auto& k = regs.tae_kernel;
        const auto& t = regs.tae_tile;
        const int64_t oh =
            WindowOut(t.in_h, k.pad_top, k.pad_bottom, k.kernel_h, k.dilation_h, k.stride_h);
        const int64_t ow =
            WindowOut(t.in_w, k.pad_left, k.pad_right, k.kernel_w, k.dilation_w, k.stride_w);
        if (oh < 1 || ow < 1) return fail("the window does not fit the tile (empty output)");
        if (t.in_c % k.groups || t.out_c % k.groups) {
          return fail(absl::StrCat("in_c ", t.in_c, " and out_c ", t.out_c,
                                   " must be divisible by groups ", k.groups));
        }
        const int es = isa::DTypeBytes(t.in_dtype);
        const int as = t.in_dtype == DType::kS16 ? 8 : 4;
        st = ab.Feature(Space::kFeature, false, cv.in, t.in_h, t.in_w, t.in_c, es, t.in_row_pitch,
                        "conv input");
        if (st.ok()) {
          st = ab.Bytes(Space::kWeight, false, cv.weight,
                        int64_t{t.out_c} * k.kernel_h * k.kernel_w * (t.in_c / k.groups),
                        "conv weights");
        }
        if (st.ok()) {
          st = ab.Feature(Space::kAcc, true, cv.acc, oh, ow, t.out_c, as, 0, "conv accumulators");
        }
        if (st.ok() && cv.accumulate) {
          st = ab.Feature(Space::kAcc, false, cv.acc, oh, ow, t.out_c, as, 0, "conv accumulators");
        }
        op.macs = static_cast<uint64_t>(oh * ow * t.out_c * k.kernel_h * k.kernel_w *
                                        (t.in_c / k.groups));
        break;
      }
      case Opcode::kTaeMatmul: {
        const auto& mm = std::get<isa::TaeMatmul>(inst.payload);
        const auto& c = regs.tae_mm;
        const int es = isa::DTypeBytes(c.a_dtype);
        const int as = c.a_dtype == DType::kS16 ? 8 : 4;
        st = ab.Feature(Space::kFeature, false, mm.a, 1, c.m, c.k, es, 0, "matmul A");
        if (st.ok()) {
          const int64_t rows = c.b_kn ? c.k : c.n, cols = c.b_kn ? c.n : c.k;
          st = c.b_space == isa::Space::kWeight
                   ? ab.Bytes(Space::kWeight, false, mm.b, rows * cols, "matmul B")
                   : ab.Feature(Space::kFeature, false, mm.b, 1, rows, cols, 1, 0, "matmul B");
        }
        if (st.ok()) st = ab.Feature(Space::kAcc, true, mm.acc, 1, c.m, c.n, as, 0, "matmul acc");
        if (st.ok() && mm.accumulate) {
          st = ab.Feature(Space::kAcc, false, mm.acc, 1, c.m, c.n, as, 0, "matmul acc");
        }
        op.macs = static_cast<uint64_t>(int64_t{c.m} * c.n * c.k);
        break;
      }
      case Opcode::kVaeRequant:
      case Opcode::kVaeRequantSumin: {
        const auto& cfg = regs.vae;
        int64_t src, dst, param, sumin = -1;
        if (opc == Opcode::kVaeRequant) {
          const auto& v = std::get<isa::VaeRequant>(inst.payload);
          src = v.src, dst = v.dst, param = v.param;
        } else {
          const auto& v = std::get<isa::VaeRequantSumin>(inst.payload);
          src = v.src, dst = v.dst, param = v.param, sumin = v.sumin;
          if (cfg.y_bcast != 0) return fail("sumin needs y_bcast = 0");
        }
        const bool wide = cfg.x_dtype == DType::kS32 || cfg.x_dtype == DType::kS64;
        st = ab.Feature(wide ? Space::kAcc : Space::kFeature, false, src, 1, cfg.pixels,
                        cfg.channels, isa::DTypeBytes(cfg.x_dtype), 0, "requant src");
        if (st.ok()) {
          st = ab.Bytes(Space::kWeight, false, param,
                        int64_t{cfg.channels} * isa::kRequantParamBytes, "requant params");
        }
        if (st.ok() && sumin >= 0) {
          st = ab.Feature(Space::kFeature, false, sumin, 1, cfg.pixels, cfg.channels,
                          isa::DTypeBytes(cfg.y_dtype), 0, "sumin");
        }
        if (st.ok()) {
          st = ab.Feature(Space::kFeature, true, dst, 1, cfg.pixels, cfg.channels,
                          isa::DTypeBytes(cfg.out_dtype), 0, "requant dst");
        }
        break;
      }
      case Opcode::kVaeAdd:
      case Opcode::kVaeSub:
      case Opcode::kVaeAddB2:
      case Opcode::kVaeMul:
      case Opcode::kVaeMax:
      case Opcode::kVaeMin:
      case Opcode::kVaeCmp: {
        const auto& cfg = regs.vae;
        int64_t x = 0, y = 0, dst = 0, param = 0;
        std::visit(
            [&](const auto& v) {
              if constexpr (requires { v.y; }) {
                x = v.x, y = v.y, dst = v.dst, param = v.param;
              }
            },
            inst.payload);
        if (cfg.x_dtype != DType::kS8 && cfg.x_dtype != DType::kS16) {
          return fail("elementwise x must be s8 or s16");
        }
        if ((opc == Opcode::kVaeMax || opc == Opcode::kVaeMin) &&
            (cfg.x_dtype != cfg.y_dtype || cfg.x_dtype != cfg.out_dtype)) {
          return fail("max/min need equal x, y and out dtypes");
        }
        if (opc == Opcode::kVaeCmp && cfg.out_dtype != DType::kS8) {
          return fail("cmp writes s8");
        }
        st = ab.Feature(Space::kFeature, false, x, 1, cfg.pixels, cfg.channels,
                        isa::DTypeBytes(cfg.x_dtype), 0, "x");
        const int64_t yp = cfg.y_bcast == 0 ? cfg.pixels : 1;
        const int64_t yc = cfg.y_bcast == 2 ? 1 : cfg.channels;
        if (st.ok()) {
          st = ab.Feature(Space::kFeature, false, y, 1, yp, yc, isa::DTypeBytes(cfg.y_dtype), 0,
                          "y");
        }
        if (st.ok() && opc != Opcode::kVaeMax && opc != Opcode::kVaeMin) {
          st = ab.Bytes(Space::kWeight, false, param,
                        opc == Opcode::kVaeCmp ? kCmpParamBytes : kEltwiseParamBytes, "param");
        }
        if (st.ok()) {
          st = ab.Feature(Space::kFeature, true, dst, 1, cfg.pixels, cfg.channels,
                          isa::DTypeBytes(cfg.out_dtype), 0, "dst");
        }
        break;
      }
      case Opcode::kVaeLut8:
      case Opcode::kVaeLut16: {
        const auto& cfg = regs.vae;
        const bool is8 = opc == Opcode::kVaeLut8;
        const DType want = is8 ? DType::kS8 : DType::kS16;
        if (cfg.x_dtype != want || cfg.out_dtype != want) {
          return fail(absl::StrCat("x_dtype and out_dtype must be ", isa::DTypeName(want)));
        }
        int64_t x, dst, table;
        if (is8) {
          const auto& v = std::get<isa::VaeLut8>(inst.payload);
          x = v.x, dst = v.dst, table = v.table;
        } else {
          const auto& v = std::get<isa::VaeLut16>(inst.payload);
          x = v.x, dst = v.dst, table = v.table;
        }
        st = ab.Feature(Space::kFeature, false, x, 1, cfg.pixels, cfg.channels,
                        isa::DTypeBytes(want), 0, "x");
        if (st.ok())
          st = ab.Bytes(Space::kLut, false, table, is8 ? 256 : isa::kSegmentLutImageBytes, "table");
        if (st.ok()) {
          st = ab.Feature(Space::kFeature, true, dst, 1, cfg.pixels, cfg.channels,
                          isa::DTypeBytes(want), 0, "dst");
        }
        break;
      }
      case Opcode::kVaeRecip:
      case Opcode::kVaeSqrt:
      case Opcode::kVaeLog: {
        const auto& cfg = regs.vae;
        if (cfg.x_dtype != DType::kS16) return fail("x_dtype must be s16");
        if (cfg.out_dtype != DType::kS8 && cfg.out_dtype != DType::kS16) {
          return fail("out_dtype must be s8 or s16");
        }
        int64_t x = 0, dst = 0, table = 0;
        std::visit(
            [&](const auto& v) {
              if constexpr (requires { v.table, v.x; }) x = v.x, dst = v.dst, table = v.table;
            },
            inst.payload);
        st = ab.Feature(Space::kFeature, false, x, 1, cfg.pixels, cfg.channels, 2, 0, "x");
        if (st.ok()) {
          st = ab.Bytes(Space::kLut, false, table, isa::NormTableImageBytes(NormFunctionOf(opc)),
                        "table");
        }
        if (st.ok()) {
          st = ab.Feature(Space::kFeature, true, dst, 1, cfg.pixels, cfg.channels,
                          isa::DTypeBytes(cfg.out_dtype), 0, "dst");
        }
        break;
      }
      case Opcode::kAaeTopK: {
        const auto& t = regs.aae_tile;
        const auto& v = std::get<isa::AaeTopK>(inst.payload);
        const int64_t dims[3] = {t.in_h, t.in_w, t.channels};
        if (v.k > dims[v.axis]) {
          return fail(absl::StrCat("k ", v.k, " exceeds the axis size ", dims[v.axis]));
        }
        if (t.in_dtype != t.out_dtype) return fail("topk needs out_dtype = in_dtype");
        const int64_t want_h = v.axis == 0 ? v.k : t.in_h;
        const int64_t want_w = v.axis == 1 ? v.k : t.in_w;
        if (t.out_h != want_h || t.out_w != want_w) {
          return fail(absl::StrCat("topk output must be ", want_h, "x", want_w));
        }
        const int64_t out_c = v.axis == 2 ? v.k : t.channels;
        st = ab.Feature(Space::kFeature, false, v.src, t.in_h, t.in_w, t.channels,
                        isa::DTypeBytes(t.in_dtype), 0, "topk src");
        if (st.ok()) {
          st = ab.Feature(Space::kFeature, true, v.dst, t.out_h, t.out_w, out_c,
                          isa::DTypeBytes(t.out_dtype), 0, "topk values");
        }
        if (st.ok()) {
          st = ab.Feature(Space::kFeature, true, v.indices, t.out_h, t.out_w, out_c, 4, 0,
                          "topk indices");
        }
        break;
      }
      case Opcode::kAaeMaxPool:
      case Opcode::kAaeAvgPool:
      case Opcode::kAaeResizeNearest:
      case Opcode::kAaeResizeLinear:
      case Opcode::kAaeReduce: {
        const auto& t = regs.aae_tile;
        const auto& w = regs.aae_win;
        int64_t src = 0, dst = 0, param = 0, param_bytes = 0;
        int64_t out_c = t.channels;
        switch (opc) {
          case Opcode::kAaeMaxPool: {
            const auto& v = std::get<isa::AaeMaxPool>(inst.payload);
            src = v.src, dst = v.dst;
            if (t.in_dtype != t.out_dtype) return fail("maxpool needs out_dtype = in_dtype");
            break;
          }
          case Opcode::kAaeAvgPool: {
            const auto& v = std::get<isa::AaeAvgPool>(inst.payload);
            src = v.src, dst = v.dst, param = v.param;
            param_bytes = int64_t{w.kernel_h} * w.kernel_w * kRecordBytes;
            break;
          }
          case Opcode::kAaeResizeNearest: {
            const auto& v = std::get<isa::AaeResizeNearest>(inst.payload);
            src = v.src, dst = v.dst, param = v.table;
            param_bytes = (int64_t{t.out_h} + t.out_w) * 4;
            if (t.in_dtype != t.out_dtype) return fail("nearest resize needs out_dtype = in_dtype");
            break;
          }
          case Opcode::kAaeResizeLinear: {
            const auto& v = std::get<isa::AaeResizeLinear>(inst.payload);
            src = v.src, dst = v.dst, param = v.table;
            param_bytes =
                isa::kResizeHeaderBytes + (int64_t{t.out_h} + t.out_w) * isa::kLinearTapBytes;
            break;
          }
          default: {
            const auto& v = std::get<isa::AaeReduce>(inst.payload);
            src = v.src, dst = v.dst, param = v.param;
            const int64_t want_h = (v.axes & 1) ? 1 : t.in_h;
            const int64_t want_w = (v.axes & 2) ? 1 : t.in_w;
            if (t.out_h != want_h || t.out_w != want_w) {
              return fail(absl::StrCat("reduce output must be ", want_h, "x", want_w));
            }
            if (v.axes & 4) out_c = 1;
            const bool arg = v.op == isa::ReduceOp::kArgMax || v.op == isa::ReduceOp::kArgMin;
            if (arg && v.axes != 1 && v.axes != 2 && v.axes != 4) {
              return fail("argmax/argmin reduce exactly one axis");
            }
            if (arg && t.out_dtype != DType::kS32) return fail("argmax/argmin write s32");
            if ((v.op == isa::ReduceOp::kMax || v.op == isa::ReduceOp::kMin) &&
                t.out_dtype != t.in_dtype) {
              return fail("max/min reduce needs out_dtype = in_dtype");
            }
            if (v.op == isa::ReduceOp::kSum) param_bytes = kRecordBytes;
            break;
          }
        }
        st = ab.Feature(Space::kFeature, false, src, t.in_h, t.in_w, t.channels,
                        isa::DTypeBytes(t.in_dtype), 0, "aae src");
        if (st.ok() && param_bytes)
          st = ab.Bytes(Space::kWeight, false, param, param_bytes, "aae param");
        if (st.ok()) {
          st = ab.Feature(Space::kFeature, true, dst, t.out_h, t.out_w, out_c,
                          isa::DTypeBytes(t.out_dtype), 0, "aae dst");
        }
        break;
      }
      case Opcode::kAaeMove: {
        const auto& mv = std::get<isa::AaeMove>(inst.payload);
        const auto& sh = regs.move_shape;
        const int64_t d[4] = {sh.d0, sh.d1, sh.d2, sh.d3};
        auto extent = [&](const isa::MoveStrides& s, int64_t* lo, int64_t* hi) {
          const int64_t st4[4] = {s.s0, s.s1, s.s2, s.s3};
          *lo = *hi = 0;
          for (int k = 0; k < 4; ++k) {
            const int64_t span = st4[k] * (d[k] - 1);
            (span < 0 ? *lo : *hi) += span;
          }
        };
        if (mv.src % sh.elem || mv.dst % sh.elem) {
          return fail(absl::StrCat("src and dst must be multiples of elem ", sh.elem));
        }
        int64_t slo, shi, dlo, dhi;
        extent(regs.move_src, &slo, &shi);
        extent(regs.move_dst, &dlo, &dhi);
        if (mv.src + slo * sh.elem < 0 || mv.dst + dlo * sh.elem < 0) {
          return fail("negative strides reach below address 0");
        }
        st = ab.Bytes(ToSpace(mv.src_space), false, mv.src + slo * sh.elem,
                      (shi - slo + 1) * sh.elem, "move src");
        if (st.ok()) {
          st = ab.Bytes(ToSpace(mv.dst_space), true, mv.dst + dlo * sh.elem,
                        (dhi - dlo + 1) * sh.elem, "move dst");
        }
        break;
      }
      default:
        break;  // configuration, sync: no memory
    }
    if (!st.ok()) return st;
    op.cycles = InstructionCycles(regs, *march_);
    ops_.push_back(std::move(op));
    resolved_.push_back(regs);
  }
  return absl::OkStatus();
}

absl::Status Simulator::WriteRegion(isa::Region region, uint64_t offset,
                                    absl::Span<const uint8_t> data) {
  const int r = static_cast<int>(region);
  if (offset > ddr_.size[r] || data.size() > ddr_.size[r] - offset) {
    return absl::OutOfRangeError(
        absl::StrFormat("write of %u bytes at %u outside DDR region %s "
                        "(%u bytes)",
                        data.size(), offset, isa::RegionName(region), ddr_.size[r]));
  }
  return memories_->Write(Space::kDdr, ddr_.base[r] + offset, data);
}

absl::Status Simulator::ReadRegion(isa::Region region, uint64_t offset,
                                   absl::Span<uint8_t> data) const {
  const int r = static_cast<int>(region);
  if (offset > ddr_.size[r] || data.size() > ddr_.size[r] - offset) {
    return absl::OutOfRangeError(
        absl::StrFormat("read of %u bytes at %u outside DDR region %s "
                        "(%u bytes)",
                        data.size(), offset, isa::RegionName(region), ddr_.size[r]));
  }
  return memories_->Read(Space::kDdr, ddr_.base[r] + offset, data);
}

absl::StatusOr<RunResult> Simulator::Run() {
  TimingConfig timing;
  timing.ddr_bytes_per_cycle = march_->DdrBytesPerCycle();
  timing.ddr_latency_cycles = march_->ddr_latency_cycles.value;
  timing.num_channels = isa::kNumSemaphores + 1;
  timing.max_tokens = 65535;
  timing.channel_name = [](int c) { return absl::StrCat("sem", c); };
  return RunOps(ops_, timing, options_.run, march_->clock_mhz(), layer_names_,
                [this](int i) { return Execute(i); });
}

absl::StatusOr<RunResult> Simulate(const isa::Program& program, const SimulatorOptions& options) {
  absl::StatusOr<const isa::March*> march = isa::FindMarch(program.march);
  if (!march.ok()) return march.status();
  absl::StatusOr<std::unique_ptr<Simulator>> sim = Simulator::Create(program, **march, options);
  if (!sim.ok()) return sim.status();
  return (*sim)->Run();
}

// ---------------------------------------------------------------------------------------------
// Functional execution

absl::Status Simulator::Execute(int op_index) {
  const Resolved& r = resolved_[op_index];
  const isa::Instruction& inst = r.inst;
  const int64_t index = r.index;
  const char* mn = inst.mnemonic();
  Memories& m = *memories_;
  switch (inst.opcode()) {
    case Opcode::kLoad: {
      const auto& ld = std::get<isa::Load>(inst.payload);
      const auto& sh = r.load_shape;
      const auto& sd = r.load_stride;
      const Space dst_space = ToSpace(ld.dst_space);
      const uint64_t src_base = ddr_.base[static_cast<int>(ld.region)] + ld.offset;
      const int64_t run = int64_t{sh.n0} * sh.elem;
      // The pad element: pad_value sign-extended to elem bytes (little-endian).
      uint8_t pad[8];
      const int64_t pv = sh.pad_value;
      std::memcpy(pad, &pv, 8);
      const int64_t p2 = sh.pad_top + sh.n2 + sh.pad_bottom;
      const int64_t p1 = sh.pad_left + sh.n1 + sh.pad_right;
      for (int64_t i2 = 0; i2 < p2; ++i2) {
        for (int64_t i1 = 0; i1 < p1; ++i1) {
          uint8_t* d = m.at(dst_space, ld.dst + i2 * sd.sram_s2 + i1 * sd.sram_s1);
          const bool inside = i2 >= sh.pad_top && i2 < sh.pad_top + sh.n2 && i1 >= sh.pad_left &&
                              i1 < sh.pad_left + sh.n1;
          if (inside) {
            std::memmove(d,
                         m.at(Space::kDdr, src_base + (i2 - sh.pad_top) * sd.ddr_s2 +
                                               (i1 - sh.pad_left) * sd.ddr_s1),
                         run);
          } else {
            for (int64_t e = 0; e < sh.n0; ++e) std::memcpy(d + e * sh.elem, pad, sh.elem);
          }
        }
      }
      return absl::OkStatus();
    }
    case Opcode::kStore: {
      const auto& stv = std::get<isa::Store>(inst.payload);
      const auto& sh = r.store_shape;
      const auto& sd = r.store_stride;
      const uint64_t dst_base = ddr_.base[static_cast<int>(stv.region)] + stv.offset;
      const int64_t run = int64_t{sh.n0} * sh.elem;
      for (int64_t i2 = 0; i2 < sh.n2; ++i2)
        for (int64_t i1 = 0; i1 < sh.n1; ++i1)
          std::memmove(m.at(Space::kDdr, dst_base + i2 * sd.ddr_s2 + i1 * sd.ddr_s1),
                       m.at(ToSpace(stv.src_space), stv.src + i2 * sd.sram_s2 + i1 * sd.sram_s1),
                       run);
      return absl::OkStatus();
    }
    case Opcode::kTaeConv: {
      const auto& cv = std::get<isa::TaeConv>(inst.payload);
      const auto& k = r.tae_kernel;
      const auto& t = r.tae_tile;
      const int es = isa::DTypeBytes(t.in_dtype);
      const int as = t.in_dtype == DType::kS16 ? 8 : 4;
      ConvTileParams p;
      p.in_h = t.in_h;
      p.in_w = t.in_w;
      p.in_c = t.in_c;
      p.in_pixel_stride = Align16(int64_t{t.in_c} * es) / es;
      p.in_row_stride = t.in_row_pitch ? t.in_row_pitch / es : p.in_pixel_stride * t.in_w;
      p.out_h = WindowOut(t.in_h, k.pad_top, k.pad_bottom, k.kernel_h, k.dilation_h, k.stride_h);
      p.out_w = WindowOut(t.in_w, k.pad_left, k.pad_right, k.kernel_w, k.dilation_w, k.stride_w);
      p.out_c = t.out_c;
      p.out_pixel_stride = Align16(int64_t{t.out_c} * as) / as;
      p.out_row_stride = p.out_pixel_stride * p.out_w;
      p.kernel_h = k.kernel_h;
      p.kernel_w = k.kernel_w;
      p.stride_h = k.stride_h;
      p.stride_w = k.stride_w;
      p.dilation_h = k.dilation_h;
      p.dilation_w = k.dilation_w;
      p.pad_top = k.pad_top;
      p.pad_left = k.pad_left;
      p.groups = k.groups;
      p.accumulate = cv.accumulate;
      const int8_t* w = reinterpret_cast<const int8_t*>(m.at(Space::kWeight, cv.weight));
      if (t.in_dtype == DType::kS8) {
        ConvTileS8(reinterpret_cast<const int8_t*>(m.at(Space::kFeature, cv.in)), w,
                   reinterpret_cast<int32_t*>(m.at(Space::kAcc, cv.acc)), p, options_.kernel_path);
      } else {
        ConvTileS16(reinterpret_cast<const int16_t*>(m.at(Space::kFeature, cv.in)), w,
                    reinterpret_cast<int64_t*>(m.at(Space::kAcc, cv.acc)), p, options_.kernel_path);
      }
      return absl::OkStatus();
    }
    case Opcode::kTaeMatmul: {
      const auto& mm = std::get<isa::TaeMatmul>(inst.payload);
      const auto& c = r.tae_mm;
      const int es = isa::DTypeBytes(c.a_dtype);
      // B as dense [n][k] int8.
      const bool in_weight = c.b_space == isa::Space::kWeight;
      const int64_t b_rows = c.b_kn ? c.k : c.n, b_cols = c.b_kn ? c.n : c.k;
      const int64_t b_pitch = in_weight ? b_cols : Align16(b_cols);
      const uint8_t* b = m.at(ToSpace(c.b_space), mm.b);
      std::vector<int8_t> bnk(static_cast<size_t>(c.n) * c.k);
      for (int64_t i = 0; i < b_rows; ++i)
        for (int64_t j = 0; j < b_cols; ++j) {
          const int8_t v = static_cast<int8_t>(b[i * b_pitch + j]);
          if (c.b_kn) {
            bnk[j * c.k + i] = v;
          } else {
            bnk[i * c.k + j] = v;
          }
        }
      const int64_t a_pitch = Align16(int64_t{c.k} * es) / es;
      if (c.a_dtype == DType::kS8) {
        GemmS8S32(reinterpret_cast<const int8_t*>(m.at(Space::kFeature, mm.a)), a_pitch, bnk.data(),
                  c.k, reinterpret_cast<int32_t*>(m.at(Space::kAcc, mm.acc)),
                  Align16(int64_t{c.n} * 4) / 4, c.m, c.n, c.k, mm.accumulate,
                  options_.kernel_path);
      } else {
        std::vector<int16_t> b16(bnk.begin(), bnk.end());
        GemmS16S64(reinterpret_cast<const int16_t*>(m.at(Space::kFeature, mm.a)), a_pitch,
                   b16.data(), c.k, reinterpret_cast<int64_t*>(m.at(Space::kAcc, mm.acc)),
                   Align16(int64_t{c.n} * 8) / 8, c.m, c.n, c.k, mm.accumulate,
                   options_.kernel_path);
      }
      return absl::OkStatus();
    }
    case Opcode::kVaeRequant:
    case Opcode::kVaeRequantSumin: {
      const auto& cfg = r.vae;
      int64_t src, dst, param, sumin = -1;
      if (inst.opcode() == Opcode::kVaeRequant) {
        const auto& v = std::get<isa::VaeRequant>(inst.payload);
        src = v.src, dst = v.dst, param = v.param;
      } else {
        const auto& v = std::get<isa::VaeRequantSumin>(inst.payload);
        src = v.src, dst = v.dst, param = v.param, sumin = v.sumin;
      }
      const bool wide = cfg.x_dtype == DType::kS32 || cfg.x_dtype == DType::kS64;
      const uint8_t* x = m.at(wide ? Space::kAcc : Space::kFeature, src);
      const int xs = isa::DTypeBytes(cfg.x_dtype), ys = isa::DTypeBytes(cfg.y_dtype),
                os = isa::DTypeBytes(cfg.out_dtype);
      const int64_t xp = Align16(int64_t{cfg.channels} * xs),
                    yp = Align16(int64_t{cfg.channels} * ys),
                    op = Align16(int64_t{cfg.channels} * os);
      const auto [lo, hi] = VaeRange(cfg);
      std::vector<isa::RequantParam> chans(cfg.channels);
      for (int c = 0; c < cfg.channels; ++c) {
        absl::StatusOr<isa::RequantParam> rc = isa::UnpackRequantParam(
            m.at(Space::kWeight, param + int64_t{c} * isa::kRequantParamBytes));
        if (!rc.ok()) {
          return ExecError(index, mn, absl::StrCat("channel ", c, ": ", rc.status().message()));
        }
        chans[c] = *rc;
      }
      uint8_t* out = m.at(Space::kFeature, dst);
      const uint8_t* s = sumin >= 0 ? m.at(Space::kFeature, sumin) : nullptr;
      for (int64_t p = 0; p < cfg.pixels; ++p) {
        for (int c = 0; c < cfg.channels; ++c) {
          const int64_t xv = ReadElem(x + p * xp + c * xs, cfg.x_dtype);
          const int64_t sv = s ? ReadElem(s + p * yp + c * ys, cfg.y_dtype) : 0;
          WriteElem(out + p * op + c * os, cfg.out_dtype,
                    ApplyRequantParam(chans[c], xv, sv, lo, hi));
        }
      }
      return absl::OkStatus();
    }
    case Opcode::kVaeAdd:
    case Opcode::kVaeSub:
    case Opcode::kVaeAddB2:
    case Opcode::kVaeMul:
    case Opcode::kVaeMax:
    case Opcode::kVaeMin:
    case Opcode::kVaeCmp: {
      const auto& cfg = r.vae;
      int64_t xa = 0, ya = 0, da = 0, pa = 0;
      std::visit(
          [&](const auto& v) {
            if constexpr (requires { v.y; }) {
              xa = v.x, ya = v.y, da = v.dst, pa = v.param;
            }
          },
          inst.payload);
      const int xs = isa::DTypeBytes(cfg.x_dtype), ys = isa::DTypeBytes(cfg.y_dtype),
                os = isa::DTypeBytes(cfg.out_dtype);
      const int64_t xp = Align16(int64_t{cfg.channels} * xs),
                    op = Align16(int64_t{cfg.channels} * os);
      const int64_t yc = cfg.y_bcast == 2 ? 1 : cfg.channels;
      const int64_t yp = Align16(yc * ys);
      const auto [lo, hi] = VaeRange(cfg);
      const bool has_param = inst.opcode() != Opcode::kVaeMax && inst.opcode() != Opcode::kVaeMin;
      absl::StatusOr<Eltwise> fn =
          MakeEltwise(inst.opcode(), has_param ? m.at(Space::kWeight, pa) : nullptr, lo, hi);
      if (!fn.ok()) return ExecError(index, mn, fn.status().message());
      const uint8_t* x = m.at(Space::kFeature, xa);
      const uint8_t* y = m.at(Space::kFeature, ya);
      uint8_t* out = m.at(Space::kFeature, da);
      // Elementwise over [P][C]; the output may alias an input element for element.
      for (int64_t p = 0; p < cfg.pixels; ++p) {
        const int64_t py = cfg.y_bcast == 0 ? p : 0;
        for (int64_t c = 0; c < cfg.channels; ++c) {
          const int64_t cy = cfg.y_bcast == 2 ? 0 : c;
          const int64_t xv = ReadElem(x + p * xp + c * xs, cfg.x_dtype);
          const int64_t yv = ReadElem(y + py * yp + cy * ys, cfg.y_dtype);
          WriteElem(out + p * op + c * os, cfg.out_dtype, fn->Apply(xv, yv));
        }
      }
      return absl::OkStatus();
    }
    case Opcode::kVaeLut8: {
      const auto& v = std::get<isa::VaeLut8>(inst.payload);
      const auto& cfg = r.vae;
      const int64_t pitch = Align16(cfg.channels);
      const int8_t* table = reinterpret_cast<const int8_t*>(m.at(Space::kLut, v.table));
      for (int64_t p = 0; p < cfg.pixels; ++p) {
        int8_t* row = reinterpret_cast<int8_t*>(m.at(Space::kFeature, v.dst + p * pitch));
        const int8_t* in = reinterpret_cast<const int8_t*>(m.at(Space::kFeature, v.x + p * pitch));
        for (int64_t c = 0; c < cfg.channels; ++c) row[c] = numerics::LookupInt8(table, in[c]);
      }
      return absl::OkStatus();
    }
    case Opcode::kVaeLut16: {
      const auto& v = std::get<isa::VaeLut16>(inst.payload);
      const auto& cfg = r.vae;
      absl::StatusOr<numerics::SegmentLut> lut = isa::UnpackSegmentLutImage(
          absl::MakeConstSpan(m.at(Space::kLut, v.table), isa::kSegmentLutImageBytes));
      if (!lut.ok()) return ExecError(index, mn, lut.status().message());
      const int64_t pitch = Align16(int64_t{cfg.channels} * 2);
      for (int64_t p = 0; p < cfg.pixels; ++p) {
        for (int64_t c = 0; c < cfg.channels; ++c) {
          const int16_t x = Load<int16_t>(m.at(Space::kFeature, v.x + p * pitch + c * 2));
          const int16_t y = numerics::Evaluate(lut->record, lut->tables.data(), x);
          std::memcpy(m.at(Space::kFeature, v.dst + p * pitch + c * 2), &y, 2);
        }
      }
      return absl::OkStatus();
    }
    case Opcode::kVaeRecip:
    case Opcode::kVaeSqrt:
    case Opcode::kVaeLog: {
      const auto& cfg = r.vae;
      const isa::NormFunction fn = NormFunctionOf(inst.opcode());
      int64_t xa = 0, da = 0, ta = 0;
      std::visit(
          [&](const auto& v) {
            if constexpr (requires { v.table, v.x; }) xa = v.x, da = v.dst, ta = v.table;
          },
          inst.payload);
      absl::StatusOr<isa::NormTable> table = isa::UnpackNormTableImage(
          fn, absl::MakeConstSpan(m.at(Space::kLut, ta), isa::NormTableImageBytes(fn)));
      if (!table.ok()) return ExecError(index, mn, table.status().message());
      const auto [lo, hi] = VaeRange(cfg);
      const int os = isa::DTypeBytes(cfg.out_dtype);
      const int64_t xp = Align16(int64_t{cfg.channels} * 2), op = Align16(cfg.channels * os);
      const int32_t* t = table->entries.data();
      // All inputs are read before any output is written (dst may alias x).
      std::vector<int64_t> y(int64_t{cfg.pixels} * cfg.channels);
      for (int64_t p = 0; p < cfg.pixels; ++p) {
        for (int64_t c = 0; c < cfg.channels; ++c) {
          const int64_t q = Load<int16_t>(m.at(Space::kFeature, xa + p * xp + c * 2));
          int64_t& out = y[p * cfg.channels + c];
          switch (fn) {
            case isa::NormFunction::kReciprocal:
              out = numerics::NormalizedReciprocal(t, table->record, q, lo, hi);
              break;
            case isa::NormFunction::kSqrt:
              out = numerics::NormalizedSqrt(t, table->record, q, lo, hi);
              break;
            case isa::NormFunction::kLog:
              out = numerics::NormalizedLog(t, table->record, table->log_offset, q, lo, hi);
              break;
          }
        }
      }
      for (int64_t p = 0; p < cfg.pixels; ++p)
        for (int64_t c = 0; c < cfg.channels; ++c)
          WriteElem(m.at(Space::kFeature, da + p * op + c * os), cfg.out_dtype,
                    y[p * cfg.channels + c]);
      return absl::OkStatus();
    }
    case Opcode::kAaeTopK: {
      const auto& v = std::get<isa::AaeTopK>(inst.payload);
      const auto& t = r.aae_tile;
      const int64_t dims[3] = {t.in_h, t.in_w, t.channels};
      int64_t outer = 1, inner = 1;
      for (int d = 0; d < v.axis; ++d) outer *= dims[d];
      for (int d = v.axis + 1; d < 3; ++d) inner *= dims[d];
      const int64_t out_c = v.axis == 2 ? v.k : t.channels;
      const int64_t out_n = outer * v.k * inner;
      std::vector<int64_t> idx(out_n);
      return WithType(t.in_dtype, [&](auto tag) -> absl::Status {
        using T = decltype(tag);
        const auto in = GatherHwc<T>(m.at(Space::kFeature, v.src), t.in_h, t.in_w, t.channels);
        std::vector<T> vals(out_n);
        numerics::TopK(in.data(), outer, dims[v.axis], inner, v.k, v.largest, vals.data(),
                       idx.data());
        // [outer][k][inner] is the row-major [out_h][out_w][out_c] output.
        ScatterHwc(vals, t.out_h, t.out_w, out_c, m.at(Space::kFeature, v.dst));
        std::vector<int32_t> idx32(idx.begin(), idx.end());
        ScatterHwc(idx32, t.out_h, t.out_w, out_c, m.at(Space::kFeature, v.indices));
        return absl::OkStatus();
      });
    }
    case Opcode::kAaeMaxPool:
    case Opcode::kAaeAvgPool: {
      const auto& t = r.aae_tile;
      const numerics::PoolWindows g = PoolGeometry(r.aae_win, t);
      const int64_t ihw = int64_t{t.in_h} * t.in_w, ohw = int64_t{t.out_h} * t.out_w;
      int64_t src, dst;
      if (inst.opcode() == Opcode::kAaeMaxPool) {
        const auto& v = std::get<isa::AaeMaxPool>(inst.payload);
        src = v.src, dst = v.dst;
        return WithType(t.in_dtype, [&](auto tag) -> absl::Status {
          using T = decltype(tag);
          const auto in =
              HwcToChw(GatherHwc<T>(m.at(Space::kFeature, src), t.in_h, t.in_w, t.channels), ihw,
                       t.channels);
          std::vector<T> out(ohw * t.channels);
          numerics::MaxPool(in.data(), t.channels, g, out.data());
          ScatterHwc(ChwToHwc(out, ohw, t.channels), t.out_h, t.out_w, t.channels,
                     m.at(Space::kFeature, dst));
          return absl::OkStatus();
        });
      }
      const auto& v = std::get<isa::AaeAvgPool>(inst.payload);
      const int64_t taps = int64_t{r.aae_win.kernel_h} * r.aae_win.kernel_w;
      std::vector<numerics::RequantizeRecord> recs(taps);
      for (int64_t d = 0; d < taps; ++d) {
        absl::StatusOr<numerics::RequantizeRecord> rec =
            ReadRecord(m.at(Space::kWeight, v.param + d * kRecordBytes), index, mn);
        if (!rec.ok()) return rec.status();
        recs[d] = *rec;
      }
      const std::vector<int64_t> divisors = numerics::PoolDivisors(g, v.count_include_pad);
      std::vector<int64_t> sums(ohw * t.channels);
      absl::Status st = WithType(t.in_dtype, [&](auto tag) -> absl::Status {
        using T = decltype(tag);
        const auto in =
            HwcToChw(GatherHwc<T>(m.at(Space::kFeature, v.src), t.in_h, t.in_w, t.channels), ihw,
                     t.channels);
        numerics::SumPool(in.data(), t.channels, g, sums.data());
        return absl::OkStatus();
      });
      if (!st.ok()) return st;
      const auto [lo, hi] = DTypeRange(t.out_dtype);
      const int os = isa::DTypeBytes(t.out_dtype);
      const int64_t pitch = Align16(int64_t{t.channels} * os);
      for (int64_t c = 0; c < t.channels; ++c) {
        for (int64_t o = 0; o < ohw; ++o) {
          const int64_t d = divisors[o];
          if (d > taps) return ExecError(index, mn, "pool divisor beyond the window");
          const int64_t v64 =
              d == 0 ? 0 : numerics::Requantize(sums[c * ohw + o], recs[d - 1], lo, hi);
          WriteElem(m.at(Space::kFeature, v.dst + o * pitch + c * os), t.out_dtype, v64);
        }
      }
      return absl::OkStatus();
    }
    case Opcode::kAaeResizeNearest: {
      const auto& v = std::get<isa::AaeResizeNearest>(inst.payload);
      const auto& t = r.aae_tile;
      absl::StatusOr<std::array<std::vector<int64_t>, 2>> idx = isa::UnpackResizeNearestTable(
          absl::MakeConstSpan(m.at(Space::kWeight, v.table), (int64_t{t.out_h} + t.out_w) * 4),
          t.out_h, t.out_w, t.in_h, t.in_w);
      if (!idx.ok()) return ExecError(index, mn, idx.status().message());
      std::vector<std::vector<int64_t>> tables = {(*idx)[0], (*idx)[1], {}};
      tables[2].resize(t.channels);
      std::iota(tables[2].begin(), tables[2].end(), 0);
      return WithType(t.in_dtype, [&](auto tag) -> absl::Status {
        using T = decltype(tag);
        const auto in = GatherHwc<T>(m.at(Space::kFeature, v.src), t.in_h, t.in_w, t.channels);
        std::vector<T> out(int64_t{t.out_h} * t.out_w * t.channels);
        numerics::ResizeNearestCopy(in.data(), {t.in_h, t.in_w, t.channels},
                                    {t.out_h, t.out_w, t.channels}, tables, out.data());
        ScatterHwc(out, t.out_h, t.out_w, t.channels, m.at(Space::kFeature, v.dst));
        return absl::OkStatus();
      });
    }
    case Opcode::kAaeResizeLinear: {
      const auto& v = std::get<isa::AaeResizeLinear>(inst.payload);
      const auto& t = r.aae_tile;
      absl::StatusOr<isa::ResizeLinearTable> table = isa::UnpackResizeLinearTable(
          absl::MakeConstSpan(
              m.at(Space::kWeight, v.table),
              isa::kResizeHeaderBytes + (int64_t{t.out_h} + t.out_w) * isa::kLinearTapBytes),
          t.out_h, t.out_w, t.in_h, t.in_w);
      if (!table.ok()) return ExecError(index, mn, table.status().message());
      const numerics::RequantizeRecord* rec = &table->record;
      std::vector<std::vector<numerics::LinearTap>> taps = {table->rows, table->cols, {}};
      for (int64_t c = 0; c < t.channels; ++c) taps[2].push_back({c, c, 0});
      const auto [lo, hi] = DTypeRange(t.out_dtype);
      return WithType(t.in_dtype, [&](auto tin) -> absl::Status {
        using TI = decltype(tin);
        const auto in = GatherHwc<TI>(m.at(Space::kFeature, v.src), t.in_h, t.in_w, t.channels);
        return WithType(t.out_dtype, [&](auto tout) -> absl::Status {
          using TO = decltype(tout);
          std::vector<TO> out(int64_t{t.out_h} * t.out_w * t.channels);
          absl::Status st = numerics::ResizeLinear(in.data(), {t.in_h, t.in_w, t.channels},
                                                   {t.out_h, t.out_w, t.channels}, taps, *rec, lo,
                                                   hi, out.data());
          if (!st.ok()) return ExecError(index, mn, st.message());
          ScatterHwc(out, t.out_h, t.out_w, t.channels, m.at(Space::kFeature, v.dst));
          return absl::OkStatus();
        });
      });
    }
    case Opcode::kAaeReduce: {
      const auto& v = std::get<isa::AaeReduce>(inst.payload);
      const auto& t = r.aae_tile;
      const std::vector<int64_t> shape = {t.in_h, t.in_w, t.channels};
      const std::vector<bool> reduced = {(v.axes & 1) != 0, (v.axes & 2) != 0, (v.axes & 4) != 0};
      const int64_t out_c = reduced[2] ? 1 : t.channels;
      const int64_t out_n = int64_t{t.out_h} * t.out_w * out_c;
      // Widened to int64 (exact for every input type; min = -max(-x) cannot overflow).
      std::vector<int64_t> in = WithType(t.in_dtype, [&](auto tag) {
        using T = decltype(tag);
        const auto hwc = GatherHwc<T>(m.at(Space::kFeature, v.src), t.in_h, t.in_w, t.channels);
        return std::vector<int64_t>(hwc.begin(), hwc.end());
      });
      std::vector<int64_t> out(out_n);
      switch (v.op) {
        case isa::ReduceOp::kSum: {
          absl::StatusOr<numerics::RequantizeRecord> rec =
              ReadRecord(m.at(Space::kWeight, v.param), index, mn);
          if (!rec.ok()) return rec.status();
          const auto [lo, hi] = DTypeRange(t.out_dtype);
          std::vector<__int128> sums(out_n, 0);
          for (int64_t y = 0; y < t.in_h; ++y)
            for (int64_t x = 0; x < t.in_w; ++x)
              for (int64_t c = 0; c < t.channels; ++c) {
                const int64_t o = ((reduced[0] ? 0 : y) * t.out_w + (reduced[1] ? 0 : x)) * out_c +
                                  (reduced[2] ? 0 : c);
                sums[o] += in[(y * t.in_w + x) * t.channels + c];
              }
          for (int64_t o = 0; o < out_n; ++o) {
            const __int128 t = sums[o];
            const int64_t t64 = t > INT64_MAX   ? INT64_MAX
                                : t < INT64_MIN ? INT64_MIN
                                                : static_cast<int64_t>(t);
            out[o] = numerics::Requantize(t64, *rec, lo, hi);
          }
          break;
        }
        case isa::ReduceOp::kMax:
          numerics::ReduceMax(in.data(), shape, reduced, out.data());
          break;
        case isa::ReduceOp::kMin: {
          for (auto& x : in) x = -x;
          numerics::ReduceMax(in.data(), shape, reduced, out.data());
          for (auto& x : out) x = -x;
          break;
        }
        case isa::ReduceOp::kArgMax:
        case isa::ReduceOp::kArgMin: {
          if (v.op == isa::ReduceOp::kArgMin)
            for (auto& x : in) x = -x;
          const int axis = reduced[0] ? 0 : reduced[1] ? 1 : 2;
          int64_t outer = 1, inner = 1;
          for (int d = 0; d < axis; ++d) outer *= shape[d];
          for (int d = axis + 1; d < 3; ++d) inner *= shape[d];
          numerics::ArgMax(in.data(), outer, shape[axis], inner, v.select_last, out.data());
          break;
        }
      }
      const int os = isa::DTypeBytes(t.out_dtype);
      const int64_t pitch = Align16(out_c * os);
      for (int64_t p = 0; p < int64_t{t.out_h} * t.out_w; ++p)
        for (int64_t c = 0; c < out_c; ++c)
          WriteElem(m.at(Space::kFeature, v.dst + p * pitch + c * os), t.out_dtype,
                    out[p * out_c + c]);
      return absl::OkStatus();
    }
    case Opcode::kAaeMove: {
      const auto& mv = std::get<isa::AaeMove>(inst.payload);
      const auto& sh = r.move_shape;
      const auto& ss = r.move_src;
      const auto& ds = r.move_dst;
      auto run = [&](auto word) {
        using W = decltype(word);
        numerics::StridedView view;
        view.shape = {sh.d3, sh.d2, sh.d1, sh.d0};
        view.deltas = {ss.s3, ss.s2, ss.s1, ss.s0};
        view.base = 0;
        std::vector<W> tmp(int64_t{sh.d0} * sh.d1 * sh.d2 * sh.d3);
        // Source elements are read (all of them) before any destination element is written.
        numerics::StridedCopy(reinterpret_cast<const W*>(m.at(ToSpace(mv.src_space), mv.src)), view,
                              tmp.data());
        W* dst = reinterpret_cast<W*>(m.at(ToSpace(mv.dst_space), mv.dst));
        int64_t i = 0;
        for (int64_t i3 = 0; i3 < sh.d3; ++i3)
          for (int64_t i2 = 0; i2 < sh.d2; ++i2)
            for (int64_t i1 = 0; i1 < sh.d1; ++i1)
              for (int64_t i0 = 0; i0 < sh.d0; ++i0)
                dst[i3 * ds.s3 + i2 * ds.s2 + i1 * ds.s1 + i0 * ds.s0] = tmp[i++];
      };
      switch (sh.elem) {
        case 1:
          run(uint8_t{});
          break;
        case 2:
          run(uint16_t{});
          break;
        case 4:
          run(uint32_t{});
          break;
        default:
          run(uint64_t{});
          break;
      }
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();  // configuration, sync: no data
  }
}

}  // namespace openbpu::sim
