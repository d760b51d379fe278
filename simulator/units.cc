// Helpers shared by the unit files (units.h): SRAM tensor geometry and footprints, element
// access, lane costs and instruction errors.
#include "simulator/units.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace openbpu::sim::units {

ByteBox SramTensor::Footprint() const {
  if (pixel_pitch > isa::Align16(c * esize)) {
    return {.space = space,
            .base = addr,
            .n2 = h,
            .s2 = row_pitch,
            .n1 = w,
            .s1 = pixel_pitch,
            .run = c * esize};
  }
  if (row_pitch == w * pixel_pitch)
    return Bytes(space, addr, (h - 1) * row_pitch + w * pixel_pitch);
  return {.space = space,
          .base = addr,
          .n2 = h,
          .s2 = row_pitch,
          .run = (w - 1) * pixel_pitch + c * esize};
}

SramTensor Feature(Space space, uint64_t addr, int64_t h, int64_t w, int64_t c, int esize,
                   int64_t row_pitch) {
  const int64_t pixel_pitch = isa::Align16(c * esize);
  return {space, addr, h, w, c, esize, pixel_pitch, row_pitch ? row_pitch : w * pixel_pitch};
}

absl::Status ApplyPitch(SramTensor& t, int64_t pitch16, int64_t row_pitch, const char* what,
                        const Lowering& ctx) {
  if (pitch16 != 0) {
    if (pitch16 * 16 < t.c * t.esize) {
      return ctx.Fail(absl::StrCat(what, " pitch ", pitch16 * 16, " is narrower than a pixel's ",
                                   t.c * t.esize, " bytes of channels"));
    }
    const bool dense_rows = t.row_pitch == t.w * t.pixel_pitch;
    t.pixel_pitch = pitch16 * 16;
    if (dense_rows) t.row_pitch = t.w * t.pixel_pitch;
  }
  if (row_pitch != 0) t.row_pitch = row_pitch;
  if (t.h > 1 && t.row_pitch < (t.w - 1) * t.pixel_pitch + t.c * t.esize) {
    return ctx.Fail(absl::StrCat(what, " row pitch ", t.row_pitch, " is narrower than a row's ",
                                 (t.w - 1) * t.pixel_pitch + t.c * t.esize, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status NoVaePitch(const Lowering& ctx) {
  if (ctx.regs.vae.dst_pitch != 0 || ctx.regs.vae_pitch.x_pitch != 0 ||
      ctx.regs.vae_pitch.y_pitch != 0) {
    return ctx.Fail("operand pitches (vae.cfg dst_pitch, vae.pitch) do not apply to it");
  }
  return absl::OkStatus();
}

absl::StatusOr<SramTensor> AaeSource(const Lowering& ctx, int64_t addr) {
  const isa::AaeTile& t = ctx.regs.aae_tile;
  const isa::AaePitch& p = ctx.regs.aae_pitch;
  SramTensor s =
      Feature(Space::kFeature, addr, t.in_h, t.in_w, t.channels, isa::DTypeBytes(t.in_dtype));
  if (absl::Status st = ApplyPitch(s, p.src_pitch, p.src_row_pitch, "src", ctx); !st.ok())
    return st;
  return s;
}

absl::StatusOr<SramTensor> AaeResult(const Lowering& ctx, int64_t addr, int64_t out_c, int esize,
                                     bool pitched) {
  const isa::AaeTile& t = ctx.regs.aae_tile;
  const isa::AaePitch& p = ctx.regs.aae_pitch;
  SramTensor d = Feature(Space::kFeature, addr, t.out_h, t.out_w, out_c, esize);
  if (!pitched) return d;
  if (absl::Status st = ApplyPitch(d, p.dst_pitch, p.dst_row_pitch, "dst", ctx); !st.ok())
    return st;
  return d;
}

SramTensor DenseBytes(Space space, uint64_t addr, int64_t rows, int64_t cols) {
  return {space, addr, 1, rows, cols, 1, cols, rows * cols};
}

absl::Status InstructionError(int64_t index, const char* mnemonic, absl::string_view msg) {
  return absl::InvalidArgumentError(
      absl::StrFormat("instruction %d (%s): %s", index, mnemonic, std::string(msg)));
}

uint64_t LaneCycles(const isa::March& m, int64_t elements, int lanes) {
  return m.issue_cycles.value +
         static_cast<uint64_t>(CeilDiv(std::max<int64_t>(elements, 1), std::max(lanes, 1)));
}

int64_t ReadElem(const uint8_t* p, isa::DType d) {
  switch (d) {
    case isa::DType::kS8:
      return static_cast<int8_t>(*p);
    case isa::DType::kS16: {
      int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case isa::DType::kS32: {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case isa::DType::kS64: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
  return 0;
}

void WriteElem(uint8_t* p, isa::DType d, int64_t v) {
  switch (d) {
    case isa::DType::kS8: {
      const int8_t x = static_cast<int8_t>(v);
      std::memcpy(p, &x, 1);
      return;
    }
    case isa::DType::kS16: {
      const int16_t x = static_cast<int16_t>(v);
      std::memcpy(p, &x, 2);
      return;
    }
    case isa::DType::kS32: {
      const int32_t x = static_cast<int32_t>(v);
      std::memcpy(p, &x, 4);
      return;
    }
    case isa::DType::kS64:
      std::memcpy(p, &v, 8);
      return;
  }
}

std::pair<int64_t, int64_t> DTypeRange(isa::DType d) {
  switch (d) {
    case isa::DType::kS8:
      return {INT8_MIN, INT8_MAX};
    case isa::DType::kS16:
      return {INT16_MIN, INT16_MAX};
    case isa::DType::kS32:
      return {INT32_MIN, INT32_MAX};
    case isa::DType::kS64:
      return {INT64_MIN, INT64_MAX};
  }
  return {0, 0};
}

}  // namespace openbpu::sim::units
