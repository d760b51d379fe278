// The AAE test programs: pooling, resize, reductions and the strided move on one tile, and
// top-k along each axis; each comment gives the hand computation of its golden.
#include <initializer_list>
#include <vector>

#include "isa/numerics/resize.h"
#include "isa/records.h"
#include "simulator/test_programs_internal.h"

namespace openbpu::sim::testing {

// AAE on a 2x2x2 input (pixels (0,0)=[1,-8] (0,1)=[4,2] (1,0)=[-3,6] (1,1)=[7,0]):
// maxpool 2x2 [7, 6]; avgpool sums [9, 0] x 1/4 = [2, 0]; nearest rows [1] cols [0,1,1]
// = [-3,6],[7,0],[7,0]; reduce sum over C (M = 1) = [-7, 6, 3, 7]; argmax over H =
// [0, 1, 1, 0] (s32); max over H,W = [7, 6]; min = [-3, -8]; move channel 0 = [1, 4, -3, 7];
// linear resize of row 1 to width 3 (M = 2^-16) = [-3,6],[2,3],[7,0].
TestProgram AaePoolResizeReduceMoveProgram() {
  TestProgram t;
  t.name = "aae_pool_resize_reduce_move";
  t.assembly = R"(
.march bernoulli2
.ddr input=8 output=320 scratch=0
.layer 3 pool
load.shape elem=1 n0=2 n1=2 n2=2
load.stride ddr_s1=2 ddr_s2=4 sram_s1=16 sram_s2=32
load dst_space=feature dst=0 region=input offset=0 signal=1
load.shape elem=1 n0=112 n1=1 n2=1
load dst_space=weight dst=0 region=param offset=0 signal=1
aae.win kernel_h=2 kernel_w=2
aae.tile in_h=2 in_w=2 channels=2 out_h=1 out_w=1 in_dtype=s8 out_dtype=s8
aae.maxpool src=0 dst=256 wait=1,1 layer=3
aae.avgpool src=0 dst=272 param=0 count_include_pad=1 layer=3
aae.win kernel_h=1 kernel_w=1
aae.tile in_h=2 in_w=2 channels=2 out_h=1 out_w=3 in_dtype=s8 out_dtype=s8
aae.resize_nearest src=0 dst=288 table=32
aae.resize_linear src=0 dst=512 table=64
aae.tile in_h=2 in_w=2 channels=2 out_h=2 out_w=2 in_dtype=s8 out_dtype=s8
aae.reduce op=sum axes=4 src=0 dst=352 param=48
aae.tile in_h=2 in_w=2 channels=2 out_h=1 out_w=2 in_dtype=s8 out_dtype=s32
aae.reduce op=argmax axes=1 src=0 dst=416
aae.tile in_h=2 in_w=2 channels=2 out_h=1 out_w=1 in_dtype=s8 out_dtype=s8
aae.reduce op=max axes=3 src=0 dst=448
aae.reduce op=min axes=3 src=0 dst=464
aae.move.shape elem=1 d0=4 d1=1 d2=1 d3=1
aae.move.src s0=16 s1=0 s2=0 s3=0
aae.move.dst s0=1 s1=0 s2=0 s3=0
aae.move src_space=feature src=0 dst_space=feature dst=480 signal=2
store.shape elem=1 n0=320 n1=1 n2=1
store src_space=feature src=256 region=output offset=0 wait=2
end
)";
  PutRecord(t.params, 0, 0);
  PutRecord(t.params, 0, 0);
  PutRecord(t.params, 0, 0);
  PutRecord(t.params, kOne, 32);  // divisor 4: M = 1/4
  const std::vector<int64_t> rows = {1}, cols = {0, 1, 1};
  for (uint8_t b : isa::PackResizeNearestTable(rows, cols)) t.params.push_back(b);
  PutRecord(t.params, kOne, 30);  // reduce sum: M = 1
  PadTo(t.params, 16);
  const std::vector<numerics::LinearTap> lrows = {{1, 1, 0}};
  const std::vector<numerics::LinearTap> lcols = {{0, 0, 0}, {0, 1, 32768}, {1, 1, 0}};
  for (uint8_t b : isa::PackResizeLinearTable({kOne, 46}, lrows, lcols)) t.params.push_back(b);
  t.input = {1, static_cast<uint8_t>(-8), 4, 2, static_cast<uint8_t>(-3), 6, 7, 0};
  t.expected.assign(320, 0);
  auto at = [&](int addr, std::initializer_list<int> v) {
    int i = addr - 256;
    for (int x : v) t.expected[i++] = static_cast<uint8_t>(x);
  };
  at(256, {7, 6});
  at(272, {2, 0});
  at(288, {-3, 6});
  at(304, {7, 0});
  at(320, {7, 0});
  at(352, {-7});
  at(368, {6});
  at(384, {3});
  at(400, {7});
  at(416, {0, 0, 0, 0, 1, 0, 0, 0});  // pixel (0,0): c0 -> 0, c1 -> 1
  at(432, {1, 0, 0, 0, 0, 0, 0, 0});  // pixel (0,1): c0 -> 1, c1 -> 0
  at(448, {7, 6});
  at(464, {-3, -8});
  at(480, {1, 4, -3, 7});
  at(512, {-3, 6});
  at(528, {2, 3});
  at(544, {7, 0});
  t.covers = {"MaxPool",           "SumPool",         "PoolDivisors",  "ForEachPoolWindow",
              "ResizeNearestCopy", "ResizeLinear",    "ReduceMax",     "ArgMax",
              "StridedCopy",       "PlanPoolWindows", "IsInterpolated"};
  return t;
}

