// The runtime on a real program without the compiler: ResNet-18's layer1 3x3 conv (the
// simulator's hand-written, hand-checked test program, 56x56x64 -> 64 on bernoulli2) packed into an
// .hbm with its descriptors. Loading, descriptors, raw and float runs, the three backends, bad
// input, and one loaded model run from 8 threads against a serial run (under ThreadSanitizer
// with --config=tsan: `tsan: N runs, 0 races`).
#include "runtime/runtime.h"

#include <cstdio>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hbm/hbm.h"
#include "isa/program.h"
#include "proto/hbm.pb.h"
#include "runtime/section.h"
#include "runtime/test_model.h"
#include "simulator/simulator.h"
#include "simulator/test_programs.h"

namespace openbpu::runtime {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kH = 56, kW = 56, kC = 64;

struct Fixture {
  sim::testing::TestProgram t = sim::testing::ResNetConvLayer();
  std::vector<uint8_t> hbm = testing::Layer1Conv().hbm;
};
const Fixture& F() {
  static const Fixture* f = new Fixture;
  return *f;
}

std::unique_ptr<Package> Load() {
  absl::StatusOr<std::unique_ptr<Package>> pkg = Package::LoadMemory(F().hbm);
  EXPECT_TRUE(pkg.ok()) << pkg.status();
  return pkg.ok() ? *std::move(pkg) : nullptr;
}

TEST(Runtime, LoadsAndDescribes) {
  std::unique_ptr<Package> pkg = Load();
  ASSERT_NE(pkg, nullptr);
  EXPECT_EQ(pkg->march(), "bernoulli2");
  EXPECT_EQ(pkg->model_names(), std::vector<std::string>{"layer1_conv"});
  absl::StatusOr<const Model*> model = pkg->GetModel("layer1_conv");
  ASSERT_TRUE(model.ok());
  ASSERT_EQ((*model)->inputs().size(), 1u);
  const TensorInfo& x = (*model)->inputs()[0];
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(x.dtype, DType::kInt8);
  EXPECT_EQ(x.valid_shape, (Shape{1, kC, kH, kW}));
  EXPECT_EQ(x.aligned_shape, (Shape{1, kH, kW, kC}));  // NHWC: channels last
  EXPECT_EQ(x.layout, Layout::kNHWC);
  EXPECT_EQ(x.quant_type, QuantType::kScale);
  EXPECT_EQ(x.scales, std::vector<float>{0.5f});
  EXPECT_EQ(x.bytes, static_cast<uint64_t>(kH * kW * kC));
  absl::StatusOr<const Model*> missing = pkg->GetModel("resnet");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("has no model 'resnet' (it has: layer1_conv)"));
  EXPECT_THAT(SectionTypes(), ::testing::Contains(std::string(kBpuProgramSection)));
}

