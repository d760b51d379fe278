// Host speed (issue 16): the functional simulator running whole int8 models from their compiled
// programs, the figure benchmarks/host_speed.py compares with PyTorch's own int8 inference.
// One benchmark per model and thread count: quantized for bayes with the photo crops
// (tests/models/calib), compiled at O2, and run in func mode (bit-exact data, no timing report)
// on test crop 000; the time is one inference; GMAC_per_s is the model's MACs over it.
// BM_PerfOfFunc: perf mode's time on ResNet-18 as a fraction of func mode's.
//   bazel run -c opt //benchmarks:host_speed_bench [-- --benchmark_filter=resnet18]
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/npy.h"
#include "compiler/backend/compile.h"
#include "compiler/driver/quantize.h"
#include "compiler/reference/quantized_interpreter.h"
#include "isa/march.h"
#include "simulator/simulator.h"
#include "tests/backend_run.h"
#include "tests/nhwc.h"

namespace openbpu {
namespace {

// A model quantized, compiled and its input written once per process (Google Benchmark calls a
// benchmark function several times; the setup takes seconds).
struct Prepared {
  std::shared_ptr<const sim::Executable> executable;
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> inputs;  // DDR input offset, bytes
  uint64_t macs = 0;
};

absl::StatusOr<const Prepared*> Prepare(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Prepared>>* cache =
      new std::map<std::string, std::unique_ptr<Prepared>>();
  if (auto it = cache->find(name); it != cache->end()) return it->second.get();
  const std::string dir = test_util::ModelDataDir();
  driver::QuantizeOptions q;
  q.model = dir + "ptq/" + name + ".onnx";
  q.calibration_data = dir + "calib";
  q.march = "bayes";
  q.progress = nullptr;
  absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(q);
  if (!quantized.ok()) return quantized.status();
  backend::CompileOptions options;
  options.march = "bayes";
  options.opt = "O2";
  absl::StatusOr<backend::CompiledModel> model = backend::Compile(*quantized->graph, options);
  if (!model.ok()) return model.status();
  absl::StatusOr<Tensor> x = ReadNpy(dir + "test/000.npy");
  if (!x.ok()) return x.status();
  absl::StatusOr<std::map<std::string, reference::QuantizedValue>> values =
      reference::RunQuantizedAllValues(*quantized->graph, {*x});
  if (!values.ok()) return values.status();
  absl::StatusOr<std::shared_ptr<const sim::Executable>> exe =
      sim::Executable::Create(model->program, **isa::FindMarch("bayes"));
  if (!exe.ok()) return exe.status();
  auto prepared = std::make_unique<Prepared>();
  prepared->executable = *std::move(exe);
  for (const backend::TensorDesc& in : model->inputs) {
    prepared->inputs.emplace_back(in.offset, test_util::NhwcBytes(values->at(in.value).tensor));
  }
  for (const sim::SimOp& op : prepared->executable->ops()) prepared->macs += op.macs;
  return (*cache)[name] = std::move(prepared), cache->at(name).get();
}

absl::StatusOr<std::unique_ptr<sim::Simulator>> Instance(const Prepared& model, sim::Mode mode,
                                                         int threads) {
  sim::SimulatorOptions options;
  options.run.mode = mode;
  options.run.check_hazards = false;  // as the runtime runs a checked program
  options.threads = threads;
  absl::StatusOr<std::unique_ptr<sim::Simulator>> sim =
      sim::Simulator::Create(model.executable, options);
  if (!sim.ok() || mode == sim::Mode::kPerf) return sim;
  for (const auto& [offset, bytes] : model.inputs) {
    if (absl::Status st = (*sim)->WriteRegion(isa::Region::kInput, offset, bytes); !st.ok()) {
      return st;
    }
  }
  return sim;
}

// Seconds per run of `sim`, timed directly over at least `seconds` (the in-process baseline).
double SecondsPerRun(sim::Simulator& sim, double seconds) {
  int64_t runs = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    (void)sim.Run();
    ++runs;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < seconds);
  return elapsed / static_cast<double>(runs);
}

// One inference in func mode on `threads` threads (the weights packed by an untimed first run).
void BM_Func(benchmark::State& state, std::string name) {
  const int threads = static_cast<int>(state.range(0));
  absl::StatusOr<const Prepared*> model = Prepare(name);
  if (!model.ok()) {
    state.SkipWithError(std::string(model.status().message()).c_str());
    return;
  }
  absl::StatusOr<std::unique_ptr<sim::Simulator>> sim =
      Instance(**model, sim::Mode::kFunc, threads);
  if (!sim.ok()) {
    state.SkipWithError(std::string(sim.status().message()).c_str());
    return;
  }
  if (absl::StatusOr<sim::RunResult> warm = (*sim)->Run(); !warm.ok()) {
    state.SkipWithError(std::string(warm.status().message()).c_str());
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<sim::RunResult> r = (*sim)->Run();
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
  }
  const double macs = static_cast<double>((*model)->macs);
  state.counters["GMAC_per_s"] =
      benchmark::Counter(macs / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MMACs"] = macs / 1e6;
  state.counters["threads"] = threads;
}

// perf mode (timing only, no data) against func mode on one thread, both timed here:
// `of_func` is perf's time over func's (issue 16: at most 1 %).
void BM_PerfOfFunc(benchmark::State& state, std::string name) {
  absl::StatusOr<const Prepared*> model = Prepare(name);
  if (!model.ok()) {
    state.SkipWithError(std::string(model.status().message()).c_str());
    return;
  }
  absl::StatusOr<std::unique_ptr<sim::Simulator>> perf = Instance(**model, sim::Mode::kPerf, 1);
  absl::StatusOr<std::unique_ptr<sim::Simulator>> func = Instance(**model, sim::Mode::kFunc, 1);
  if (!perf.ok() || !func.ok()) {
    state.SkipWithError("simulator creation failed");
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<sim::RunResult> r = (*perf)->Run();
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
  }
  (void)(*func)->Run();  // packs the weights
  const double func_s = SecondsPerRun(**func, 1.0);
  const double perf_s = SecondsPerRun(**perf, 0.5);
  state.counters["of_func"] = perf_s / func_s;
  state.counters["func_ms"] = func_s * 1e3;
}

#define OPENBPU_HOST_SPEED(model)                        \
  BENCHMARK_CAPTURE(BM_Func, model, std::string(#model)) \
      ->ArgName("threads")                               \
      ->Arg(1)                                           \
      ->Arg(2)                                           \
      ->Unit(benchmark::kMillisecond)                    \
      ->UseRealTime()                                    \
      ->MinTime(2.0)

OPENBPU_HOST_SPEED(resnet18);
OPENBPU_HOST_SPEED(mobilenet_v2);
OPENBPU_HOST_SPEED(efficientnet_b0);
BENCHMARK_CAPTURE(BM_PerfOfFunc, resnet18, std::string("resnet18"))
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace
}  // namespace openbpu
