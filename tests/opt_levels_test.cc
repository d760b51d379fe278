// The opt levels (issue 14): O0, O1, O2 of the back end and the searches of compiler/tune (O3,
// fast, ddr, balance). The search is deterministic (the same program for any number of threads),
// picks by its objective, and rejects bad levels and factors; on small CI models every level is
// bit-exact and the levels are ordered in the timing model: cycles(O0) >= cycles(O1) >=
// cycles(O2) >= cycles(O3), cycles(fast) <= cycles(O2), DDR bytes(ddr) <= DDR bytes(fast).
// One line per model x march x level:
//   levels: MODEL MARCH OPT cycles=C ddr_bytes=B
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/npy.h"
#include "compiler/backend/compile.h"
#include "compiler/backend/hybrid.h"
#include "compiler/driver/quantize.h"
#include "compiler/tune/tune.h"
#include "gtest/gtest.h"
#include "isa/program.h"
#include "tests/backend_run.h"

namespace openbpu {
namespace {

std::unique_ptr<ir::Graph> QuantizeModel(const std::string& onnx, const std::string& calib,
                                         const std::string& march,
                                         std::vector<std::string> hybrid_ops = {},
                                         std::vector<std::string> hybrid_nodes = {}) {
  driver::QuantizeOptions q;
  // Bit-exactness does not depend on how the scales and weights were chosen: the PTQ
  // methods' search (tests:quant_model_test measures it) stays off for speed.
  q.select_observer = false;
  q.adaround = false;
  q.model = test_util::ModelDataDir() + onnx;
  q.calibration_data = test_util::ModelDataDir() + calib;
  q.march = march;
  q.progress = nullptr;
  q.hybrid_ops = std::move(hybrid_ops);
  q.hybrid_nodes = std::move(hybrid_nodes);
  absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(q);
  EXPECT_TRUE(quantized.ok()) << quantized.status();
  return quantized.ok() ? std::move(quantized->graph) : nullptr;
}

backend::CompileOptions Base(const std::string& march) {
  backend::CompileOptions base;
  base.march = march;
  base.opt = "O2";
  return base;
}

std::vector<uint8_t> Bytes(const isa::Program& program) {
  absl::StatusOr<std::vector<uint8_t>> bytes = isa::SerializeProgram(program);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : std::vector<uint8_t>{};
}

TEST(OptLevels, BadLevelsAndFactorsNameTheValidValues) {
  absl::Status st = tune::ValidateLevel("O4", 50);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "O0, O1, O2, O3, fast, ddr, balance")) << st;
  for (int factor : {-1, 101}) {
    st = tune::ValidateLevel("balance", factor);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(st.message(), "0 (pure DDR bytes) .. 100 (pure latency)")) << st;
  }
  EXPECT_TRUE(tune::ValidateLevel("balance", 0).ok());
  EXPECT_TRUE(tune::ValidateLevel("balance", 100).ok());
  for (const std::string& level : tune::AllLevels())
    EXPECT_TRUE(tune::ValidateLevel(level, 50).ok());

  std::unique_ptr<ir::Graph> graph = QuantizeModel("digits.onnx", "digits_calib.npy", "bayes");
  ASSERT_NE(graph, nullptr);
  tune::SearchOptions s;
  s.level = "fastest";
  EXPECT_EQ(tune::Search(*graph, Base("bayes"), s).status().code(),
            absl::StatusCode::kInvalidArgument);
  s.level = "balance";
  s.balance_factor = 200;
  EXPECT_EQ(tune::Search(*graph, Base("bayes"), s).status().code(),
            absl::StatusCode::kInvalidArgument);
  s.level = "O2";  // not a search
  s.balance_factor = 50;
  EXPECT_EQ(tune::Search(*graph, Base("bayes"), s).status().code(),
            absl::StatusCode::kInvalidArgument);
  // The back end compiles O0, O1, O2 only, and says where the searches are.
  backend::CompileOptions o3 = Base("bayes");
  o3.opt = "O3";
  st = backend::Compile(*graph, o3).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "O0, O1 or O2")) << st;
  backend::CompileOptions knob = Base("bayes");
  knob.knobs.pool_shift = 4;
  EXPECT_EQ(backend::Compile(*graph, knob).status().code(), absl::StatusCode::kInvalidArgument);

  // Search takes BPU-only graphs (SearchHybrid searches a hybrid model's segments).
  std::unique_ptr<ir::Graph> hybrid =
      QuantizeModel("digits.onnx", "digits_calib.npy", "bayes", {"FusedConv"});
  ASSERT_NE(hybrid, nullptr);
  ASSERT_TRUE(backend::NeedsHybrid(*hybrid));
  s.level = "O3";
  st = tune::Search(*hybrid, Base("bayes"), s).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "hybrid")) << st;
}

