// The ISA 1.1 VAE row instructions: vae.softmax and vae.layernorm along C (axis 0) and along P
// (axis 1), int8 and int16, on bayes. The goldens are numerics::Softmax / numerics::LayerNorm
// run directly on the same parameters (the instructions' definition); the first pixel's
// channels are equal, so its axis-0 softmax is 1/6 everywhere: 128 / 6 = 21.3 -> 21, and its
// axis-0 layer normalization is beta alone.
#include <cmath>
#include <vector>

#include "isa/numerics/layer_norm.h"
#include "isa/numerics/lut.h"
#include "isa/numerics/segment_lut.h"
#include "isa/numerics/softmax.h"
#include "isa/records.h"
#include "simulator/test_programs_internal.h"

namespace openbpu::sim::testing {
namespace {

constexpr int kP = 4, kC = 6;

numerics::LayerNormParams MakeLayerNorm(int n, double s_x, double s_y) {
  numerics::LayerNormParams p;
  for (int i = 0; i < n; ++i) {
    const double gamma = (i % 3 == 2 ? -1 : 1) * (0.5 + 0.25 * i);
    const double beta = 0.1 * (i - 2);
    const numerics::RequantizeRecord r =
        *numerics::MakeRequantizeRecord(std::sqrt(double{1} * n) * std::fabs(gamma) / s_y);
    p.gamma_multiplier.push_back(r.multiplier);
    p.gamma_shift.push_back(r.shift);
    p.gamma_sign.push_back(gamma < 0 ? -1 : 1);
    p.beta.push_back(std::llround(std::ldexp(beta / s_y, numerics::kLayerNormFractionBits)));
  }
  p.eps_mantissa = static_cast<int32_t>(std::llround(1e-3 * n * n * n / (s_x * s_x)));
  p.rsqrt_table = numerics::MakeRsqrtTable();
  return p;
}

void Append(std::vector<uint8_t>& v, const std::vector<uint8_t>& image) {
  v.insert(v.end(), image.begin(), image.end());
  PadTo(v, 16);
}

}  // namespace

TestProgram VaeRowsProgram() {
  TestProgram t;
  t.name = "vae_rows_bayes";
  // Feature SRAM: x8 [4][6] at 0, x16 at 256; s8 results at 512, 576, 640, 704; s16 at 768, 832.
  // Weight SRAM: softmax s8 image at 0, s16 at 1568, layernorm n = 6 at 3552, n = 4 at 4448.
  t.assembly = R"(
.march bayes
.ddr input=72 output=192 scratch=0
load.shape elem=1 n0=6 n1=4 n2=1
load.stride ddr_s1=6 ddr_s2=0 sram_s1=16 sram_s2=0
load dst_space=feature dst=0 region=input offset=0 signal=1
load.shape elem=2 n0=6 n1=4 n2=1
load.stride ddr_s1=12 ddr_s2=0 sram_s1=16 sram_s2=0
load dst_space=feature dst=256 region=input offset=24 signal=1
load.shape elem=1 n0=16 n1=332 n2=1
load.stride ddr_s1=16 ddr_s2=0 sram_s1=16 sram_s2=0
load dst_space=weight dst=0 region=param offset=0 signal=1
vae.cfg pixels=4 channels=6 x_dtype=s8 out_dtype=s8
sync unit=vae wait=1
vae.softmax axis=0 x=0 dst=512 param=0 wait=1,1
vae.softmax axis=1 x=0 dst=576 param=0
vae.layernorm axis=0 x=0 dst=640 param=3552
vae.layernorm axis=1 x=0 dst=704 param=4448
vae.cfg pixels=4 channels=6 x_dtype=s16 out_dtype=s16
vae.softmax axis=1 x=256 dst=768 param=1568
vae.layernorm axis=0 x=256 dst=832 param=3552 signal=2
store.shape elem=1 n0=6 n1=16 n2=1
store.stride ddr_s1=6 ddr_s2=0 sram_s1=16 sram_s2=0
store src_space=feature src=512 region=output offset=0 wait=2
store.shape elem=2 n0=6 n1=8 n2=1
store.stride ddr_s1=12 ddr_s2=0 sram_s1=16 sram_s2=0
store src_space=feature src=768 region=output offset=96
end
)";
  const double s8_in = 1.0 / 16, s16_in = 1.0 / 4096;
  auto exp_fn = [](double v) { return std::exp(v); };
  numerics::SoftmaxParams sm8;
  sm8.exp_table = numerics::MakeTable(exp_fn, s8_in, 1.0 / 32767, -255,
                                      numerics::kSoftmaxExpTableSize, 0, 32767);
  sm8.reciprocal_table = numerics::MakeReciprocalTable();
  sm8.output = *numerics::MakeRequantizeRecord(128.0);  // s_out = 1 / 128
  numerics::SoftmaxParams sm16;
  sm16.exp_lut = *numerics::Fit(exp_fn, s16_in, 1.0 / 32767, numerics::DividePoints::kEvenly,
                                numerics::SegmentLutMirror::kNone);
  sm16.reciprocal_table = numerics::MakeReciprocalTable();
  sm16.output = *numerics::MakeRequantizeRecord(32767.0);
  const numerics::LayerNormParams ln6 = MakeLayerNorm(kC, s8_in, 1.0 / 32);
  const numerics::LayerNormParams ln4 = MakeLayerNorm(kP, s8_in, 1.0 / 32);
  Append(t.params, isa::PackSoftmaxParam(sm8));    // 0
  Append(t.params, isa::PackSoftmaxParam(sm16));   // 1568
  Append(t.params, isa::PackLayerNormParam(ln6));  // 3552
  Append(t.params, isa::PackLayerNormParam(ln4));  // 4448, ends at 5312 = 332 x 16