// Raw bytes in, the hand-checked golden out; float in (q x 0.5 in NCHW order), the golden x 0.5
// out, in NCHW order; timing backends give the simulator's cycles.
TEST(Runtime, RawFloatAndTimingRuns) {
  std::unique_ptr<Package> pkg = Load();
  ASSERT_NE(pkg, nullptr);
  const Model* model = pkg->models()[0].get();
  const sim::testing::TestProgram& t = F().t;
  absl::StatusOr<std::vector<std::vector<uint8_t>>> raw = model->RunRaw({t.input});
  ASSERT_TRUE(raw.ok()) << raw.status();
  ASSERT_EQ(raw->size(), 1u);
  EXPECT_EQ((*raw)[0], t.expected);

  Tensor x(DType::kFloat32, {1, kC, kH, kW});
  for (int64_t c = 0; c < kC; ++c)
    for (int64_t p = 0; p < kH * kW; ++p)
      x.data<float>()[c * kH * kW + p] = 0.5f * static_cast<int8_t>(t.input[p * kC + c]);
  RunStats stats;
  absl::StatusOr<std::vector<Tensor>> y = model->Run({x}, {Backend::kBoth}, &stats);
  ASSERT_TRUE(y.ok()) << y.status();
  ASSERT_EQ(y->size(), 1u);
  int64_t bad = 0;
  for (int64_t c = 0; c < kC; ++c)
    for (int64_t p = 0; p < kH * kW; ++p)
      bad += (*y)[0].data<float>()[c * kH * kW + p] !=
             0.5f * static_cast<int8_t>(t.expected[p * kC + c]);
  EXPECT_EQ(bad, 0);
  EXPECT_GT(stats.cycles, 0u);
  EXPECT_FALSE(stats.layers.empty());

  // The timing backend: no outputs, the same cycles as running the simulator directly.
  RunStats perf;
  absl::StatusOr<std::vector<Tensor>> none = model->Run({x}, {Backend::kTiming}, &perf);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  absl::StatusOr<isa::Program> program = sim::testing::Build(t);
  ASSERT_TRUE(program.ok());
  sim::SimulatorOptions so;
  so.run.mode = sim::Mode::kPerf;
  absl::StatusOr<sim::RunResult> direct = sim::Simulate(*program, so);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(perf.cycles, direct->stats.total_cycles);
  EXPECT_EQ(stats.cycles, direct->stats.total_cycles);
  std::printf("runtime: layer1_conv bernoulli2 %llu cycles, %.1f us, %zu layer(s)\n",
              static_cast<unsigned long long>(perf.cycles), perf.latency_us, perf.layers.size());
}

TEST(Runtime, BadInputsAreClearErrors) {
  std::unique_ptr<Package> pkg = Load();
  ASSERT_NE(pkg, nullptr);
  const Model* model = pkg->models()[0].get();
  const std::vector<uint8_t> short_input(100);
  absl::StatusOr<std::vector<std::vector<uint8_t>>> r = model->RunRaw({short_input});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("input 'x' is 200704 bytes; got 100"));
  r = model->RunRaw({});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("has 1 inputs; got 0"));
  absl::StatusOr<std::vector<Tensor>> f = model->Run({Tensor(DType::kFloat32, {1, 3, 56, 56})});
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(f.status().message(),
              HasSubstr("input 'x' must be float32 [1,64,56,56], got float32 [1,3,56,56]"));
  f = model->Run({Tensor(DType::kInt8, {1, kC, kH, kW})});
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(f.status().message(), HasSubstr("must be float32"));

  // Corrupt files: truncated, a flipped bit (CRC), a wrong version.
  std::vector<uint8_t> file = F().hbm;
  std::vector<uint8_t> cut(file.begin(), file.begin() + static_cast<long>(file.size() / 2));
  EXPECT_FALSE(Package::LoadMemory(cut).ok());
  std::vector<uint8_t> flipped = file;
  flipped[file.size() / 3] ^= 0x10;
  absl::StatusOr<std::unique_ptr<Package>> bad = Package::LoadMemory(flipped);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("CRC"));
  std::vector<uint8_t> version = file;
  version[4] = 9;
  bad = Package::LoadMemory(version);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("version"));
  absl::StatusOr<std::unique_ptr<Package>> nofile = Package::LoadFile("/nonexistent/x.hbm");
  ASSERT_FALSE(nofile.ok());
  EXPECT_THAT(nofile.status().message(), HasSubstr("cannot open /nonexistent/x.hbm"));
}

// A payload written without WriteHbm's validation (prefix, payload, correct CRC): what a buggy or
// hostile writer could produce.
std::vector<uint8_t> RawHbm(const hbm::Payload& p) {
  const std::string body = p.SerializeAsString();
  return hbm::FrameHbm(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(body.data()), body.size()));
}

