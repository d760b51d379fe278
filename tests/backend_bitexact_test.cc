// Whole models through the back end (issue 10): a float ONNX model is quantized by the driver,
// compiled by compiler/backend into one BPU program, and run on the simulator in `both` mode;
// its output must equal the quantized reference's, bit for bit. One line per run:
//   bit-exact: MODEL MARCH OPT elements=E mismatches=M (samples=S, instructions=I, cycles=C)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/npy.h"
#include "common/tensor.h"
#include "compiler/backend/compile.h"
#include "compiler/driver/quantize.h"
#include "compiler/reference/quantized_interpreter.h"
#include "gtest/gtest.h"
#include "isa/march.h"
#include "simulator/simulator.h"
#include "tests/backend_run.h"
#include "tests/nhwc.h"

namespace openbpu {
namespace {

using test_util::NhwcBytes;

std::string DataDir() { return test_util::ModelDataDir(); }

// The runs (O0, O2, and O2 over two cores on a two-core march); empty on failure.
std::vector<test_util::BitExactRun> RunModel(const std::string& name, const std::string& onnx,
                                             const std::string& calib, const Tensor& samples,
                                             int count, const std::string& march,
                                             const test_util::QuantizeExtras& extras = {}) {
  absl::StatusOr<std::vector<test_util::BitExactRun>> runs =
      test_util::RunBitExact(name, onnx, calib, samples, count, march, extras);
  EXPECT_TRUE(runs.ok()) << name << " " << march << ": " << runs.status();
  if (!runs.ok() || runs->size() < 2) {
    ADD_FAILURE() << name << " " << march << ": fewer than two runs";
    return {};
  }
  for (const test_util::BitExactRun& run : *runs) {
    std::printf("%s\n", run.line.c_str());
    EXPECT_GT(run.elements, 0);
    EXPECT_EQ(run.mismatches, 0) << name << " " << march << " " << run.opt;
    // Never faster than physics: MACs at peak, DDR bytes at peak (issue 14).
    std::printf(
        "roofline: %s %s %s modeled=%llu bound=%llu (%llu MACs, %llu DDR bytes) x%.2f\n",
        name.c_str(), march.c_str(), run.opt.c_str(), static_cast<unsigned long long>(run.cycles),
        static_cast<unsigned long long>(run.roofline_cycles),
        static_cast<unsigned long long>(run.macs), static_cast<unsigned long long>(run.ddr_bytes),
        run.roofline_cycles > 0 ? static_cast<double>(run.cycles) / run.roofline_cycles : 0.0);
    EXPECT_GT(run.roofline_cycles, 0u);
    EXPECT_GE(run.cycles, run.roofline_cycles)
        << name << " " << march << " " << run.opt << ": modeled faster than the roofline";
  }
  // O2 overlaps units: never slower than the serial chain (cycles of the last sample, `both`).
  EXPECT_LE((*runs)[1].cycles, (*runs)[0].cycles) << name << " " << march << ": O2 slower than O0";
  // Two cores only split what the roofline says pays: never slower than one.
  if (runs->size() > 2) {
    EXPECT_LE((*runs)[2].cycles, (*runs)[1].cycles)
        << name << " " << march << ": two cores slower than one";
  }
  return *std::move(runs);
}

TEST(BackendBitExact, DigitsCnnEveryMarch) {
  const std::string dir = DataDir();
  absl::StatusOr<Tensor> x = ReadNpy(dir + "digits_test_x.npy");
  ASSERT_TRUE(x.ok()) << x.status();
  for (const char* march : {"bernoulli2", "bayes", "bayes-e"}) {
    RunModel("digits", dir + "digits.onnx", dir + "digits_calib.npy", *x, 16, march);
  }
}

// --batch: the digits CNN compiled for 4 images per run; one run of 4 held-out samples must
// equal the quantized reference run on the same batch.
TEST(BackendBitExact, DigitsBatch4) {
  const std::string dir = DataDir();
  absl::StatusOr<Tensor> x = ReadNpy(dir + "digits_test_x.npy");
  ASSERT_TRUE(x.ok()) << x.status();
  driver::QuantizeOptions q;
  // Bit-exactness does not depend on how the scales and weights were chosen: the PTQ
  // methods' search (tests:quant_model_test measures it) stays off for speed.
  q.select_observer = false;
  q.adaround = false;
  q.model = dir + "digits.onnx";
  q.calibration_data = dir + "digits_calib.npy";
  q.march = "bayes";
  q.progress = nullptr;
  absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(q);
  ASSERT_TRUE(quantized.ok()) << quantized.status();
  backend::CompileOptions options;
  options.march = "bayes";
  options.batch = 4;
  absl::StatusOr<backend::CompiledModel> model = backend::Compile(*quantized->graph, options);
  ASSERT_TRUE(model.ok()) << model.status();
  absl::StatusOr<std::unique_ptr<ir::Graph>> batched = backend::Rebatch(*quantized->graph, 4);
  ASSERT_TRUE(batched.ok()) << batched.status();
  Shape shape = x->shape();
  shape[0] = 4;
  Tensor four(DType::kFloat32, shape);
  std::memcpy(four.raw(), x->raw(), four.num_elements() * sizeof(float));
  absl::StatusOr<std::map<std::string, reference::QuantizedValue>> values =
      reference::RunQuantizedAllValues(**batched, {four});
  ASSERT_TRUE(values.ok()) << values.status();
  absl::StatusOr<const isa::March*> m = isa::FindMarch("bayes");
  ASSERT_TRUE(m.ok());
  absl::StatusOr<std::unique_ptr<sim::Simulator>> sim =
      sim::Simulator::Create(model->program, **m, sim::SimulatorOptions{});
  ASSERT_TRUE(sim.ok()) << sim.status();
  ASSERT_TRUE((*sim)
                  ->WriteRegion(isa::Region::kInput, model->inputs[0].offset,
                                NhwcBytes(values->at(model->inputs[0].value).tensor))
                  .ok());
  absl::StatusOr<sim::RunResult> run = (*sim)->Run();
  ASSERT_TRUE(run.ok()) << run.status();
  const std::vector<uint8_t> want = NhwcBytes(values->at(model->outputs[0].value).tensor);
  std::vector<uint8_t> got(model->outputs[0].bytes);
  ASSERT_TRUE(
      (*sim)->ReadRegion(isa::Region::kOutput, model->outputs[0].offset, absl::MakeSpan(got)).ok());
  ASSERT_EQ(got.size(), want.size());
  int64_t mismatches = 0;
  for (size_t i = 0; i < got.size(); ++i) mismatches += got[i] != want[i];
  std::printf("bit-exact: digits bayes O0 batch=4 elements=%zu mismatches=%lld (cycles=%llu)\n",
              got.size(), static_cast<long long>(mismatches),
              static_cast<unsigned long long>(run->stats.total_cycles));
  EXPECT_EQ(got.size(), 160u);  // 4 samples x 10 logits, int32 (high-precision output)
  EXPECT_EQ(mismatches, 0);
}

// ResNet-18 at 224x224 (the ptq/ model with BatchNorm statistics from the calibration photos),
// calibrated on the 32 photo crops, one test crop per march.
TEST(BackendBitExact, ResNet18EveryMarch) {
  const std::string dir = DataDir();
  absl::StatusOr<Tensor> x = ReadNpy(dir + "test/000.npy");
  ASSERT_TRUE(x.ok()) << x.status();
  for (const char* march : {"bernoulli2", "bayes", "bayes-e"}) {
    const std::vector<test_util::BitExactRun> runs =
        RunModel("resnet18", dir + "ptq/resnet18.onnx", dir + "calib", *x, 1, march);
    if (runs.size() < 3) continue;
    // --core-num 2 on bernoulli2, where the convolutions are compute-bound: split over both cores
    // they beat one core's O2 (with its on-chip chains), though the cores share one DDR channel.
    // On bayes they are DDR-bound and stay on one core (RunModel: never slower).
    std::printf("cores: resnet18 %s O2 1 core %llu cycles, 2 cores %llu cycles (x%.2f)\n", march,
                static_cast<unsigned long long>(runs[1].cycles),
                static_cast<unsigned long long>(runs[2].cycles),
                static_cast<double>(runs[1].cycles) / static_cast<double>(runs[2].cycles));
    if (std::string(march) == "bernoulli2") {
      EXPECT_LT(runs[2].cycles, runs[1].cycles) << march;
    }
  }
}

// MobileNetV2: depthwise (grouped) convolutions, ReLU6, linear bottlenecks with residuals.
TEST(BackendBitExact, MobileNetV2EveryMarch) {
  const std::string dir = DataDir();
  absl::StatusOr<Tensor> x = ReadNpy(dir + "test/000.npy");
  ASSERT_TRUE(x.ok()) << x.status();
  for (const char* march : {"bernoulli2", "bayes", "bayes-e"}) {
    RunModel("mobilenet_v2", dir + "ptq/mobilenet_v2.onnx", dir + "calib", *x, 1, march);
  }
}

// EfficientNet-B0: depthwise convolutions, SiLU (Sigmoid then Mul), squeeze-and-excitation
// (global pool, 1x1 convs, a per-channel Mul), residual Adds.
TEST(BackendBitExact, EfficientNetB0EveryMarch) {
  const std::string dir = DataDir();
  absl::StatusOr<Tensor> x = ReadNpy(dir + "test/000.npy");
  ASSERT_TRUE(x.ok()) << x.status();
  for (const char* march : {"bernoulli2", "bayes", "bayes-e"}) {
    RunModel("efficientnet_b0", dir + "ptq/efficientnet_b0.onnx", dir + "calib", *x, 1, march);
  }
}

// ShuffleNetV2: channel split (Split or Slice), channel shuffle (Reshape, Transpose, Reshape) and
// concats, all data movement on the DMA. bernoulli2's op table runs no Transpose but runs
// ChannelShuffle: the march rewrite (compiler/passes/march_rewrites.h) makes each shuffle one
// ChannelShuffle there. (Seeded random weights with BatchNorm statistics from noise, calibrated on
// the photo crops.)
TEST(BackendBitExact, ShuffleNetV2EveryMarch) {
  const std::string dir = DataDir();
  absl::StatusOr<Tensor> x = ReadNpy(dir + "test/000.npy");
  ASSERT_TRUE(x.ok()) << x.status();
  for (const char* march : {"bernoulli2", "bayes", "bayes-e"}) {
    RunModel("shufflenet_v2_x1_0", dir + "shufflenet_v2_x1_0.onnx", dir + "calib", *x, 1, march);
  }
}

// The ISA 1.1 issue's YOLO-style detector: stride-2 conv backbone with SiLU, nearest upsample and
// concat neck, three sigmoid heads (three outputs), on every march.
// bpu quantize --unify-concat-scales: the neck's concats no longer requantize, and every concat
// input is written by its producer (a resize, a SiLU's Mul) straight into its channel slice of the
// concat's output; the backbone features that also feed the next stage are read from that slice
// in place by its conv (tae.pitch). With the ISA 1.1 operand pitches the neck (its Resize and
// Concat layers) needs no aae.move at all; without them (bpu compile --no-operand-pitches) it
// copies through tiles. Every variant bit-exact; the moves saved are printed.
TEST(BackendBitExact, YoloTinyUnifiedConcatScales) {
  const std::string dir = DataDir();
  absl::StatusOr<Tensor> x = ReadNpy(dir + "test/000.npy");
  ASSERT_TRUE(x.ok()) << x.status();
  test_util::QuantizeExtras unify;
  unify.unify_concat_scales = true;
  unify.multi_core = false;  // YoloTinyEveryMarch runs the two-core split
  absl::StatusOr<std::vector<test_util::BitExactRun>> unified = test_util::RunBitExact(
      "yolo_tiny(unified)", dir + "ptq/yolo_tiny.onnx", dir + "calib", *x, 1, "bayes", unify);
  ASSERT_TRUE(unified.ok()) << unified.status();
  test_util::QuantizeExtras no_pitch = unify;
  no_pitch.operand_pitches = false;
  absl::StatusOr<std::vector<test_util::BitExactRun>> copied =
      test_util::RunBitExact("yolo_tiny(unified, no operand pitches)", dir + "ptq/yolo_tiny.onnx",
                             dir + "calib", *x, 1, "bayes", no_pitch);
  ASSERT_TRUE(copied.ok()) << copied.status();
  test_util::QuantizeExtras one_core;
  one_core.multi_core = false;
  absl::StatusOr<std::vector<test_util::BitExactRun>> plain = test_util::RunBitExact(
      "yolo_tiny", dir + "ptq/yolo_tiny.onnx", dir + "calib", *x, 1, "bayes", one_core);
  ASSERT_TRUE(plain.ok()) << plain.status();
  for (size_t i = 0; i < unified->size(); ++i) {
    const test_util::BitExactRun& run = (*unified)[i];
    const test_util::BitExactRun& copy = (*copied)[i];
    std::printf("%s (plain: %zu instructions, %llu cycles)\n", run.line.c_str(),
                (*plain)[i].instructions, static_cast<unsigned long long>((*plain)[i].cycles));
    std::printf("%s\n", copy.line.c_str());
    EXPECT_GT(run.elements, 0);
    EXPECT_EQ(run.mismatches, 0) << run.opt;
    EXPECT_EQ(copy.mismatches, 0) << run.opt;
    EXPECT_LT(run.instructions, (*plain)[i].instructions) << run.opt;
    // The neck's two concats, two inputs each: the upsampled lateral (a resize) and the backbone
    // feature (a SiLU's Mul, also read by the next stage's conv).
    EXPECT_EQ(run.concat_inputs_in_place, 4) << run.opt;
    EXPECT_EQ(copy.concat_inputs_in_place, 4) << run.opt;
    EXPECT_EQ((*plain)[i].concat_inputs_in_place, 0) << run.opt;
    if (run.opt != "O2") continue;  // on-chip values (and so the pitches) are O2's
    std::printf(
        "neck-moves: yolo_tiny(unified) bayes O2: aae.move in the Resize/Concat layers %d -> %d, "
        "in the program %d -> %d with the ISA 1.1 operand pitches (%d operand tiles read and %d "
        "written in place; %zu -> %zu instructions, %llu -> %llu cycles)\n",
        copy.neck_moves, run.neck_moves, copy.moves, run.moves, run.in_place_reads,
        run.direct_writes, copy.instructions, run.instructions,
        static_cast<unsigned long long>(copy.cycles), static_cast<unsigned long long>(run.cycles));
    EXPECT_EQ(run.neck_moves, 0);
    EXPECT_GT(copy.neck_moves, 0);
    EXPECT_LT(run.moves, copy.moves);
    EXPECT_EQ(copy.in_place_reads + copy.direct_writes, 0);
    EXPECT_LT(run.cycles, copy.cycles);
  }
}

TEST(BackendBitExact, YoloTinyEveryMarch) {
  const std::string dir = DataDir();
  absl::StatusOr<Tensor> x = ReadNpy(dir + "test/000.npy");
  ASSERT_TRUE(x.ok()) << x.status();
  for (const char* march : {"bernoulli2", "bayes", "bayes-e"}) {
    RunModel("yolo_tiny", dir + "ptq/yolo_tiny.onnx", dir + "calib", *x, 1, march);
  }
}

// The ISA 1.1 issue's transformer: patch conv, LayerNorm, 4-head attention (MatMul q @ k^T,
// Softmax, MatMul att @ v on transposes and gathers of the qkv tokens), GELU MLP (Erf), linear
// layers on [1, 49, 64] tokens with fused residuals, the mean over tokens and a linear head; int8,
// and on bayes also with Softmax, LayerNormalization and Erf in int16 (bpu quantize --int16-ops).
// Its op table row for Transpose keeps it off bernoulli2.
TEST(BackendBitExact, VitTinyBayesAndBayesE) {
  const std::string dir = DataDir();
  absl::StatusOr<Tensor> x = ReadNpy(dir + "test/000.npy");
  ASSERT_TRUE(x.ok()) << x.status();
  for (const char* march : {"bayes", "bayes-e"}) {
    RunModel("vit_tiny", dir + "ptq/vit_tiny.onnx", dir + "calib", *x, 1, march);
  }
  test_util::QuantizeExtras int16;
  int16.int16_ops = {"Softmax", "LayerNormalization", "Erf"};
  RunModel("vit_tiny(int16 ops)", dir + "ptq/vit_tiny.onnx", dir + "calib", *x, 1, "bayes", int16);
}

}  // namespace
}  // namespace openbpu
