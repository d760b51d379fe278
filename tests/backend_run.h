// A float ONNX model through the whole back end, checked bit for bit: quantized by the driver,
// compiled at O0 and O2 (or any list of opt levels, the searches of compiler/tune included), run
// on the simulator in `both` mode (hazard checker on), every output element compared with the
// quantized reference. Shared by
// tests/backend_bitexact_test (the CI models) and tests/backend_sweep (every model, outside CI).
#ifndef OPENBPU_TESTS_BACKEND_RUN_H_
#define OPENBPU_TESTS_BACKEND_RUN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/tensor.h"
#include "isa/march.h"

namespace openbpu::test_util {

struct BitExactRun {
  // "O0", "O1", "O2", a search ("O3", "fast", "ddr", "balance"), or "O2-2core" (O2 split over
  // the march's two cores).
  std::string opt;
  std::string chosen;  // a search: the chosen candidate's label (compiler/tune)
  int cores = 1;
  int64_t elements = 0, mismatches = 0;
  uint64_t cycles = 0;  // of the last sample, `both` mode
  // The closed-form lower bound of that run (issue 14): its MACs at the march's peak MAC rate
  // (int8, every lane of the tile busy) or its DDR bytes (loaded + stored) at the DDR peak,
  // whichever takes longer; the modeled cycles must never be below it.
  uint64_t roofline_cycles = 0;
  uint64_t macs = 0, ddr_bytes = 0;
  size_t instructions = 0, layers = 0;
  uint64_t scratch_peak = 0, scratch_unplanned = 0;
  int chained_values = 0;          // O2: values kept in the feature SRAM
  int concat_inputs_in_place = 0;  // concat inputs their producers wrote in place
  // aae.move instructions: in the program, and in its Resize and Concat layers (a detector's
  // neck); operand tiles read / written in place with the ISA 1.1 operand pitches.
  int moves = 0, neck_moves = 0, in_place_reads = 0, direct_writes = 0;
  // `bit-exact: MODEL MARCH OPT elements=E mismatches=M (samples=S, instructions=I, ...)`
  std::string line;
};

// Quantizes `onnx` for `march` with the calibration data at `calib` (a directory of .npy or one
// .npy batch), then compiles and simulates the first `count` samples of `samples` ([N, ...]
// float32) at each of `extras.opts` (O0 and O2 by default; the searching levels share one scoring
// of the candidates, compiler/tune, and each runs its chosen program), then, with
// `extras.multi_core`, at O2 over two cores on bernoulli2 and bayes. An error is a failure to
// quantize, compile or run (not a mismatch). Quantization options beyond the defaults (bpu quantize
// --unify-concat-scales, --int16-ops), and bpu compile --no-operand-pitches.
struct QuantizeExtras {
  bool unify_concat_scales = false;
  std::vector<std::string> int16_ops;
  bool operand_pitches = true;
  std::vector<std::string> opts = {"O0", "O2"};
  int balance_factor = 50;  // --opt balance
  int jobs = 1;             // threads scoring the search's candidates
  // A last run at O2 split over every core of a march with more than one (--core-num).
  bool multi_core = true;
};
absl::StatusOr<std::vector<BitExactRun>> RunBitExact(
    const std::string& name, const std::string& onnx, const std::string& calib,
    const Tensor& samples, int count, const std::string& march, const QuantizeExtras& extras = {});

// max(MACs / (the march's int8 MACs per cycle x cores), DDR bytes / its peak DDR bytes per cycle
// (shared by the cores)), rounded up: no program can run in fewer cycles on `cores` cores.
uint64_t RooflineCycles(const isa::March& march, uint64_t macs, uint64_t ddr_bytes, int cores = 1);

// The runfiles directory of //tests/models (TEST_SRCDIR/TEST_WORKSPACE, or RUNFILES_DIR under
// `bazel run`, or the binary's own .runfiles when started directly), with a trailing slash.
std::string ModelDataDir();

// An ONNX model quantized for `march` on `calibration` (a directory or an .npy, the driver's
// calibration_data) and compiled at `opt`, written as an .hbm to `path` (the benchmarks' setup).
absl::Status CompileToHbm(const std::string& onnx, const std::string& calibration,
                          const std::string& name, const std::string& march, const std::string& opt,
                          const std::string& path);

}  // namespace openbpu::test_util

#endif  // OPENBPU_TESTS_BACKEND_RUN_H_
