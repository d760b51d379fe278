// The back end's tuning knobs (CompileOptions::knobs): the choices O2 makes by fixed rules, exposed
// so that a search scored by the timing model (compiler/tune, bpu compile --opt O3 / fast / ddr /
// balance) can try others. The defaults are O2's own rules; every value compiles bit-exact.
#ifndef OPENBPU_COMPILER_BACKEND_KNOBS_H_
#define OPENBPU_COMPILER_BACKEND_KNOBS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace openbpu::backend {

struct CompileKnobs {
  // O2 on-chip chains: the pool is the top 1 / 2^pool_shift of the feature SRAM (1, 2 or 3), 0
  // keeps every value in DDR. -1 (O2's rule): half, then a quarter, then an eighth when a layer
  // no longer tiles, then none. A fixed share that some layer cannot tile beside is an error
  // (ResourceExhausted), not a fallback.
  int pool_shift = -1;
  // A cap on the output rows of one convolution tile (0: none, the most that fit the SRAMs).
  // Smaller tiles give the double buffering of O1 and O2 more tiles to overlap (the first load
  // and the last store are shorter), at the cost of more instructions and of re-loading the
  // kernel's halo rows once per tile (more DDR bytes).
  int max_conv_tile_rows = 0;
};

inline absl::Status ValidateKnobs(const CompileKnobs& k) {
  if (k.pool_shift < -1 || k.pool_shift > 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "knob pool_shift=", k.pool_shift, " is out of range (-1: O2's rule, 0: no chains, 1..3)"));
  }
  if (k.max_conv_tile_rows < 0) {
    return absl::InvalidArgumentError(absl::StrCat("knob max_conv_tile_rows=", k.max_conv_tile_rows,
                                                   " is out of range (0: no cap, or > 0)"));
  }
  return absl::OkStatus();
}

// `pool_shift=auto max_conv_tile_rows=0` (what bpu compile records and prints).
inline std::string KnobsString(const CompileKnobs& k) {
  return absl::StrCat(
      "pool_shift=", k.pool_shift < 0 ? std::string("auto") : absl::StrCat(k.pool_shift),
      " max_conv_tile_rows=", k.max_conv_tile_rows);
}

}  // namespace openbpu::backend

#endif  // OPENBPU_COMPILER_BACKEND_KNOBS_H_