// TopK on a [2][3][2] int8 tile x = [[(5,-1), (7,-1), (5,3)], [(-8,0), (2,0), (2,9)]]:
// - along W, k = 2 largest: per (h, c) the lines [5,7,5] -> 7@1, 5@0 (tie: lower index);
//   [-1,-1,3] -> 3@2, -1@0; [-8,2,2] -> 2@1, 2@2; [0,0,9] -> 9@2, 0@0, so values
//   [[(7,3), (5,-1)], [(2,9), (2,0)]], indices [[(1,2), (0,0)], [(1,2), (2,0)]];
// - along C, k = 1 smallest: -1@1, -1@1, 3@1, -8@0, 0@1, 2@0;
// - along H, k = 1 largest: (5@0, 0@1), (7@0, 0@1), (5@0, 9@1).
TestProgram TopKProgram() {
  TestProgram t;
  t.name = "topk";
  t.assembly = R"(
.march bernoulli2
.ddr input=12 output=104 scratch=0
load.shape elem=1 n0=2 n1=6 n2=1
load.stride ddr_s1=2 ddr_s2=0 sram_s1=16 sram_s2=0
load dst_space=feature dst=0 region=input offset=0 signal=1
aae.tile in_h=2 in_w=3 channels=2 out_h=2 out_w=2 in_dtype=s8 out_dtype=s8
aae.topk axis=1 largest=1 k=2 src=0 dst=128 indices=256 wait=1 signal=2
aae.tile in_h=2 in_w=3 channels=2 out_h=2 out_w=3 in_dtype=s8 out_dtype=s8
aae.topk axis=2 largest=0 k=1 src=0 dst=384 indices=512 signal=3
aae.tile in_h=2 in_w=3 channels=2 out_h=1 out_w=3 in_dtype=s8 out_dtype=s8
aae.topk axis=0 largest=1 k=1 src=0 dst=640 indices=768 signal=4
store.shape elem=1 n0=2 n1=4 n2=1
store.stride ddr_s1=2 ddr_s2=0 sram_s1=16 sram_s2=0
store src_space=feature src=128 region=output offset=0 wait=2
store.shape elem=4 n0=2 n1=4 n2=1
store.stride ddr_s1=8 ddr_s2=0 sram_s1=16 sram_s2=0
store src_space=feature src=256 region=output offset=8
store.shape elem=1 n0=1 n1=6 n2=1
store.stride ddr_s1=1 ddr_s2=0 sram_s1=16 sram_s2=0
store src_space=feature src=384 region=output offset=40 wait=3
store.shape elem=4 n0=1 n1=6 n2=1
store.stride ddr_s1=4 ddr_s2=0 sram_s1=16 sram_s2=0
store src_space=feature src=512 region=output offset=48
store.shape elem=1 n0=2 n1=3 n2=1
store.stride ddr_s1=2 ddr_s2=0 sram_s1=16 sram_s2=0
store src_space=feature src=640 region=output offset=72 wait=4
store.shape elem=4 n0=2 n1=3 n2=1
store.stride ddr_s1=8 ddr_s2=0 sram_s1=16 sram_s2=0
store src_space=feature src=768 region=output offset=80
end
)";
  for (int8_t x : {5, -1, 7, -1, 5, 3, -8, 0, 2, 0, 2, 9}) Put8(t.input, x);
  for (int8_t v : {7, 3, 5, -1, 2, 9, 2, 0}) Put8(t.expected, v);
  for (int32_t i : {1, 2, 0, 0, 1, 2, 2, 0}) Put32(t.expected, i);
  for (int8_t v : {-1, -1, 3, -8, 0, 2}) Put8(t.expected, v);
  PadTo(t.expected, 8);  // the indices start at offset 48
  for (int32_t i : {1, 1, 1, 0, 1, 0}) Put32(t.expected, i);
  for (int8_t v : {5, 0, 7, 0, 5, 9}) Put8(t.expected, v);
  PadTo(t.expected, 8);  // at offset 80
  for (int32_t i : {0, 1, 0, 1, 0, 1}) Put32(t.expected, i);
  t.covers = {"TopK"};
  return t;
}