  std::vector<int64_t> x8, x16;
  for (int p = 0; p < kP; ++p) {
    for (int c = 0; c < kC; ++c) {
      x8.push_back(p == 0 ? 5 : ((p * 37 + c * 53) % 256) - 128);
      x16.push_back(((p * 7919 + c * 12553) % 65536) - 32768);
    }
  }
  for (int64_t v : x8) Put8(t.input, static_cast<int8_t>(v));
  for (int64_t v : x16) Put16(t.input, static_cast<int16_t>(v));
  std::vector<int64_t> y(kP * kC);
  auto put8 = [&] {
    for (int64_t v : y) Put8(t.expected, static_cast<int8_t>(v));
  };
  numerics::Softmax(sm8, x8.data(), kP, kC, 1, -128, 127, y.data());
  put8();
  numerics::Softmax(sm8, x8.data(), 1, kP, kC, -128, 127, y.data());
  put8();
  numerics::LayerNorm(ln6, x8.data(), kP, kC, -128, 127, y.data());
  put8();
  std::vector<int64_t> col(kP * kC), ycol(kP * kC);
  for (int p = 0; p < kP; ++p)
    for (int c = 0; c < kC; ++c) col[c * kP + p] = x8[p * kC + c];
  numerics::LayerNorm(ln4, col.data(), kC, kP, -128, 127, ycol.data());
  for (int p = 0; p < kP; ++p)
    for (int c = 0; c < kC; ++c) y[p * kC + c] = ycol[c * kP + p];
  put8();
  numerics::Softmax(sm16, x16.data(), 1, kP, kC, -32768, 32767, y.data());
  for (int64_t v : y) Put16(t.expected, static_cast<int16_t>(v));
  numerics::LayerNorm(ln6, x16.data(), kP, kC, -32768, 32767, y.data());
  for (int64_t v : y) Put16(t.expected, static_cast<int16_t>(v));
  t.covers = {"Softmax", "SoftmaxExp", "LayerNorm"};
  return t;
}

}  // namespace openbpu::sim::testing
