// The simulator's hand-written test programs with hand-computed goldens (see the comment
// above each program for the arithmetic).
#include "simulator/test_programs.h"

#include <algorithm>
#include <cstring>
#include <random>

#include "absl/strings/str_cat.h"
#include "isa/assembler.h"
#include "isa/numerics/compare.h"
#include "isa/numerics/lut.h"
#include "isa/numerics/requantize.h"
#include "isa/numerics/segment_lut.h"
#include "isa/records.h"
#include "simulator/simulator.h"

namespace openbpu::sim::testing {

void Put32(std::vector<uint8_t>& v, int32_t x) {
  for (int i = 0; i < 4; ++i)
    v.push_back(static_cast<uint8_t>(static_cast<uint32_t>(x) >> (8 * i)));
}
void Put16(std::vector<uint8_t>& v, int16_t x) {
  for (int i = 0; i < 2; ++i)
    v.push_back(static_cast<uint8_t>(static_cast<uint16_t>(x) >> (8 * i)));
}
void Put8(std::vector<uint8_t>& v, int8_t x) { v.push_back(static_cast<uint8_t>(x)); }
void PadTo(std::vector<uint8_t>& v, size_t multiple) {
  while (v.size() % multiple) v.push_back(0);
}

namespace {

constexpr int32_t kOne = 1 << 30;  // multiplier of M = 2^(30 - shift)

template <typename Fn>
void Append(std::vector<uint8_t>& v, size_t bytes, Fn pack) {
  const size_t at = v.size();
  v.resize(at + bytes);
  pack(v.data() + at);
}

// RequantParam: bias, accumulator record, sumin record, no per-channel clamp.
void PutRequant(std::vector<uint8_t>& v, int32_t bias, int32_t mult, int8_t shift,
                int32_t sumin_mult = 0, int8_t sumin_shift = 0) {
  isa::RequantParam p;
  p.bias = bias;
  p.acc = {mult, shift};
  p.sumin = {sumin_mult, sumin_shift};
  Append(v, isa::kRequantParamBytes, [&](uint8_t* out) { isa::PackRequantParam(p, out); });
}

void PutRecord(std::vector<uint8_t>& v, int32_t mult, int8_t shift) {
  Append(v, isa::kRecordBytes, [&](uint8_t* out) { isa::PackRecord({mult, shift}, out); });
}

std::vector<TestProgram> Make() {
  std::vector<TestProgram> all;

  // conv 2x2 over a 2x2x2 input, one output channel:
  // 1*1 + 2*(-1) + 3*2 + 4*0 + 5*0 + 6*1 + 7*(-2) + 8*3 = 21; + bias 10 = 31; x 0.5 = 15.5
  // -> 16 (round half up).
  {
    TestProgram t;
    t.name = "conv_requant";
    t.assembly = R"(
.march bernoulli2
.ddr input=8 output=1 scratch=0
.layer 1 conv1
load.shape elem=1 n0=2 n1=2 n2=2
load.stride ddr_s1=2 ddr_s2=4 sram_s1=16 sram_s2=32
load dst_space=feature dst=0 region=input offset=0 signal=1 layer=1
load.shape elem=1 n0=48 n1=1 n2=1
load dst_space=weight dst=0 region=param offset=0 signal=1 layer=1
tae.kernel kernel_h=2 kernel_w=2
tae.tile in_h=2 in_w=2 in_c=2 out_c=1 in_dtype=s8
tae.conv in=0 weight=0 acc=0 wait=1,1 signal=2 layer=1
vae.cfg pixels=1 channels=1 x_dtype=s32 out_dtype=s8
vae.requant src=0 dst=1024 param=16 wait=2 signal=3 layer=1
store.shape elem=1 n0=1 n1=1 n2=1
store src_space=feature src=1024 region=output offset=0 wait=3 layer=1
end
)";
    t.params = {1, 0xff, 2, 0, 0, 1, 0xfe, 3};
    PadTo(t.params, 16);
    PutRequant(t.params, 10, kOne, 31);
    t.input = {1, 2, 3, 4, 5, 6, 7, 8};
    t.expected = {16};
    t.covers = {"GemmS8S32",    "Requantize",          "RoundingShiftRight",  "Saturate",
                "SaturateInt8", "RequantizeWithSumin", "SumRecordsCompatible"};
    all.push_back(t);
  }

