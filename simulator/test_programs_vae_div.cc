// The ISA 1.1 VAE elementwise test program: vae.div with per-channel and scalar y broadcast and
// vae.select; the comment gives the hand computation of its golden (numerics::ApplyDiv with the
// table numerics::MakeReciprocalTable: R[j] = round(2^23 / (1 + j / 256))).
#include <vector>

#include "isa/numerics/elementwise.h"
#include "isa/numerics/lut.h"
#include "isa/records.h"
#include "simulator/test_programs_internal.h"

namespace openbpu::sim::testing {

// bayes; one DivParam image with the record M = 1 (multiplier 2^30, shift 30), so
// out = round_half_up(sign(b) a rec 2^-e) for {rec, e} = Reciprocal(|b|):
// - vae.div s16 / s16 -> s16, x [2][3] = [[100, -100, 7], [32767, 0, -32768]], y [1][3] =
//   [4, -3, 0] (y_bcast 1): b = 4: rec = R[0] = 2^23, e = 25: 100 / 4 = 25, 32767 / 4 =
//   8191.75 -> 8192; b = -3: m = 3 2^22, j = 128, R[128] = 5592405, e = 24: 100 5592405 2^-24 =
//   33.33 -> 33, 0 -> 0; b = 0: a > 0 gives hi 32767, a < 0 lo -32768.
// - vae.div s8 / s16 -> s8, x [1][4] = [5, -5, 127, -128], y [1][1] = [2] (y_bcast 2):
//   2.5 -> 3, -2.5 -> -2 (half up), 63.5 -> 64, -64.
// - vae.select s8: cond = [1, 0, -1, 0, 2, 0], x = [10, 20, 30, 40, 50, 60], y = [-1 .. -6]:
//   [10, -2, 30, -4, 50, -6].
TestProgram DivSelectBayesProgram() {
  TestProgram t;
  t.name = "div_select_bayes";
  t.assembly = R"(
.march bayes
.ddr input=42 output=22 scratch=0
load.shape elem=1 n0=1044 n1=1 n2=1
load dst_space=weight dst=0 region=param offset=0
load.shape elem=2 n0=3 n1=2 n2=1
load.stride ddr_s1=6 ddr_s2=0 sram_s1=16 sram_s2=0
load dst_space=feature dst=0 region=input offset=0
load.shape elem=2 n0=3 n1=1 n2=1
load dst_space=feature dst=32 region=input offset=12
load.shape elem=1 n0=4 n1=1 n2=1
load dst_space=feature dst=48 region=input offset=18
load.shape elem=2 n0=1 n1=1 n2=1
load dst_space=feature dst=64 region=input offset=22
load.shape elem=1 n0=6 n1=1 n2=1
load dst_space=feature dst=80 region=input offset=24
load dst_space=feature dst=96 region=input offset=30
load dst_space=feature dst=112 region=input offset=36 signal=1
vae.cfg pixels=2 channels=3 x_dtype=s16 y_dtype=s16 out_dtype=s16 y_bcast=1
vae.div x=0 y=32 dst=128 param=0 wait=1
vae.cfg pixels=1 channels=4 x_dtype=s8 y_dtype=s16 out_dtype=s8 y_bcast=2
vae.div x=48 y=64 dst=160 param=0
vae.cfg pixels=1 channels=6 x_dtype=s8 y_dtype=s8 out_dtype=s8
vae.select cond=80 x=96 y=112 dst=176 signal=2
store.shape elem=2 n0=3 n1=2 n2=1
store.stride ddr_s1=6 ddr_s2=0 sram_s1=16 sram_s2=0
store src_space=feature src=128 region=output offset=0 wait=2
store.shape elem=1 n0=4 n1=1 n2=1
store src_space=feature src=160 region=output offset=12
store.shape elem=1 n0=6 n1=1 n2=1
store src_space=feature src=176 region=output offset=16
end
)";
  t.params = isa::PackDivParam(numerics::DivParams{numerics::MakeReciprocalTable(), {kOne, 30}});
  for (int16_t x : {100, -100, 7, 32767, 0, -32768}) Put16(t.input, x);
  for (int16_t y : {4, -3, 0}) Put16(t.input, y);
  for (int8_t x : {5, -5, 127, -128}) Put8(t.input, x);
  Put16(t.input, 2);
  for (int8_t c : {1, 0, -1, 0, 2, 0}) Put8(t.input, c);
  for (int8_t x : {10, 20, 30, 40, 50, 60}) Put8(t.input, x);
  for (int8_t y : {-1, -2, -3, -4, -5, -6}) Put8(t.input, y);
  for (int16_t y : {25, 33, 32767, 8192, 0, -32768}) Put16(t.expected, y);
  for (int8_t y : {3, -2, 64, -64}) Put8(t.expected, y);
  for (int8_t y : {10, -2, 30, -4, 50, -6}) Put8(t.expected, y);
  t.covers = {"ApplyDiv", "Reciprocal", "ShiftRoundSaturate"};
  return t;
}

}  // namespace openbpu::sim::testing