// Choose on made-up scores: each objective, ties to the lower index, failed candidates skipped.
TEST(OptLevels, ChooseByObjective) {
  std::vector<tune::Candidate> c(5);
  const uint64_t cycles[] = {100, 90, 90, 120, 10};
  const uint64_t bytes[] = {1000, 1200, 1100, 800, 1};
  for (int i = 0; i < 5; ++i) {
    c[i].index = i;
    c[i].cycles = cycles[i];
    c[i].ddr_bytes = bytes[i];
  }
  c[4].status = absl::ResourceExhaustedError("does not tile");
  EXPECT_EQ(tune::Choose(c, "fast", 50), 2);  // 90 cycles twice: fewer bytes
  EXPECT_EQ(tune::Choose(c, "O3", 50), 2);
  EXPECT_EQ(tune::Choose(c, "ddr", 50), 3);
  // Pure latency: 1 and 2 tie on the score (bytes weigh nothing): the lower index.
  EXPECT_EQ(tune::Choose(c, "balance", 100), 1);
  EXPECT_EQ(tune::Choose(c, "balance", 0), 3);  // pure DDR bytes
  // 50: 100/90 + 1000/800 = 2.36 (0), 1 + 1.375 (2), 1.33 + 1 = 2.33 (3): candidate 3.
  EXPECT_EQ(tune::Choose(c, "balance", 50), 3);
  c[1].ddr_bytes = 1100;  // now 1 and 2 tie on everything: the lower index
  EXPECT_EQ(tune::Choose(c, "fast", 50), 1);
  for (auto& x : c) x.status = absl::InternalError("x");
  EXPECT_EQ(tune::Choose(c, "fast", 50), -1);
}

// The same program for any --jobs, and each objective's pick is the best of the scored candidates.
TEST(OptLevels, SearchIsDeterministicAndPicksByObjective) {
  std::unique_ptr<ir::Graph> graph = QuantizeModel("ptq/yolo_tiny.onnx", "calib", "bayes");
  ASSERT_NE(graph, nullptr);
  const backend::CompileOptions base = Base("bayes");
  std::vector<tune::Candidate> candidates = tune::Candidates(base);
  ASSERT_GE(candidates.size(), 3u);
  EXPECT_EQ(candidates[0].label, "O2");  // O2's own configuration: the search never loses to O2
  EXPECT_EQ(candidates[0].options.knobs.pool_shift, -1);
  EXPECT_EQ(candidates[1].options.opt, "O1");
  for (const char* level : {"O3", "ddr"}) {
    tune::SearchOptions s;
    s.level = level;
    s.jobs = 1;
    absl::StatusOr<tune::SearchResult> one = tune::Search(*graph, base, s);
    ASSERT_TRUE(one.ok()) << one.status();
    s.jobs = 2;
    absl::StatusOr<tune::SearchResult> two = tune::Search(*graph, base, s);
    ASSERT_TRUE(two.ok()) << two.status();
    EXPECT_EQ(one->chosen, two->chosen) << level;
    EXPECT_EQ(Bytes(one->model.program), Bytes(two->model.program)) << level;
    std::printf("search: yolo_tiny bayes %s chose %d/%d (%s): %llu cycles, %llu DDR bytes\n", level,
                one->chosen + 1, one->count, one->label.c_str(),
                static_cast<unsigned long long>(one->cycles),
                static_cast<unsigned long long>(one->ddr_bytes));
  }
  absl::StatusOr<std::vector<tune::Candidate>> scored = tune::ScoreCandidates(*graph, base, 2);
  ASSERT_TRUE(scored.ok()) << scored.status();
  const int fast = tune::Choose(*scored, "fast", 50), ddr = tune::Choose(*scored, "ddr", 50);
  ASSERT_GE(fast, 0);
  ASSERT_GE(ddr, 0);
  for (const tune::Candidate& c : *scored) {
    if (!c.status.ok()) continue;
    EXPECT_LE((*scored)[fast].cycles, c.cycles) << c.label;
    EXPECT_LE((*scored)[ddr].ddr_bytes, c.ddr_bytes) << c.label;
  }
  EXPECT_LE((*scored)[fast].cycles, (*scored)[0].cycles);  // never slower than O2
}