  // matmul A[2][3] x B[2][3]^T, raw int32 accumulators stored from accumulator SRAM:
  // [[1-3, 2+2], [4-6, 8+5]] = [[-2, 4], [-2, 13]].
  {
    TestProgram t;
    t.name = "matmul_raw_s32";
    t.assembly = R"(
.march bernoulli2
.ddr input=6 output=16 scratch=0
.layer 7 fc
load.shape elem=1 n0=3 n1=2 n2=1
load.stride ddr_s1=3 ddr_s2=0 sram_s1=16 sram_s2=0
load dst_space=feature dst=0 region=input offset=0 signal=1 layer=7
load.shape elem=1 n0=6 n1=1 n2=1
load dst_space=weight dst=0 region=param offset=0 signal=1 layer=7
tae.mmcfg m=2 k=3 n=2 a_dtype=s8 b_space=weight b_kn=0
tae.matmul a=0 b=0 acc=0 wait=1,1 signal=2 layer=7
store.shape elem=4 n0=2 n1=2 n2=1
store.stride ddr_s1=8 ddr_s2=0 sram_s1=16 sram_s2=0
store src_space=acc src=0 region=output offset=0 wait=2 layer=7
end
)";
    t.params = {1, 0, 0xff, 2, 1, 0};
    t.input = {1, 2, 3, 4, 5, 6};
    for (int32_t v : {-2, 4, -2, 13}) Put32(t.expected, v);
    t.covers = {"GemmS8S32"};
    all.push_back(t);
  }

