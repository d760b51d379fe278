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
#include "absl/strings/str_split.h"
#include "common/npy.h"
#include "common/tensor.h"
#include "compiler/backend/compile.h"
#include "compiler/driver/quantize.h"
#include "compiler/reference/quantized_interpreter.h"
#include "gtest/gtest.h"
#include "isa/assembler.h"
#include "isa/march.h"
#include "simulator/simulator.h"
#include "tests/nhwc.h"

namespace openbpu {
namespace {

using test_util::NhwcBytes;

std::string DataDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/",
                      workspace != nullptr ? workspace : "openbpu", "/tests/models/");
}

// One sample of a batch tensor [N, ...] as [1, ...].
Tensor Sample(const Tensor& batch, int64_t i) {
  Shape shape = batch.shape();
  shape[0] = 1;
  Tensor t(batch.dtype(), shape);
  const int64_t bytes = t.num_elements() * static_cast<int64_t>(DTypeSize(t.dtype()));
  std::memcpy(t.raw(), static_cast<const uint8_t*>(batch.raw()) + i * bytes, bytes);
  return t;
}

void RunModel(const std::string& name, const std::string& onnx, const std::string& calib,
              const Tensor& samples, int count, const std::string& march) {
  driver::QuantizeOptions q;
  q.model = onnx;
  q.calibration_data = calib;
  q.march = march;
  q.progress = nullptr;
  absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(q);
  ASSERT_TRUE(quantized.ok()) << quantized.status();
  uint64_t o0_cycles = 0;
  for (const char* opt : {"O0", "O2"}) {
    backend::CompileOptions options;
    options.march = march;
    options.opt = opt;
    absl::StatusOr<backend::CompiledModel> model = backend::Compile(*quantized->graph, options);
    ASSERT_TRUE(model.ok()) << name << " " << march << ": " << model.status();
    ASSERT_EQ(model->inputs.size(), 1u);
    ASSERT_EQ(model->outputs.size(), 1u);
    absl::StatusOr<const isa::March*> m = isa::FindMarch(march);
    ASSERT_TRUE(m.ok());
    sim::SimulatorOptions sim_options;
    sim_options.run.mode = sim::Mode::kBoth;
    absl::StatusOr<std::unique_ptr<sim::Simulator>> sim =
        sim::Simulator::Create(model->program, **m, sim_options);
    ASSERT_TRUE(sim.ok()) << sim.status();
    if (const char* dump = std::getenv("OPENBPU_DUMP_PROGRAM")) {
      FILE* f = std::fopen(absl::StrCat(dump, "/", name, "_", march, ".s").c_str(), "w");
      if (f != nullptr) {
        std::fputs(isa::DisassembleProgram(model->program).c_str(), f);
        std::fclose(f);
      }
    }
    int64_t elements = 0, mismatches = 0;
    uint64_t cycles = 0;
    for (int i = 0; i < count; ++i) {
      const Tensor x = Sample(samples, i);
      absl::StatusOr<std::map<std::string, reference::QuantizedValue>> values =
          reference::RunQuantizedAllValues(*quantized->graph, {x});
      ASSERT_TRUE(values.ok()) << values.status();
      const Tensor& in = values->at(model->inputs[0].value).tensor;
      const Tensor& want = values->at(model->outputs[0].value).tensor;
      ASSERT_EQ(in.dtype(), model->inputs[0].dtype);
      ASSERT_EQ(want.dtype(), model->outputs[0].dtype);
      const absl::Status written =
          (*sim)->WriteRegion(isa::Region::kInput, model->inputs[0].offset, NhwcBytes(in));
      ASSERT_TRUE(written.ok()) << written;
      absl::StatusOr<sim::RunResult> run = (*sim)->Run();
      ASSERT_TRUE(run.ok()) << name << " " << march << ": " << run.status() << "\n"
                            << [&] {
                                 std::string text = isa::DisassembleProgram(model->program), out;
                                 for (absl::string_view l : absl::StrSplit(text, '\n')) {
                                   if (!absl::StartsWith(l, ".params"))
                                     absl::StrAppend(&out, l, "\n");
                                 }
                                 return out.substr(0, 2500);
                               }();
      cycles = run->stats.total_cycles;
      std::vector<uint8_t> got(model->outputs[0].bytes);
      const absl::Status read =
          (*sim)->ReadRegion(isa::Region::kOutput, model->outputs[0].offset, absl::MakeSpan(got));
      ASSERT_TRUE(read.ok()) << read;
      const std::vector<uint8_t> expected = NhwcBytes(want);
      ASSERT_EQ(got.size(), expected.size());
      const int64_t es = static_cast<int64_t>(DTypeSize(want.dtype()));
      for (size_t k = 0; k < got.size(); k += es) {
        ++elements;
        mismatches += std::memcmp(&got[k], &expected[k], es) != 0;
      }
    }
    std::printf(
        "bit-exact: %s %s %s elements=%lld mismatches=%lld (samples=%d, instructions=%zu, "
        "layers=%zu, cycles=%llu, scratch peak %llu of %llu bytes)\n",
        name.c_str(), march.c_str(), opt, static_cast<long long>(elements),
        static_cast<long long>(mismatches), count, model->program.instructions.size(),
        model->layers.size(), static_cast<unsigned long long>(cycles),
        static_cast<unsigned long long>(model->scratch_peak_bytes),
        static_cast<unsigned long long>(model->scratch_bytes_unplanned));
    EXPECT_GT(elements, 0);
    EXPECT_EQ(mismatches, 0) << name << " " << march << " " << opt;
    // O2 overlaps units: never slower than the serial chain (cycles of the last sample, `both`).
    if (std::string(opt) == "O0") o0_cycles = cycles;
    if (std::string(opt) == "O2") {
      EXPECT_LE(cycles, o0_cycles) << name << " " << march << ": O2 slower than O0";
    }
  }
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
  EXPECT_EQ(got.size(), 40u);
  EXPECT_EQ(mismatches, 0);
}

// ResNet-18 at 224x224 (the ptq/ model with BatchNorm statistics from the calibration photos),
// calibrated on the 32 photo crops, one test crop per march.
TEST(BackendBitExact, ResNet18EveryMarch) {
  const std::string dir = DataDir();
  absl::StatusOr<Tensor> x = ReadNpy(dir + "test/000.npy");
  ASSERT_TRUE(x.ok()) << x.status();
  for (const char* march : {"bernoulli2", "bayes", "bayes-e"}) {
    RunModel("resnet18", dir + "ptq/resnet18.onnx", dir + "calib", *x, 1, march);
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

}  // namespace
}  // namespace openbpu