// A hybrid model: each BPU segment searched on its own, the same programs for any --jobs, each
// segment's choice never slower than O2's configuration of it.
TEST(OptLevels, HybridSearchPerSegment) {
  std::unique_ptr<ir::Graph> graph =
      QuantizeModel("ptq/yolo_tiny.onnx", "calib", "bayes", {}, {"/Concat"});
  ASSERT_NE(graph, nullptr);
  ASSERT_TRUE(backend::NeedsHybrid(*graph));
  tune::SearchOptions s;
  s.level = "O3";
  s.jobs = 1;
  absl::StatusOr<tune::HybridSearchResult> one = tune::SearchHybrid(*graph, Base("bayes"), s);
  ASSERT_TRUE(one.ok()) << one.status();
  s.jobs = 2;
  absl::StatusOr<tune::HybridSearchResult> two = tune::SearchHybrid(*graph, Base("bayes"), s);
  ASSERT_TRUE(two.ok()) << two.status();
  ASSERT_EQ(one->segments.size(), 2u);  // bpu0, cpu1 (the Concat), bpu2
  EXPECT_EQ(one->segments[0].first, "bpu0");
  EXPECT_EQ(one->segments[1].first, "bpu2");
  ASSERT_EQ(one->model.segments.size(), two->model.segments.size());
  for (size_t i = 0; i < one->model.segments.size(); ++i) {
    if (!one->model.segments[i].bpu) continue;
    EXPECT_EQ(Bytes(one->model.segments[i].model.program),
              Bytes(two->model.segments[i].model.program))
        << one->model.segments[i].name;
  }
  for (const auto& [name, r] : one->segments) {
    std::printf("search: yolo_tiny(hybrid) bayes O3 %s chose %d/%d (%s): %llu cycles\n",
                name.c_str(), r.chosen + 1, r.count, r.label.c_str(),
                static_cast<unsigned long long>(r.cycles));
  }
}

// Every level bit-exact, and the levels ordered, on the CI's small models.
void CheckLevels(const std::string& name, const std::string& onnx, const std::string& calib,
                 const std::string& samples, int count, const std::string& march) {
  absl::StatusOr<Tensor> x = ReadNpy(test_util::ModelDataDir() + samples);
  ASSERT_TRUE(x.ok()) << x.status();
  test_util::QuantizeExtras extras;
  extras.opts = tune::AllLevels();
  extras.jobs = 2;
  extras.multi_core = false;  // backend_bitexact_test runs every model over two cores
  absl::StatusOr<std::vector<test_util::BitExactRun>> runs =
      test_util::RunBitExact(name, test_util::ModelDataDir() + onnx,
                             test_util::ModelDataDir() + calib, *x, count, march, extras);
  ASSERT_TRUE(runs.ok()) << name << " " << march << ": " << runs.status();
  std::map<std::string, test_util::BitExactRun> by;
  for (const test_util::BitExactRun& run : *runs) {
    std::printf("%s\nlevels: %s %s %s cycles=%llu ddr_bytes=%llu\n", run.line.c_str(), name.c_str(),
                march.c_str(), run.opt.c_str(), static_cast<unsigned long long>(run.cycles),
                static_cast<unsigned long long>(run.ddr_bytes));
    EXPECT_GT(run.elements, 0);
    EXPECT_EQ(run.mismatches, 0) << name << " " << march << " " << run.opt;
    by[run.opt] = run;
  }
  ASSERT_EQ(by.size(), 7u);
  const std::string where = name + " " + march;
  EXPECT_GE(by["O0"].cycles, by["O1"].cycles) << where;
  EXPECT_GE(by["O1"].cycles, by["O2"].cycles) << where;
  EXPECT_GE(by["O2"].cycles, by["O3"].cycles) << where;
  EXPECT_LE(by["fast"].cycles, by["O2"].cycles) << where;
  EXPECT_LE(by["ddr"].ddr_bytes, by["fast"].ddr_bytes) << where;
}

TEST(OptLevels, DigitsEveryMarch) {
  for (const char* march : {"bernoulli2", "bayes", "bayes-e"}) {
    CheckLevels("digits", "digits.onnx", "digits_calib.npy", "digits_test_x.npy", 4, march);
  }
}

TEST(OptLevels, YoloTinyEveryMarch) {
  for (const char* march : {"bernoulli2", "bayes", "bayes-e"}) {
    CheckLevels("yolo_tiny", "ptq/yolo_tiny.onnx", "calib", "test/000.npy", 1, march);
  }
}

}  // namespace
}  // namespace openbpu
