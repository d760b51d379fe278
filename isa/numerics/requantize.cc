// Requantize record derivation (docs/NUMERICS.md, "Requantize").
#include "isa/numerics/requantize.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace openbpu::numerics {

absl::StatusOr<RequantizeRecord> MakeRequantizeRecord(double real_multiplier) {
  if (!std::isfinite(real_multiplier) || real_multiplier < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("requantize multiplier ", real_multiplier, " is not finite and >= 0"));
  }
  if (real_multiplier == 0) return RequantizeRecord{};
  int exponent = 0;
  const double fraction = std::frexp(real_multiplier, &exponent);  // [0.5, 1)
  int64_t m = std::llround(fraction * 2147483648.0);               // [2^30, 2^31]
  if (m == (int64_t{1} << 31)) {
    m >>= 1;
    ++exponent;
  }
  int shift = 31 - exponent;
  if (shift > kMaxShift) {
    // |acc * m| < 2^94 < 2^(shift-1): every accumulator rounds to zero.
    return RequantizeRecord{};
  }
  if (shift < kMinShift) {
    return absl::InvalidArgumentError(
        absl::StrCat("requantize multiplier ", real_multiplier, " is too large (max 2^62)"));
  }
  return RequantizeRecord{static_cast<int32_t>(m), static_cast<int8_t>(shift)};
}

double RecordToReal(const RequantizeRecord& record) {
  return std::ldexp(static_cast<double>(record.multiplier), -record.shift);
}

}  // namespace openbpu::numerics