// Files that pass the CRC but not the checks behind it: the wrong march in the header, an unknown
// march, a descriptor whose shape does not match its buffer, a program that does not parse.
TEST(Runtime, ValidFramingBadContentIsAClearError) {
  absl::StatusOr<hbm::Payload> good = hbm::ReadHbm(F().hbm);
  ASSERT_TRUE(good.ok()) << good.status();
  ASSERT_TRUE(Package::LoadMemory(RawHbm(*good)).ok());
  struct Case {
    std::function<void(hbm::Payload&)> edit;
    const char* want;
  };
  const std::vector<Case> cases = {
      {[](hbm::Payload& p) { p.mutable_header()->set_march("bayes"); }, "march"},
      {[](hbm::Payload& p) { p.mutable_header()->set_march("x9"); }, "x9"},
      {[](hbm::Payload& p) { p.mutable_models(0)->mutable_inputs(0)->set_ddr_bytes(100); },
       "input 0 'x'"},
      {[](hbm::Payload& p) { p.mutable_models(0)->mutable_outputs(0)->set_valid_shape(1, 65); },
       "output 0 'y'"},
      {[](hbm::Payload& p) { p.mutable_models(0)->set_program("not a program"); },
       "program does not parse"},
      {[](hbm::Payload& p) { p.clear_models(); }, "model"},
  };
  for (const Case& c : cases) {
    hbm::Payload p = *good;
    c.edit(p);
    absl::StatusOr<std::unique_ptr<Package>> pkg = Package::LoadMemory(RawHbm(p));
    ASSERT_FALSE(pkg.ok()) << c.want;
    EXPECT_THAT(pkg.status().message(), HasSubstr(c.want)) << pkg.status();
  }
}

// One loaded model, 8 threads, each running its own inputs (the golden input with a per-thread
// bit pattern), every output compared with the serial run of the same input.
TEST(Runtime, EightThreadsMatchSerialRuns) {
  std::unique_ptr<Package> pkg = Load();
  ASSERT_NE(pkg, nullptr);
  const Model* model = pkg->models()[0].get();
  constexpr int kThreads = 8;
#if defined(__SANITIZE_THREAD__)
  constexpr int kRunsPerThread = 1;  // ThreadSanitizer: ~10x slower
#else
  constexpr int kRunsPerThread = 2;
#endif
  std::vector<std::vector<uint8_t>> inputs, serial;
  for (int k = 0; k < kThreads; ++k) {
    std::vector<uint8_t> in = F().t.input;
    for (size_t i = 0; i < in.size(); ++i) in[i] ^= static_cast<uint8_t>((k * 37 + i) & 0x7);
    absl::StatusOr<std::vector<std::vector<uint8_t>>> out = model->RunRaw({in});
    ASSERT_TRUE(out.ok()) << out.status();
    inputs.push_back(in);
    serial.push_back((*out)[0]);
  }
  std::vector<int> mismatches(kThreads, 0), failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int k = 0; k < kThreads; ++k) {
    threads.emplace_back([&, k] {
      for (int r = 0; r < kRunsPerThread; ++r) {
        const int which = (k + r) % kThreads;
        absl::StatusOr<std::vector<std::vector<uint8_t>>> out =
            model->RunRaw({inputs[which]}, {r % 2 ? Backend::kBoth : Backend::kFunctional});
        if (!out.ok()) {
          ++failures[k];
          continue;
        }
        mismatches[k] += (*out)[0] != serial[which];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  int bad = 0, failed = 0;
  for (int k = 0; k < kThreads; ++k) {
    bad += mismatches[k];
    failed += failures[k];
  }
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(bad, 0);
  // Under ThreadSanitizer a race fails the test (halt_on_error); reaching here means none.
#if defined(__SANITIZE_THREAD__)
  std::printf("tsan: %d runs, 0 races (%d mismatches)\n", kThreads * kRunsPerThread, bad);
#else
  std::printf("threads: %d runs on %d threads, %d mismatches with the serial runs\n",
              kThreads * kRunsPerThread, kThreads, bad);
#endif
}

}  // namespace
}  // namespace openbpu::runtime
