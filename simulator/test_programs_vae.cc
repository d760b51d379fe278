// The VAE test programs: the elementwise ops and the int8 LUT, requantize with sumin and
// clamp, the int16 SegmentLUT and the normalized int16 tables; each comment gives the hand
// computation of its golden.
#include <vector>

#include "isa/numerics/compare.h"
#include "isa/numerics/lut.h"
#include "isa/numerics/segment_lut.h"
#include "isa/records.h"
#include "simulator/test_programs_internal.h"

namespace openbpu::sim::testing {

// Elementwise on x = [10, -20, 30, 100], y = [5, 5, -40, 100], records M = 0.5:
// max [10, 5, 30, 100]; mul xy/2 = [25, -50, -600 -> -128, 5000 -> 127];
// add (x<<1) + 2y = [30, -30, -20, 400] / 2 = [15, -15, -10, 127];
// sub (x<<1) - 2y = [10, -50, 140, 0] / 2 = [5, -25, 70, 0];
// add_b2 3x + (y<<1)*2 = [50, -40, -70, 700] / 2 = [25, -20, -35, 127];
// cmp x > y (equal scales) = [1, 0, 1, 0]; lut8 of 2x = [20, -40, 60, 127];
// min [5, -20, -40, 100].
TestProgram EltwiseLut8Program() {
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
  return t;
}

// requant_sumin with relu and clamp_hi 20: x = [10, 20, -30, 100], sumin [1, 2, 3, 4]
// with records M = 1 and 4: x + 4 s = [14, 28, -18, 116] -> [14, 20, 0, 20].
TestProgram RequantSuminRelu6Program() {
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
  return t;
}

// bayes int16 SegmentLUT of the identity (s_in = s_out = 1): y = x.
TestProgram Lut16BayesProgram() {
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
  return t;
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
TestProgram NormalizedInt16BayesProgram() {
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
  return t;
}

}  // namespace openbpu::sim::testing
