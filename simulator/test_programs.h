// Hand-written assembly programs covering every instruction class, each with its input and
// a hand-computed golden output; shared by the simulator tests, the perf-vs-both test and the
// fuzz seeds.
#ifndef OPENBPU_SIMULATOR_TEST_PROGRAMS_H_
#define OPENBPU_SIMULATOR_TEST_PROGRAMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "isa/program.h"
#include "simulator/run_ops.h"

namespace openbpu::sim::testing {

struct TestProgram {
  std::string name;
  std::string assembly;             // directives + instructions (no .params)
  std::vector<uint8_t> params;      // the parameter blob
  std::vector<uint8_t> input;       // DDR input region contents
  std::vector<uint8_t> expected;    // DDR output region after the run
  std::vector<std::string> covers;  // isa/numerics primitives it reaches
};

const std::vector<TestProgram>& AllTestPrograms();

// ResNet-18's layer1 3x3 conv (56x56x64 -> 64), tiled and double-buffered (also in
// AllTestPrograms; the benchmark runs it end to end).
TestProgram ResNetConvLayer();

// Assembles `t` (params appended).
absl::StatusOr<isa::Program> Build(const TestProgram& t);

struct Outcome {
  RunResult result;
  std::vector<uint8_t> output;  // DDR output region (empty in perf mode)
};

// Assembles, loads the input, runs in `mode` (optionally force-serial) and reads the output.
absl::StatusOr<Outcome> RunTestProgram(const TestProgram& t, Mode mode, bool force_serial = false,
                                       bool trace = false);

// Little-endian byte helpers for building parameter blobs.
void Put32(std::vector<uint8_t>& v, int32_t x);
void Put16(std::vector<uint8_t>& v, int16_t x);
void Put8(std::vector<uint8_t>& v, int8_t x);
void PadTo(std::vector<uint8_t>& v, size_t multiple);

}  // namespace openbpu::sim::testing

#endif  // OPENBPU_SIMULATOR_TEST_PROGRAMS_H_
