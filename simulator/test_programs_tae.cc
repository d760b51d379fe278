// The TAE test programs (with LOAD, VAE requantize and STORE around them): conv, matmul, the
// bayes int16-input conv, a double-buffered conv and ResNet-18's layer1 3x3 conv; each comment
// gives the hand computation of its golden.
#include <algorithm>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "isa/numerics/requantize.h"
#include "isa/records.h"
#include "simulator/test_programs_internal.h"

namespace openbpu::sim::testing {

// conv 2x2 over a 2x2x2 input, one output channel:
// 1*1 + 2*(-1) + 3*2 + 4*0 + 5*0 + 6*1 + 7*(-2) + 8*3 = 21; + bias 10 = 31; x 0.5 = 15.5
// -> 16 (round half up).
TestProgram ConvRequantProgram() {
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
  return t;
}

// matmul A[2][3] x B[2][3]^T, raw int32 accumulators stored from accumulator SRAM:
// [[1-3, 2+2], [4-6, 8+5]] = [[-2, 4], [-2, 13]].
TestProgram MatmulRawS32Program() {
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
  return t;
}

// ISA 1.2, two cores: MatmulRawS32Program split by rows of A, row i on core i; core 0's xsync
// then lets core 1 copy core 0's row (read back from DDR) to a third output row:
// [[-2, 4], [-2, 13], [-2, 4]].
TestProgram TwoCoreMatmulProgram() {
  TestProgram t;
  t.name = "two_core_matmul";
  t.assembly = R"(
.march bernoulli2
.cores 2
.ddr input=6 output=24 scratch=0
.layer 7 fc
load.shape elem=1 n0=3 n1=1 n2=1
load dst_space=feature dst=0 region=input offset=0 signal=1 layer=7
load.shape elem=1 n0=6 n1=1 n2=1
load dst_space=weight dst=0 region=param offset=0 signal=1 layer=7
tae.mmcfg m=1 k=3 n=2 a_dtype=s8 b_space=weight b_kn=0
tae.matmul a=0 b=0 acc=0 wait=1,1 signal=2 layer=7
store.shape elem=4 n0=2 n1=1 n2=1
store src_space=acc src=0 region=output offset=0 wait=2 layer=7
xsync unit=store core=1 sem=9 layer=7
end
load.shape elem=1 n0=3 n1=1 n2=1
load dst_space=feature dst=0 region=input offset=3 signal=1 layer=7
load.shape elem=1 n0=6 n1=1 n2=1
load dst_space=weight dst=0 region=param offset=0 signal=1 layer=7
tae.mmcfg m=1 k=3 n=2 a_dtype=s8 b_space=weight b_kn=0
tae.matmul a=0 b=0 acc=0 wait=1,1 signal=2 layer=7
store.shape elem=4 n0=2 n1=1 n2=1
store src_space=acc src=0 region=output offset=8 wait=2 layer=7
load.shape elem=1 n0=8 n1=1 n2=1
load dst_space=feature dst=64 region=output offset=0 wait=9 signal=3 layer=7
store.shape elem=1 n0=8 n1=1 n2=1
store src_space=feature src=64 region=output offset=16 wait=3 layer=7
end
)";
  t.params = {1, 0, 0xff, 2, 1, 0};
  t.input = {1, 2, 3, 4, 5, 6};
  for (int32_t v : {-2, 4, -2, 13, -2, 4}) Put32(t.expected, v);
  t.covers = {"GemmS8S32"};
  return t;
}

// bayes int16-input conv, 1x2 kernel over [1000, -30000] with weights [[3, -2], [1, 1]]:
// acc = [63000, -29000] (int64); requant ch0 x 0.5 = 31500, ch1 x 1 = -29000 (s16).
TestProgram Int16ConvBayesProgram() {
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
  return t;
}

// Double-buffered 1x1 conv over 4 tiles of 16 pixels x 16 channels: LOAD and TAE overlap,
// semaphores 1 (loaded) and 4 (buffer free, pre-granted twice by sync). Each output pixel
// is sum_c in[c] * w[c] with in = pixel index (all channels) and w = 1: 16 * p, requantized
// by 1/16 -> p.
TestProgram DoubleBufferedConvProgram() {
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
  return t;
}

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

// ISA 1.1 int16 x int16 matmul (bayes-e, tae.mmcfg b_dtype=s16): A[2][3] x B[2][3]^T into int64
// accumulators, B once dense [N][K] in weight SRAM, once [K][N] (b_kn) in feature SRAM, the
// second accumulated twice. A = [[30000, -32768, 7], [32767, 32767, -32768]], B = [[32767,
// 32767, -5], [32767, 32767, -32768]]: [[-90699091, -90928432], [2147516418, 3221094402]] (two
// sums beyond int32), doubled: [[-181398182, -181856864], [4295032836, 6442188804]].
TestProgram MatmulS16S16Program() {
  TestProgram t;
  t.name = "matmul_s16_s16_bayes_e";
  t.assembly = R"(
.march bayes-e
.ddr input=24 output=64 scratch=0
load.shape elem=2 n0=3 n1=2 n2=1
load.stride ddr_s1=6 ddr_s2=0 sram_s1=16 sram_s2=0
load dst_space=feature dst=0 region=input offset=0 signal=1
load.shape elem=2 n0=6 n1=1 n2=1
load dst_space=weight dst=0 region=param offset=0 signal=1
load.shape elem=2 n0=2 n1=3 n2=1
load.stride ddr_s1=4 ddr_s2=0 sram_s1=16 sram_s2=0
load dst_space=feature dst=64 region=input offset=12 signal=1
tae.mmcfg m=2 k=3 n=2 a_dtype=s16 b_space=weight b_kn=0 b_dtype=s16
tae.matmul a=0 b=0 acc=0 wait=1,1 signal=2
tae.mmcfg m=2 k=3 n=2 a_dtype=s16 b_space=feature b_kn=1 b_dtype=s16
tae.matmul a=0 b=64 acc=64 accumulate=0 wait=1
tae.matmul a=0 b=64 acc=64 accumulate=1 signal=3
store.shape elem=8 n0=2 n1=2 n2=1
store.stride ddr_s1=16 ddr_s2=0 sram_s1=16 sram_s2=0
store src_space=acc src=0 region=output offset=0 wait=2
store src_space=acc src=64 region=output offset=32 wait=3
end
)";
  for (int16_t v : {32767, 32767, -5, 32767, 32767, -32768}) Put16(t.params, v);
  PadTo(t.params, 16);
  for (int16_t v : {30000, -32768, 7, 32767, 32767, -32768}) Put16(t.input, v);
  // B^T: [k][n].
  for (int16_t v : {32767, 32767, 32767, 32767, -5, -32768}) Put16(t.input, v);
  for (int64_t v :
       {int64_t{-90699091}, int64_t{-90928432}, int64_t{2147516418}, int64_t{3221094402},
        int64_t{-181398182}, int64_t{-181856864}, int64_t{4295032836}, int64_t{6442188804}}) {
    for (int i = 0; i < 8; ++i) t.expected.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  t.covers = {"GemmS16S64"};
  return t;
}

}  // namespace openbpu::sim::testing