// ISA 1.1 aae.gather: five 3-byte rows [10r+1, 10r+2, 10r+3] (r < 5) in feature SRAM 16 bytes
// apart gathered by s64 indices [4, -5, 2, -1] (rows 4, 0, 2, 4), then the same rows dense in
// weight SRAM by s32 indices [1, -2, 0] (rows 1, 3, 0), into one 21-byte run.
TestProgram GatherProgram() {
  TestProgram t;
  t.name = "aae_gather";
  t.assembly = R"(
.march bayes
.ddr input=60 output=21 scratch=0
load.shape elem=1 n0=3 n1=5 n2=1
load.stride ddr_s1=3 ddr_s2=0 sram_s1=16 sram_s2=0
load dst_space=feature dst=0 region=input offset=0 signal=1
load.shape elem=8 n0=4 n1=1 n2=1
load dst_space=feature dst=128 region=input offset=16 signal=1
load.shape elem=1 n0=15 n1=1 n2=1
load dst_space=weight dst=0 region=input offset=0 signal=1
load.shape elem=4 n0=3 n1=1 n2=1
load dst_space=feature dst=192 region=input offset=48 signal=1
aae.gather.cfg count=4 limit=5 row=3 src_stride=16 dst_stride=3 idx_dtype=s64
aae.gather src_space=feature src=0 indices=128 dst=256 wait=1,1
aae.gather.cfg count=3 limit=5 row=3 src_stride=3 dst_stride=3 idx_dtype=s32
aae.gather src_space=weight src=0 indices=192 dst=268 wait=1,1 signal=2
store.shape elem=1 n0=21 n1=1 n2=1
store.stride ddr_s1=21 ddr_s2=0 sram_s1=21 sram_s2=0
store src_space=feature src=256 region=output offset=0 wait=2
end
)";
  for (int r = 0; r < 5; ++r) {
    for (int b = 1; b <= 3; ++b) Put8(t.input, static_cast<int8_t>(10 * r + b));
  }
  PadTo(t.input, 16);
  for (int64_t j : {4, -5, 2, -1}) {
    for (int i = 0; i < 8; ++i) t.input.push_back(static_cast<uint8_t>(j >> (8 * i)));
  }
  for (int32_t j : {1, -2, 0}) Put32(t.input, j);
  for (int r : {4, 0, 2, 4, 1, 3, 0}) {
    for (int b = 1; b <= 3; ++b) Put8(t.expected, static_cast<int8_t>(10 * r + b));
  }
  return t;
}

}  // namespace openbpu::sim::testing