  // Elementwise on x = [10, -20, 30, 100], y = [5, 5, -40, 100], records M = 0.5:
  // max [10, 5, 30, 100]; mul xy/2 = [25, -50, -600 -> -128, 5000 -> 127];
  // add (x<<1) + 2y = [30, -30, -20, 400] / 2 = [15, -15, -10, 127];
  // sub (x<<1) - 2y = [10, -50, 140, 0] / 2 = [5, -25, 70, 0];
  // add_b2 3x + (y<<1)*2 = [50, -40, -70, 700] / 2 = [25, -20, -35, 127];
  // cmp x > y (equal scales) = [1, 0, 1, 0]; lut8 of 2x = [20, -40, 60, 127];
  // min [5, -20, -40, 100].
  {
    TestProgram t;
    t.name = "eltwise_lut8";
    t.assembly = R"(
.march bernoulli2
.ddr input=8 output=32 scratch=0
.layer 2 add
load.shape elem=1 n0=4 n1=1 n2=1
load dst_space=feature dst=0 region=input offset=0 signal=1
load dst_space=feature dst=16 region=input offset=4 signal=1
load.shape elem=1 n0=96 n1=1 n2=1
load dst_space=weight dst=0 region=param offset=0 signal=1
load.shape elem=1 n0=256 n1=1 n2=1
load dst_space=lut dst=0 region=param offset=96 signal=1
vae.cfg pixels=1 channels=4 x_dtype=s8 y_dtype=s8 out_dtype=s8
vae.max x=0 y=16 dst=32 wait=1,1
vae.mul x=0 y=16 dst=48 param=0 wait=1,1
vae.add x=0 y=16 dst=64 param=16 layer=2
vae.sub x=0 y=16 dst=80 param=32
vae.add_b2 x=0 y=16 dst=96 param=48
vae.cmp x=0 y=16 dst=112 param=64
vae.lut8 x=0 dst=128 table=0
vae.min x=0 y=16 dst=144 signal=2
store.shape elem=1 n0=4 n1=8 n2=1
store.stride ddr_s1=4 ddr_s2=0 sram_s1=16 sram_s2=0
store src_space=feature src=32 region=output offset=0 wait=2
end
)";
    const numerics::RequantizeRecord half = {kOne, 31};
    Append(t.params, 16, [&](uint8_t* o) { isa::PackMul({half}, o); });
    numerics::BayesAddParams add;
    add.x_input = 0;
    add.x_sign = 1;
    add.shift = 1;
    add.qscale = 2;
    add.out = half;
    Append(t.params, 16, [&](uint8_t* o) { isa::PackBayesAdd(add, o); });
    numerics::BayesAddParams sub = add;
    sub.qscale = -2;  // the subtraction lives in the parameters
    Append(t.params, 16, [&](uint8_t* o) { isa::PackBayesAdd(sub, o); });
    numerics::Bernoulli2AddParams b2;
    b2.feature_input = 0;
    b2.w = 3;
    b2.qm = 2;
    b2.lshift = 1;
    b2.out = half;
    Append(t.params, 16, [&](uint8_t* o) { isa::PackBernoulli2Add(b2, o); });
    isa::CmpParam cmp;
    cmp.x_scale = cmp.y_scale = numerics::ExactScaleOf(0.25f);
    cmp.predicate = isa::CmpPredicate::kGt;
    Append(t.params, isa::kCmpParamBytes, [&](uint8_t* o) { isa::PackCmpParam(cmp, o); });
    const auto table = numerics::MakeInt8Lut([](double v) { return 2 * v; }, 1.0, 1.0);
    for (int8_t e : table) Put8(t.params, e);
    t.input = {10, static_cast<uint8_t>(-20), 30, 100, 5, 5, static_cast<uint8_t>(-40), 100};
    for (int v : {10, 5,   30,  100, 25, -50, -128, 127, 15, -15, -10, 127, 5, -25, 70,  0,
                  25, -20, -35, 127, 1,  0,   1,    0,   20, -40, 60,  127, 5, -20, -40, 100}) {
      t.expected.push_back(static_cast<uint8_t>(v));
    }
    t.covers = {
        "ApplyBayesAdd", "BayesAddAccumulator", "ApplyBernoulli2Add", "Bernoulli2AddAccumulator",
        "ApplyMul",      "CompareScaled",       "LookupInt8"};
    all.push_back(t);
  }

  // requant_sumin with relu and clamp_hi 20: x = [10, 20, -30, 100], sumin [1, 2, 3, 4]
  // with records M = 1 and 4: x + 4 s = [14, 28, -18, 116] -> [14, 20, 0, 20].
  {
    TestProgram t;
    t.name = "requant_sumin_relu6";
    t.assembly = R"(
.march bernoulli2
.ddr input=8 output=4 scratch=0
load.shape elem=1 n0=4 n1=1 n2=1
load dst_space=feature dst=0 region=input offset=0 signal=1
load dst_space=feature dst=16 region=input offset=4 signal=1
load.shape elem=1 n0=128 n1=1 n2=1
load dst_space=weight dst=0 region=param offset=0 signal=1
vae.cfg pixels=1 channels=4 x_dtype=s8 y_dtype=s8 out_dtype=s8 relu=1 clamp_hi_en=1 clamp_hi=20
sync unit=vae wait=1
vae.requant_sumin src=0 dst=32 param=0 sumin=16 wait=1,1 signal=2
store.shape elem=1 n0=4 n1=1 n2=1
store src_space=feature src=32 region=output offset=0 wait=2
end
)";
    for (int c = 0; c < 4; ++c) PutRequant(t.params, 0, kOne, 30, kOne, 28);  // M = 1, 4
    t.input = {10, 20, static_cast<uint8_t>(-30), 100, 1, 2, 3, 4};
    t.expected = {14, 20, 0, 20};
    t.covers = {"RequantizeWithSumin", "SumRecordsCompatible"};
    all.push_back(t);
  }

  // AAE on a 2x2x2 input (pixels (0,0)=[1,-8] (0,1)=[4,2] (1,0)=[-3,6] (1,1)=[7,0]):
  // maxpool 2x2 [7, 6]; avgpool sums [9, 0] x 1/4 = [2, 0]; nearest rows [1] cols [0,1,1]
  // = [-3,6],[7,0],[7,0]; reduce sum over C (M = 1) = [-7, 6, 3, 7]; argmax over H =
  // [0, 1, 1, 0] (s32); max over H,W = [7, 6]; min = [-3, -8]; move channel 0 = [1, 4, -3, 7];
  // linear resize of row 1 to width 3 (M = 2^-16) = [-3,6],[2,3],[7,0].
  {
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
    all.push_back(t);
  }

  // bayes int16-input conv, 1x2 kernel over [1000, -30000] with weights [[3, -2], [1, 1]]:
  // acc = [63000, -29000] (int64); requant ch0 x 0.5 = 31500, ch1 x 1 = -29000 (s16).
  {
    TestProgram t;
    t.name = "int16_conv_bayes";
    t.assembly = R"(
.march bayes
.ddr input=4 output=4 scratch=0
load.shape elem=2 n0=1 n1=2 n2=1
load.stride ddr_s1=2 ddr_s2=0 sram_s1=16 sram_s2=0
load dst_space=feature dst=0 region=input offset=0 signal=1
load.shape elem=1 n0=80 n1=1 n2=1
load dst_space=weight dst=0 region=param offset=0 signal=1
tae.kernel kernel_h=1 kernel_w=2
tae.tile in_h=1 in_w=2 in_c=1 out_c=2 in_dtype=s16
tae.conv in=0 weight=0 acc=0 wait=1,1 signal=2
vae.cfg pixels=1 channels=2 x_dtype=s64 out_dtype=s16
vae.requant src=0 dst=512 param=16 wait=2 signal=3
store.shape elem=2 n0=2 n1=1 n2=1
store src_space=feature src=512 region=output offset=0 wait=3
end
)";
    t.params = {3, 0xfe, 1, 1};
    PadTo(t.params, 16);
    PutRequant(t.params, 0, kOne, 31);
    PutRequant(t.params, 0, kOne, 30);
    Put16(t.input, 1000);
    Put16(t.input, -30000);
    Put16(t.expected, 31500);
    Put16(t.expected, -29000);
    t.covers = {"GemmS16S64", "Requantize", "SaturateInt16"};
    all.push_back(t);
  }

  // bayes int16 SegmentLUT of the identity (s_in = s_out = 1): y = x.
  {
    TestProgram t;
    t.name = "lut16_bayes";
    t.assembly = R"(
.march bayes
.ddr input=12 output=12 scratch=0
load.shape elem=2 n0=6 n1=1 n2=1
load dst_space=feature dst=0 region=input offset=0 signal=1
load.shape elem=1 n0=944 n1=1 n2=1
load dst_space=lut dst=0 region=param offset=0 signal=1
vae.cfg pixels=1 channels=6 x_dtype=s16 out_dtype=s16
vae.lut16 x=0 dst=32 table=0 wait=1,1 signal=2
store.shape elem=2 n0=6 n1=1 n2=1
store src_space=feature src=32 region=output offset=0 wait=2
end
)";
    absl::StatusOr<numerics::SegmentLut> lut =
        numerics::Fit([](double v) { return v; }, 1.0, 1.0, numerics::DividePoints::kEvenly,
                      numerics::SegmentLutMirror::kNone);
    if (lut.ok()) t.params = isa::PackSegmentLutImage(*lut);
    PadTo(t.params, 16);
    for (int16_t x : {0, 100, -100, 32767, -32768, 5}) {
      Put16(t.input, x);
      Put16(t.expected, lut.ok() ? numerics::Evaluate(lut->record, lut->tables.data(), x) : 0);
    }
    t.covers = {"Evaluate", "UnpackRecord"};
    all.push_back(t);
  }

  // Double-buffered 1x1 conv over 4 tiles of 16 pixels x 16 channels: LOAD and TAE overlap,
  // semaphores 1 (loaded) and 4 (buffer free, pre-granted twice by sync). Each output pixel
  // is sum_c in[c] * w[c] with in = pixel index (all channels) and w = 1: 16 * p, requantized
  // by 1/16 -> p.
  {
    TestProgram t;
    t.name = "double_buffered_conv";
    std::string a = R"(
.march bernoulli2
.ddr input=1024 output=64 scratch=0
.layer 5 layer1.0.conv1
load.shape elem=1 n0=48 n1=1 n2=1
load dst_space=weight dst=0 region=param offset=0 signal=2
sync unit=load signal=4
sync unit=load signal=4
sync unit=tae signal=6
sync unit=tae signal=6
load.shape elem=1 n0=16 n1=16 n2=1
load.stride ddr_s1=16 ddr_s2=0 sram_s1=16 sram_s2=0
tae.kernel kernel_h=1 kernel_w=1
tae.tile in_h=1 in_w=16 in_c=16 out_c=1 in_dtype=s8
vae.cfg pixels=16 channels=1 x_dtype=s32 out_dtype=s8
store.shape elem=1 n0=1 n1=16 n2=1
store.stride ddr_s1=1 ddr_s2=0 sram_s1=16 sram_s2=0
sync unit=tae wait=2
)";
    for (int i = 0; i < 4; ++i) {
      const int buf = (i % 2) * 256;
      absl::StrAppend(&a, "load dst_space=feature dst=", buf, " region=input offset=", i * 256,
                      " wait=4 signal=1 layer=5\n");
      absl::StrAppend(&a, "tae.conv in=", buf, " weight=0 acc=", (i % 2) * 256,
                      " wait=1,6 signal=4,3 layer=5\n");
      absl::StrAppend(&a, "vae.requant src=", (i % 2) * 256, " dst=", 1024 + i * 256,
                      " param=16 wait=3 signal=5,6 layer=5\n");
      absl::StrAppend(&a, "store src_space=feature src=", 1024 + i * 256,
                      " region=output offset=", i * 16, " wait=5 layer=5\n");
    }
    a += "end\n";
    t.assembly = a;
    // Weights: 16 ones (one output channel).
    t.params.assign(16, 1);
    PutRequant(t.params, 0, kOne, 34);  // M = 1/16
    for (int p = 0; p < 64; ++p)
      for (int c = 0; c < 16; ++c) t.input.push_back(static_cast<uint8_t>(p % 8));
    for (int p = 0; p < 64; ++p) t.expected.push_back(static_cast<uint8_t>(p % 8));
    t.covers = {"GemmS8S32", "Requantize"};
    all.push_back(t);
  }

  // bayes int16 Reciprocal / Sqrt / Log through the normalized tables, q = [1, 4, -3, 0, 16,
  // 32767], all with s_in = 1 except Log (s_in = 2), records of multiplier 2^30:
  // - vae.recip, s_out = 2^-10, r = 2^-20 (1 / (s_in s_out) = 1024), out s16:
  //   q = 4: m = 2^23, j = r = 0, rec = R[0] = 2^23, e = 25: 2^23 2^30 2^-45 = 256;
  //   q = -3: m = 3 2^22, j = 128, R[128] = round(2^23 / 1.5) = 5592405, e = 24:
  //   -5592405 2^30 2^-44 = -341.33 -> -341 (half up); q = 1: 2^53 2^-43 = 1024; q = 0: hi
  //   32767; q = 16: 64; q = 32767: 1024 / 32767 = 0.03 -> 0.
  // - vae.sqrt, s_out = 2^-4, r = 2^-26 (16), out s8: q = 16: e = -18, m = 2^22, S[0] = 2^23,
  //   exponent 25: 16 2^23 2^30 2^-51 = 64; q = 4: e = -20, exponent 24: 4 2^53 2^-50 = 32;
  //   q = 1: 16; q <= 0: 0; q = 32767: 16 sqrt(32767) = 2896 -> saturates to 127.
  // - vae.log, s_out = ln 2 2^-8 (y = 256 log2(s_in q)), r = 2^-15 (ln 2 / (2^23 s_out)),
  //   log_offset = round(ln 2 / s_out 2^24) = 2^32, out s16: q = 4: Log2Fixed = 2 2^23,
  //   (2^24 2^30 + 2^32 2^21) 2^-45 = 512 + 256 = 768; q = 1: 256; q = 16: 1280; q = 32767:
  //   256 log2(65534) = 4095.99 -> 4096; q <= 0: lo = -32768.
  {
    TestProgram t;
    t.name = "normalized_int16_bayes";
    t.assembly = R"(
.march bayes
.ddr input=12 output=30 scratch=0
load.shape elem=2 n0=6 n1=1 n2=1
load dst_space=feature dst=0 region=input offset=0 signal=1
load.shape elem=1 n0=2912 n1=1 n2=1
load dst_space=lut dst=0 region=param offset=0 signal=1
vae.cfg pixels=1 channels=6 x_dtype=s16 out_dtype=s16
vae.recip x=0 dst=32 table=0 wait=1,1 signal=2
vae.cfg pixels=1 channels=6 x_dtype=s16 out_dtype=s8
vae.sqrt x=0 dst=64 table=1056
vae.cfg pixels=1 channels=6 x_dtype=s16 out_dtype=s16
vae.log x=0 dst=96 table=1856 signal=3
store.shape elem=1 n0=12 n1=1 n2=1
store src_space=feature src=32 region=output offset=0 wait=2
store.shape elem=1 n0=6 n1=1 n2=1
store src_space=feature src=64 region=output offset=12 wait=3
store.shape elem=1 n0=12 n1=1 n2=1
store src_space=feature src=96 region=output offset=18
end
)";
    auto image = [&](isa::NormFunction fn, int8_t shift, int64_t offset,
                     const std::vector<int32_t>& entries) {
      const std::vector<uint8_t> img = isa::PackNormTableImage(fn, {kOne, shift}, offset, entries);
      t.params.insert(t.params.end(), img.begin(), img.end());
      PadTo(t.params, 16);
    };
    image(isa::NormFunction::kReciprocal, 20, 0, numerics::MakeReciprocalTable());    // 0
    image(isa::NormFunction::kSqrt, 26, 0, numerics::MakeRsqrtTable());               // 1056
    image(isa::NormFunction::kLog, 45, int64_t{1} << 32, numerics::MakeLog2Table());  // 1856
    for (int16_t q : {1, 4, -3, 0, 16, 32767}) Put16(t.input, q);
    for (int16_t y : {1024, 256, -341, 32767, 64, 0}) Put16(t.expected, y);
    for (int8_t y : {16, 32, 0, 0, 64, 127}) Put8(t.expected, y);
    for (int16_t y : {256, 768, -32768, -32768, 1280, 4096}) Put16(t.expected, y);
    t.covers = {"Reciprocal",    "NormalizedReciprocal", "Rsqrt", "NormalizedSqrt", "Log2Fixed",
                "NormalizedLog", "ShiftRoundSaturate"};
    all.push_back(t);
  }

  // TopK on a [2][3][2] int8 tile x = [[(5,-1), (7,-1), (5,3)], [(-8,0), (2,0), (2,9)]]:
  // - along W, k = 2 largest: per (h, c) the lines [5,7,5] -> 7@1, 5@0 (tie: lower index);
  //   [-1,-1,3] -> 3@2, -1@0; [-8,2,2] -> 2@1, 2@2; [0,0,9] -> 9@2, 0@0, so values
  //   [[(7,3), (5,-1)], [(2,9), (2,0)]], indices [[(1,2), (0,0)], [(1,2), (2,0)]];
  // - along C, k = 1 smallest: -1@1, -1@1, 3@1, -8@0, 0@1, 2@0;
  // - along H, k = 1 largest: (5@0, 0@1), (7@0, 0@1), (5@0, 9@1).
  {
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
    all.push_back(t);
  }
  all.push_back(ResNetConvLayer());
  return all;
}

}  // namespace

