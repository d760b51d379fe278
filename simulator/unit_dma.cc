// LOAD and STORE (ISA.md §4, "LOAD" and "STORE"): 3-D strided transfers between DDR and SRAM,
// LOAD adding padding on the fly. Their cost is the DDR transfer, which the timing engine
// charges on the channel LOAD and STORE share (SimOp::ddr_charged_bytes: each contiguous run in
// whole bursts), so the instruction itself takes no unit cycles.
#include <cstring>

#include "absl/strings/str_cat.h"
#include "simulator/units.h"

namespace openbpu::sim::units {
namespace {

// The DDR channel bytes a transfer of `box` occupies: each contiguous run (rows that follow each
// other in DDR merge into one) rounded up to whole bursts. Runs are taken as burst-aligned (an
// assumption: a run that starts mid-burst may touch one burst more).
uint64_t ChargedBytes(const ByteBox& box, int burst) {
  uint64_t run = static_cast<uint64_t>(box.run);
  uint64_t count = static_cast<uint64_t>(box.n1) * static_cast<uint64_t>(box.n2);
  if (box.n1 == 1 || box.s1 == box.run) {  // rows contiguous: one run per plane
    run *= static_cast<uint64_t>(box.n1);
    count = static_cast<uint64_t>(box.n2);
    if (box.n2 == 1 || box.s2 == static_cast<int64_t>(run)) {  // planes contiguous too
      run *= static_cast<uint64_t>(box.n2);
      count = 1;
    }
  }
  if (run == 0 || count == 0) return 0;
  const uint64_t b = static_cast<uint64_t>(burst > 0 ? burst : 1);
  return count * ((run + b - 1) / b) * b;
}

}  // namespace

absl::StatusOr<Lowered> Lower(const isa::LoadShape& v, Lowering& ctx) {
  ctx.regs.load_shape = v;
  return Lowered{};
}

absl::StatusOr<Lowered> Lower(const isa::LoadStride& v, Lowering& ctx) {
  ctx.regs.load_stride = v;
  return Lowered{};
}

absl::StatusOr<Lowered> Lower(const isa::StoreShape& v, Lowering& ctx) {
  ctx.regs.store_shape = v;
  return Lowered{};
}

absl::StatusOr<Lowered> Lower(const isa::StoreStride& v, Lowering& ctx) {
  ctx.regs.store_stride = v;
  return Lowered{};
}

absl::StatusOr<Lowered> Lower(const isa::Load& ld, Lowering& ctx) {
  const isa::LoadShape& sh = ctx.regs.load_shape;
  const isa::LoadStride& sd = ctx.regs.load_stride;
  if (ld.dst % sh.elem || ld.offset % sh.elem) {
    return ctx.Fail(absl::StrCat("dst and offset must be multiples of elem ", sh.elem));
  }
  const int64_t run = int64_t{sh.n0} * sh.elem;
  // The SRAM box holds the DDR box surrounded by the padding planes and runs.
  const ByteBox dst = {.space = ToSpace(ld.dst_space),
                       .base = static_cast<uint64_t>(ld.dst),
                       .n2 = sh.pad_top + sh.n2 + sh.pad_bottom,
                       .s2 = sd.sram_s2,
                       .n1 = sh.pad_left + sh.n1 + sh.pad_right,
                       .s1 = sd.sram_s1,
                       .run = run};
  const ByteBox src = {.space = Space::kDdr,
                       .base = ctx.DdrAddress(ld.region, ld.offset),
                       .n2 = sh.n2,
                       .s2 = sd.ddr_s2,
                       .n1 = sh.n1,
                       .s1 = sd.ddr_s1,
                       .run = run};
  Lowered out;
  out.footprint = {Writes(dst, "load dst"), Reads(src, "load src")};
  out.footprint.back().region = ld.region;
  out.cycles = 0;
  out.ddr_bytes = static_cast<uint64_t>(run) * sh.n1 * sh.n2;
  out.ddr_charged_bytes = ChargedBytes(src, ctx.march.ddr_burst_bytes.value);
  out.constant_write = ld.region == isa::Region::kParam;
  if (out.constant_write && dst.space == Space::kWeight && sh.pad_top == 0 && sh.pad_bottom == 0 &&
      sh.pad_left == 0 && sh.pad_right == 0 && dst.Contiguous() && src.Contiguous()) {
    out.deferred = Lowered::DeferredCopy{dst.base, dst.Extent(), src.base};
  }
  // Rows back to back in both memories: each plane's data rows are one copy.
  const bool rows_contiguous = (sh.n1 == 1 || (src.s1 == run && dst.s1 == run));
  out.execute = [dst, src, sh, rows_contiguous](ExecContext& ex) {
    // The pad element: pad_value sign-extended to elem bytes (little-endian).
    uint8_t pad[8];
    const int64_t pv = sh.pad_value;
    std::memcpy(pad, &pv, 8);
    const auto fill = [&](uint8_t* d) {
      if (sh.elem == 1) {
        std::memset(d, pad[0], static_cast<size_t>(sh.n0));
      } else {
        for (int64_t e = 0; e < sh.n0; ++e) std::memcpy(d + e * sh.elem, pad, sh.elem);
      }
    };
    for (int64_t i2 = 0; i2 < dst.n2; ++i2) {
      const bool plane_inside = i2 >= sh.pad_top && i2 < sh.pad_top + sh.n2;
      for (int64_t i1 = 0; i1 < dst.n1; ++i1) {
        uint8_t* d = ex.at(dst.space, dst.At(i2, i1));
        const bool inside = plane_inside && i1 >= sh.pad_left && i1 < sh.pad_left + sh.n1;
        if (!inside) {
          fill(d);
          continue;
        }
        const uint8_t* from = ex.at(Space::kDdr, src.At(i2 - sh.pad_top, i1 - sh.pad_left));
        if (rows_contiguous) {  // the plane's data rows at once
          std::memmove(d, from, static_cast<size_t>(src.run * sh.n1));
          i1 += sh.n1 - 1;
        } else {
          std::memmove(d, from, static_cast<size_t>(src.run));
        }
      }
    }
    return absl::OkStatus();
  };
  return out;
}

absl::StatusOr<Lowered> Lower(const isa::Store& st, Lowering& ctx) {
  const isa::StoreShape& sh = ctx.regs.store_shape;
  const isa::StoreStride& sd = ctx.regs.store_stride;
  if (st.src % sh.elem || st.offset % sh.elem) {
    return ctx.Fail(absl::StrCat("src and offset must be multiples of elem ", sh.elem));
  }
  const int64_t run = int64_t{sh.n0} * sh.elem;
  const ByteBox src = {.space = ToSpace(st.src_space),
                       .base = static_cast<uint64_t>(st.src),
                       .n2 = sh.n2,
                       .s2 = sd.sram_s2,
                       .n1 = sh.n1,
                       .s1 = sd.sram_s1,
                       .run = run};
  const ByteBox dst = {.space = Space::kDdr,
                       .base = ctx.DdrAddress(st.region, st.offset),
                       .n2 = sh.n2,
                       .s2 = sd.ddr_s2,
                       .n1 = sh.n1,
                       .s1 = sd.ddr_s1,
                       .run = run};
  Lowered out;
  out.footprint = {Reads(src, "store src"), Writes(dst, "store dst")};
  out.footprint.back().region = st.region;
  out.cycles = 0;
  out.ddr_bytes = static_cast<uint64_t>(run) * sh.n1 * sh.n2;
  out.ddr_charged_bytes = ChargedBytes(dst, ctx.march.ddr_burst_bytes.value);
  out.ddr_write = true;
  const bool rows_contiguous = sh.n1 == 1 || (src.s1 == run && dst.s1 == run);
  out.execute = [src, dst, rows_contiguous](ExecContext& ex) {
    for (int64_t i2 = 0; i2 < src.n2; ++i2) {
      if (rows_contiguous) {  // the plane at once
        std::memmove(ex.at(dst.space, dst.At(i2, 0)), ex.at(src.space, src.At(i2, 0)),
                     static_cast<size_t>(src.run * src.n1));
        continue;
      }
      for (int64_t i1 = 0; i1 < src.n1; ++i1)
        std::memmove(ex.at(dst.space, dst.At(i2, i1)), ex.at(src.space, src.At(i2, i1)), src.run);
    }
    return absl::OkStatus();
  };
  return out;
}

}  // namespace openbpu::sim::units
