// The runtime's hybrid section without the compiler: a hand-built hybrid model around ResNet-18's
// layer1 conv (runtime/test_model.h) -- a CPU segment quantizes the float input
// (QuantizeLinear), the BPU segment runs the conv, a CPU segment dequantizes and applies Relu --
// checked against the program's golden output; then bad segments (unknown op, value read before
// it is defined, a kernel output of another type than recorded, a hostile value size) are clear
// errors, and concurrent runs agree.
#include <cstring>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hbm/hbm.h"
#include "hbm/segment.h"
#include "proto/hbm.pb.h"
#include "runtime/runtime.h"
#include "runtime/test_model.h"

namespace openbpu::runtime {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kC = 64, kH = 56, kW = 56;
constexpr float kScale = 0.5f;  // the test model's input and output scale

hbm::Payload HybridPayload() { return testing::HybridLayer1Payload(); }

absl::StatusOr<std::unique_ptr<Package>> LoadPayload(const hbm::Payload& p) {
  absl::StatusOr<std::vector<uint8_t>> bytes = hbm::WriteHbm(p);
  if (!bytes.ok()) return bytes.status();
  return Package::LoadMemory(*bytes);
}

// The golden input (int8 NHWC) as the float NCHW tensor it quantizes back from exactly.
Tensor Input() {
  const std::vector<uint8_t>& q = testing::Layer1Conv().input;
  Tensor x(DType::kFloat32, {1, kC, kH, kW});
  for (int64_t c = 0; c < kC; ++c)
    for (int64_t p = 0; p < kH * kW; ++p) {
      x.data<float>()[c * kH * kW + p] = static_cast<int8_t>(q[p * kC + c]) * kScale;
    }
  return x;
}

float Expected(int64_t c, int64_t p) {
  const int8_t q = static_cast<int8_t>(testing::Layer1Conv().expected[p * kC + c]);
  return std::max(0.f, q * kScale);
}

TEST(Hybrid, QuantizeConvDequantizeReluEqualsTheGoldenOutput) {
  absl::StatusOr<std::unique_ptr<Package>> pkg = LoadPayload(HybridPayload());
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  const Model& model = *(*pkg)->models()[0];
  ASSERT_EQ(model.inputs().size(), 1u);
  EXPECT_EQ(model.inputs()[0].dtype, DType::kFloat32);
  RunStats stats;
  absl::StatusOr<std::vector<Tensor>> out = model.Run({Input()}, {Backend::kBoth}, &stats);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 1u);
  int64_t mismatches = 0;
  for (int64_t c = 0; c < kC; ++c)
    for (int64_t p = 0; p < kH * kW; ++p) {
      mismatches += (*out)[0].data<float>()[c * kH * kW + p] != Expected(c, p);
    }
  EXPECT_EQ(mismatches, 0);
  ASSERT_EQ(stats.segments.size(), 3u);
  EXPECT_FALSE(stats.segments[0].bpu);
  EXPECT_TRUE(stats.segments[1].bpu);
  EXPECT_GT(stats.segments[1].cycles, 0u);
  EXPECT_EQ(stats.cycles, stats.segments[1].cycles);  // host time is never added to cycles
  EXPECT_GT(stats.segments[0].host_us, 0.0);
  EXPECT_DOUBLE_EQ(stats.host_us, stats.segments[0].host_us + stats.segments[2].host_us);
  EXPECT_THAT(stats.report, HasSubstr("host time"));
  EXPECT_THAT(stats.report, HasSubstr("not added to the BPU time"));
  // Timing only: BPU cycles modeled, CPU segments still timed (on zeros), no outputs.
  RunStats perf;
  absl::StatusOr<std::vector<Tensor>> none = model.Run({Input()}, {Backend::kTiming}, &perf);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(perf.cycles, stats.cycles);
  EXPECT_THAT(perf.report, HasSubstr("zero inputs"));
}

TEST(Hybrid, ConcurrentRunsAgree) {
  absl::StatusOr<std::unique_ptr<Package>> pkg = LoadPayload(HybridPayload());
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  const Model& model = *(*pkg)->models()[0];
  const Tensor x = Input();
  std::vector<std::vector<Tensor>> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      absl::StatusOr<std::vector<Tensor>> out = model.Run({x});
      if (out.ok()) results[t] = *std::move(out);
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < 4; ++t) {
    ASSERT_EQ(results[t].size(), 1u) << "thread " << t;
    EXPECT_TRUE(results[t][0] == results[0][0]) << "thread " << t;
  }
}

