// The test programs of each unit (test_programs_tae.cc, _vae.cc, _aae.cc) and the parameter
// blob helpers they share; test_programs.cc lists them in AllTestPrograms.
#ifndef OPENBPU_SIMULATOR_TEST_PROGRAMS_INTERNAL_H_
#define OPENBPU_SIMULATOR_TEST_PROGRAMS_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "simulator/test_programs.h"

namespace openbpu::sim::testing {

inline constexpr int32_t kOne = 1 << 30;  // multiplier of M = 2^(30 - shift)

// Appends `bytes` bytes written by pack(pointer to the first).
template <typename Fn>
void Append(std::vector<uint8_t>& v, size_t bytes, Fn pack) {
  const size_t at = v.size();
  v.resize(at + bytes);
  pack(v.data() + at);
}

// RequantParam: bias, accumulator record, sumin record, no per-channel clamp.
void PutRequant(std::vector<uint8_t>& v, int32_t bias, int32_t mult, int8_t shift,
                int32_t sumin_mult = 0, int8_t sumin_shift = 0);
// A bare 8-byte record.
void PutRecord(std::vector<uint8_t>& v, int32_t mult, int8_t shift);

// TAE (test_programs_tae.cc; ResNetConvLayer is in test_programs.h).
TestProgram ConvRequantProgram();
TestProgram MatmulRawS32Program();
TestProgram TwoCoreMatmulProgram();  // ISA 1.2
TestProgram Int16ConvBayesProgram();
TestProgram DoubleBufferedConvProgram();
TestProgram MatmulS16S16Program();  // ISA 1.1
// VAE (test_programs_vae.cc).
TestProgram EltwiseLut8Program();
TestProgram RequantSuminRelu6Program();
TestProgram Lut16BayesProgram();
TestProgram NormalizedInt16BayesProgram();
// VAE ISA 1.1 vae.softmax / vae.layernorm (test_programs_vae_rows.cc).
TestProgram VaeRowsProgram();
// VAE ISA 1.1 vae.div / vae.select (test_programs_vae_div.cc).
TestProgram DivSelectBayesProgram();
// AAE (test_programs_aae.cc).
TestProgram AaePoolResizeReduceMoveProgram();
TestProgram TopKProgram();
TestProgram GatherProgram();  // ISA 1.1
// ISA 1.1 operand pitches of all three compute units (test_programs_pitch.cc).
TestProgram OperandPitchProgram();

}  // namespace openbpu::sim::testing

#endif  // OPENBPU_SIMULATOR_TEST_PROGRAMS_INTERNAL_H_