// ResNet-18 layer1 3x3 conv, 56x56x64 -> 64, pad 1, tiled by 8 output rows: LOAD (with the
// DMA adding the zero padding), TAE, VAE and STORE overlap through double-buffered input,
// accumulator and output buffers. The golden is a direct convolution + bias + requantize.
TestProgram ResNetConvLayer() {
  constexpr int H = 56, W = 56, C = 64, K = 64, kRows = 8;
  constexpr int kInBuf = 40960, kOutBuf = 81920, kOutBytes = kRows * W * K;
  constexpr int kAccBuf = 131072, kWeightBytes = K * 9 * C;
  TestProgram t;
  t.name = "resnet18_layer1_conv3x3";
  std::string a = absl::StrCat(".march bernoulli2\n.ddr input=", H * W * C, " output=", H * W * K,
                               " scratch=0\n.layer 1 layer1.0.conv1\n");
  // Weights [64][3][3][64] as 64 runs of 576 bytes, then 64 RequantParams.
  absl::StrAppend(&a, "load.shape elem=1 n0=576 n1=64 n2=1\n",
                  "load.stride ddr_s1=576 ddr_s2=0 sram_s1=576 sram_s2=0\n",
                  "load dst_space=weight dst=0 region=param offset=0 signal=7 layer=1\n",
                  "load.shape elem=1 n0=", K * isa::kRequantParamBytes, " n1=1 n2=1\n",
                  "load dst_space=weight dst=", kWeightBytes, " region=param offset=", kWeightBytes,
                  " signal=7 layer=1\n");
  a += "sync unit=load signal=2\nsync unit=load signal=2\n";
  a += "sync unit=tae wait=7,7\nsync unit=tae signal=4\nsync unit=tae signal=4\n";
  a += "sync unit=vae signal=6\nsync unit=vae signal=6\n";
  absl::StrAppend(&a, "load.stride ddr_s1=", C, " ddr_s2=", W * C, " sram_s1=", C,
                  " sram_s2=", (W + 2) * C, "\n");
  absl::StrAppend(&a, "tae.kernel kernel_h=3 kernel_w=3\n");
  absl::StrAppend(&a, "tae.tile in_h=", kRows + 2, " in_w=", W + 2, " in_c=", C, " out_c=", K,
                  " in_dtype=s8\n");
  absl::StrAppend(&a, "vae.cfg pixels=", kRows * W, " channels=", K, " x_dtype=s32 out_dtype=s8\n");
  absl::StrAppend(&a, "store.shape elem=1 n0=", K, " n1=", W, " n2=", kRows, "\n");
  absl::StrAppend(&a, "store.stride ddr_s1=", K, " ddr_s2=", W * K, " sram_s1=", K,
                  " sram_s2=", W * K, "\n");
  for (int tile = 0; tile < H / kRows; ++tile) {
    const int first = tile * kRows - 1, last = tile * kRows + kRows;  // input rows [first, last]
    const int pad_top = first < 0 ? 1 : 0, pad_bottom = last >= H ? 1 : 0;
    const int rows = (last - first + 1) - pad_top - pad_bottom;
    const int buf = tile % 2;
    absl::StrAppend(&a, "load.shape elem=1 n0=", C, " n1=", W, " n2=", rows, " pad_top=", pad_top,
                    " pad_bottom=", pad_bottom, " pad_left=1 pad_right=1\n");
    absl::StrAppend(&a, "load dst_space=feature dst=", buf * kInBuf,
                    " region=input offset=", std::max(first, 0) * W * C,
                    " wait=2 signal=1 layer=1\n");
    absl::StrAppend(&a, "tae.conv in=", buf * kInBuf, " weight=0 acc=", buf * kAccBuf,
                    " wait=1,4 signal=2,3 layer=1\n");
    absl::StrAppend(&a, "vae.requant src=", buf * kAccBuf, " dst=", kOutBuf + buf * kOutBytes,
                    " param=", kWeightBytes, " wait=3,6 signal=4,5 layer=1\n");
    absl::StrAppend(&a, "store src_space=feature src=", kOutBuf + buf * kOutBytes,
                    " region=output offset=", tile * kOutBytes, " wait=5 signal=6 layer=1\n");
  }
  a += "end\n";
  t.assembly = a;
  std::mt19937 rng(18);
  std::uniform_int_distribution<int> d8(-128, 127);
  std::vector<int8_t> in(H * W * C), w(kWeightBytes);
  for (auto& x : in) x = static_cast<int8_t>(d8(rng));
  for (auto& x : w) x = static_cast<int8_t>(d8(rng) / 4);
  t.input.assign(in.begin(), in.end());
  t.params.assign(w.begin(), w.end());
  std::vector<int32_t> bias(K);
  for (int k = 0; k < K; ++k) {
    bias[k] = k * 100 - 3000;
    PutRequant(t.params, bias[k], kOne, 38);  // M = 1/256
  }
  t.expected.resize(H * W * K);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x)
      for (int k = 0; k < K; ++k) {
        int64_t acc = 0;
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx) {
            const int iy = y + ky - 1, ix = x + kx - 1;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            for (int c = 0; c < C; ++c)
              acc += in[(iy * W + ix) * C + c] * w[((k * 3 + ky) * 3 + kx) * C + c];
          }
        t.expected[(y * W + x) * K + k] =
            static_cast<uint8_t>(numerics::Requantize(acc + bias[k], {kOne, 38}, -128, 127));
      }
  t.covers = {"GemmS8S32", "Requantize"};
  return t;
}