TEST(Hybrid, BadSegmentsAreClearErrors) {
  {  // an op the runtime has no kernel for
    hbm::Payload p = HybridPayload();
    p.mutable_models(0)->mutable_segments(2)->mutable_cpu()->mutable_nodes(1)->set_op("NoSuchOp");
    absl::StatusOr<std::unique_ptr<Package>> pkg = LoadPayload(p);
    ASSERT_FALSE(pkg.ok());
    EXPECT_THAT(pkg.status().message(), HasSubstr("no float kernel for op 'NoSuchOp'"));
  }
  {  // a node reads a value nothing defines
    hbm::Payload p = HybridPayload();
    p.mutable_models(0)->mutable_segments(2)->mutable_cpu()->mutable_nodes(1)->set_inputs(0,
                                                                                          "ghost");
    absl::StatusOr<std::unique_ptr<Package>> pkg = LoadPayload(p);
    ASSERT_FALSE(pkg.ok());
    EXPECT_THAT(pkg.status().message(), HasSubstr("reads 'ghost' before it is defined"));
  }
  {  // the recorded type of a node output differs from what its kernel makes: a run error
    hbm::Payload p = HybridPayload();
    hbm::CpuSegment* cpu = p.mutable_models(0)->mutable_segments(2)->mutable_cpu();
    for (hbm::ValueType& t : *cpu->mutable_values()) {
      if (t.name() == "yf") t.set_shape(1, 32);
    }
    absl::StatusOr<std::unique_ptr<Package>> pkg = LoadPayload(p);
    ASSERT_TRUE(pkg.ok()) << pkg.status();
    absl::StatusOr<std::vector<Tensor>> out = (*pkg)->models()[0]->Run({Input()});
    ASSERT_FALSE(out.ok());
    EXPECT_THAT(out.status().message(), HasSubstr("segment 'cpu2'"));
    EXPECT_THAT(out.status().message(), HasSubstr("output 'yf'"));
  }
  {  // a constant whose bytes do not match its shape
    hbm::Payload p = HybridPayload();
    p.mutable_models(0)->mutable_segments(0)->mutable_cpu()->mutable_constants(0)->set_data("abc");
    absl::StatusOr<std::unique_ptr<Package>> pkg = LoadPayload(p);
    ASSERT_FALSE(pkg.ok());
    EXPECT_THAT(pkg.status().message(), HasSubstr("constant 'scale'"));
  }
  {  // a value type of absurd size
    hbm::Payload p = HybridPayload();
    hbm::CpuSegment* cpu = p.mutable_models(0)->mutable_segments(2)->mutable_cpu();
    cpu->mutable_values(1)->set_shape(1, int64_t{1} << 40);
    absl::StatusOr<std::unique_ptr<Package>> pkg = LoadPayload(p);
    ASSERT_FALSE(pkg.ok());
    EXPECT_THAT(pkg.status().message(), HasSubstr("elements"));
  }
  {  // a model output no segment computes
    hbm::Payload p = HybridPayload();
    p.mutable_models(0)->mutable_outputs(0)->set_value("nowhere");
    absl::StatusOr<std::unique_ptr<Package>> pkg = LoadPayload(p);
    ASSERT_FALSE(pkg.ok());
    EXPECT_THAT(pkg.status().message(), HasSubstr("computed by no segment"));
  }
  {  // a BPU segment input that is defined later
    hbm::Payload p = HybridPayload();
    p.mutable_models(0)->mutable_segments(1)->mutable_bpu()->mutable_inputs(0)->set_value("yf");
    absl::StatusOr<std::unique_ptr<Package>> pkg = LoadPayload(p);
    ASSERT_FALSE(pkg.ok());
    EXPECT_THAT(pkg.status().message(), HasSubstr("not defined by a model input or an earlier"));
  }
}

TEST(Hybrid, WrongInputIsAClearError) {
  absl::StatusOr<std::unique_ptr<Package>> pkg = LoadPayload(HybridPayload());
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  absl::StatusOr<std::vector<Tensor>> out =
      (*pkg)->models()[0]->Run({Tensor(DType::kFloat32, {1, 3, 8, 8})});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("input 'x'"));
}

}  // namespace
}  // namespace openbpu::runtime
