// The ISA 1.1 operand pitches (tae.pitch, vae.pitch, vae.cfg dst_pitch, aae.pitch) in one
// program whose every operand is a window of a wider SRAM layout; the comment gives the hand
// computation of its golden.
#include "simulator/test_programs_internal.h"

namespace openbpu::sim::testing {

// A 1x1 conv (weights [[1, 2], [3, -1]]) over a 2x2x2 input loaded with a 48-byte pixel pitch at
// byte 16 of each pixel (tae.pitch in_pitch=3), its int32 accumulators 32 bytes apart and rows 96
// bytes apart (acc_pitch=2, acc_row_pitch=96). Input pixels (1,2) (3,4) (5,6) (7,8):
//   acc = (1+4, 3-2) (3+8, 9-4) (5+12, 15-6) (7+16, 21-8) = (5,1) (11,5) (17,9) (23,13).
// Each accumulator row is requantized (x 1) by reading x at pitch 32 (vae.pitch x_pitch=2) into
// pixels 32 bytes apart (dst_pitch=2); vae.max with y = (6,0) (12,0) (0,10) (30,0) at pitch 48
// (y_pitch=3) writes (6,1) (12,5) (17,10) (30,13) at pitch 48 (dst_pitch=3). An identity 1x1 max
// pool reads it at pitch 48 (aae.pitch src_pitch=3) and writes pixels 32 bytes apart, rows 128
// apart (dst_pitch=2, dst_row_pitch=128), which the store reads back: 6 1 12 5 17 10 30 13. A 2x1
// max pool over column 1 only (src at pixel (0,1), src_row_pitch=96): (max(12,30), max(5,13)) =
// 30 13.
TestProgram OperandPitchProgram() {
  TestProgram t;
  t.name = "operand_pitches";
  t.assembly = R"(
.march bayes
.ddr input=8 output=10 scratch=0
.layer 1 pitched
load.shape elem=1 n0=2 n1=2 n2=2
load.stride ddr_s1=2 ddr_s2=4 sram_s1=48 sram_s2=96
load dst_space=feature dst=16 region=input offset=0 signal=1 layer=1
load.shape elem=1 n0=80 n1=1 n2=1
load dst_space=weight dst=0 region=param offset=0 signal=1 layer=1
load.shape elem=1 n0=2 n1=4 n2=1
load.stride ddr_s1=2 ddr_s2=0 sram_s1=48 sram_s2=0
load dst_space=feature dst=1024 region=param offset=80 signal=1 layer=1
tae.pitch in_pitch=3 acc_pitch=2 acc_row_pitch=96
tae.kernel kernel_h=1 kernel_w=1
tae.tile in_h=2 in_w=2 in_c=2 out_c=2 in_dtype=s8
tae.conv in=16 weight=0 acc=0 wait=1,1 signal=2 layer=1
vae.pitch x_pitch=2
vae.cfg pixels=2 channels=2 x_dtype=s32 out_dtype=s8 dst_pitch=2
vae.requant src=0 dst=512 param=16 wait=2 layer=1
vae.requant src=96 dst=576 param=16 layer=1
vae.pitch x_pitch=2 y_pitch=3
vae.cfg pixels=4 channels=2 x_dtype=s8 y_dtype=s8 out_dtype=s8 dst_pitch=3
vae.max x=512 y=1024 dst=1536 wait=1 signal=3 layer=1
aae.pitch src_pitch=3 dst_pitch=2 dst_row_pitch=128
aae.win kernel_h=1 kernel_w=1
aae.tile in_h=2 in_w=2 channels=2 out_h=2 out_w=2 in_dtype=s8 out_dtype=s8
aae.maxpool src=1536 dst=2048 wait=3 layer=1
aae.pitch src_pitch=3 src_row_pitch=96
aae.win kernel_h=2 kernel_w=1
aae.tile in_h=2 in_w=1 channels=2 out_h=1 out_w=1 in_dtype=s8 out_dtype=s8
aae.maxpool src=1584 dst=2304 signal=4 layer=1
store.shape elem=1 n0=2 n1=2 n2=2
store.stride ddr_s1=2 ddr_s2=4 sram_s1=32 sram_s2=128
store src_space=feature src=2048 region=output offset=0 wait=4 layer=1
store.shape elem=1 n0=2 n1=1 n2=1
store src_space=feature src=2304 region=output offset=8 layer=1
end
)";
  t.params = {1, 2, 3, 0xff};
  PadTo(t.params, 16);
  PutRequant(t.params, 0, kOne, 30);
  PutRequant(t.params, 0, kOne, 30);
  t.params.insert(t.params.end(), {6, 0, 12, 0, 0, 10, 30, 0});
  t.input = {1, 2, 3, 4, 5, 6, 7, 8};
  t.expected = {6, 1, 12, 5, 17, 10, 30, 13, 30, 13};
  t.covers = {"GemmS8S32", "Requantize", "MaxPool"};
  return t;
}

}  // namespace openbpu::sim::testing