const std::vector<TestProgram>& AllTestPrograms() {
  static const std::vector<TestProgram>* all = new std::vector<TestProgram>(Make());
  return *all;
}

absl::StatusOr<isa::Program> Build(const TestProgram& t) {
  absl::StatusOr<isa::Program> p = isa::AssembleProgram(t.assembly);
  if (!p.ok()) return p.status();
  p->params = t.params;
  if (absl::Status st = isa::ValidateProgram(*p); !st.ok()) return st;
  return p;
}

absl::StatusOr<Outcome> RunTestProgram(const TestProgram& t, Mode mode, bool force_serial,
                                       bool trace) {
  absl::StatusOr<isa::Program> p = Build(t);
  if (!p.ok()) return p.status();
  absl::StatusOr<const isa::March*> march = isa::FindMarch(p->march);
  if (!march.ok()) return march.status();
  SimulatorOptions opt;
  opt.run.mode = mode;
  opt.run.force_serial = force_serial;
  opt.run.trace = trace;
  absl::StatusOr<std::unique_ptr<Simulator>> sim = Simulator::Create(*p, **march, opt);
  if (!sim.ok()) return sim.status();
  if (mode != Mode::kPerf) {
    if (absl::Status st = (*sim)->WriteRegion(isa::Region::kInput, 0, t.input); !st.ok()) return st;
  }
  absl::StatusOr<RunResult> r = (*sim)->Run();
  if (!r.ok()) return r.status();
  Outcome out;
  out.result = *std::move(r);
  if (mode != Mode::kPerf) {
    out.output.resize(p->ddr_output_bytes);
    if (absl::Status st = (*sim)->ReadRegion(isa::Region::kOutput, 0, absl::MakeSpan(out.output));
        !st.ok()) {
      return st;
    }
  }
  return out;
}

}  // namespace openbpu::sim::testing
