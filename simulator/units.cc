// Helpers shared by the unit files (units.h): SRAM tensor geometry and footprints, element
// access, lane costs and instruction errors.
#include "simulator/units.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_format.h"

namespace openbpu::sim::units {

ByteBox SramTensor::Footprint() const {
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
