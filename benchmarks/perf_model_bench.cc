// perf_model as a benchmark binary (issue 15): one benchmark per exported model x march x opt
// level (and O2 / O3 over two cores on the two-core marches). Each compiles the quantized model
// (the time Google Benchmark reports), then models one frame on the timing simulator
// (simulator/perf_report.h) and reports as counters:
//   latency_ms, FPS, DDR_MB_per_frame, MAC_util   the modeled BPU (docs/TIMING_MODEL.md)
//   compile_x_import                              compile time / ONNX import time of the same
//                                                 model, both timed in this process
// Quantization (calibration) runs once per model and march, outside the timing.
//   bazel run -c opt //benchmarks:perf_model_bench [-- --benchmark_filter=resnet18/bayes/]
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "compiler/backend/compile.h"
#include "compiler/driver/quantize.h"
#include "compiler/frontend/onnx_importer.h"
#include "compiler/tune/tune.h"
#include "isa/march.h"
#include "simulator/perf_report.h"
#include "tests/backend_run.h"

namespace openbpu {
namespace {

struct ModelSpec {
  std::string name, onnx, calib;
  std::vector<std::string> int16_ops;
};

const std::vector<ModelSpec>& Models() {
  static const std::vector<ModelSpec>* models = new std::vector<ModelSpec>{
      {"resnet18", "ptq/resnet18.onnx", "calib", {}},
      {"resnet50", "resnet50.onnx", "calib", {}},
      {"mobilenet_v2", "ptq/mobilenet_v2.onnx", "calib", {}},
      {"mobilenet_v1", "mobilenet_v1.onnx", "calib", {}},
      {"efficientnet_b0", "ptq/efficientnet_b0.onnx", "calib", {}},
      {"shufflenet_v2_x1_0", "shufflenet_v2_x1_0.onnx", "calib", {}},
      {"digits", "digits.onnx", "digits_calib.npy", {}},
      {"yolo_tiny", "ptq/yolo_tiny.onnx", "calib", {}},
      {"vit_tiny", "ptq/vit_tiny.onnx", "calib", {}},
      {"vit_tiny_int16", "ptq/vit_tiny.onnx", "calib", {"Softmax", "LayerNormalization", "Erf"}},
  };
  return *models;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// The quantized graph of a model for a march (once), or why it has none.
struct Quantized {
  absl::Status status;
  std::unique_ptr<ir::Graph> graph;
  double import_s = 0;  // the fastest of three ONNX imports
};

const Quantized& QuantizedFor(const ModelSpec& spec, const std::string& march) {
  static std::map<std::string, Quantized>* cache = new std::map<std::string, Quantized>;
  const std::string key = spec.name + "/" + march;
  auto it = cache->find(key);
  if (it != cache->end()) return it->second;
  Quantized& q = (*cache)[key];
  const std::string dir = test_util::ModelDataDir();
  double best = 1e30;
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<std::unique_ptr<ir::Graph>> g = frontend::ImportOnnxFile(dir + spec.onnx);
    best = std::min(best, Seconds(std::chrono::steady_clock::now() - start));
    if (!g.ok()) {
      q.status = g.status();
      return q;
    }
  }
  q.import_s = best;
  driver::QuantizeOptions options;
  options.model = dir + spec.onnx;
  options.calibration_data = dir + spec.calib;
  options.march = march;
  options.int16_ops = spec.int16_ops;
  options.progress = nullptr;
  absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(options);
  if (!quantized.ok()) {
    q.status = quantized.status();
    return q;
  }
  q.graph = std::move(quantized->graph);
  return q;
}

void BM_PerfModel(benchmark::State& state, const ModelSpec* spec, std::string march,
                  std::string level, int cores) {
  const Quantized& q = QuantizedFor(*spec, march);
  if (!q.status.ok()) {
    state.SkipWithError(std::string(q.status.message()).c_str());
    return;
  }
  backend::CompileOptions options;
  options.march = march;
  options.opt = tune::IsSearchLevel(level) ? "O2" : level;
  options.core_num = cores;
  absl::StatusOr<backend::CompiledModel> model;
  double best = 1e30;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    if (tune::IsSearchLevel(level)) {
      tune::SearchOptions s;
      s.level = level;
      absl::StatusOr<tune::SearchResult> found = tune::Search(*q.graph, options, s);
      model = found.ok() ? absl::StatusOr<backend::CompiledModel>(std::move(found->model))
                         : absl::StatusOr<backend::CompiledModel>(found.status());
    } else {
      model = backend::Compile(*q.graph, options);
    }
    best = std::min(best, Seconds(std::chrono::steady_clock::now() - start));
    if (!model.ok()) {
      state.SkipWithError(std::string(model.status().message()).c_str());
      return;
    }
  }
  sim::PerfProgram program;
  program.program = model->program;
  sim::PerfOptions perf;
  perf.model_name = spec->name;
  absl::StatusOr<sim::PerfResult> result = sim::PerfModel({program}, perf);
  if (!result.ok()) {
    state.SkipWithError(std::string(result.status().message()).c_str());
    return;
  }
  const perf::PerfSummary& s = result->report.summary();
  state.counters["latency_ms"] = s.latency_ms();
  state.counters["FPS"] = s.fps();
  state.counters["DDR_MB_per_frame"] = s.ddr_megabytes_per_frame();
  state.counters["MAC_util"] = s.mac_utilization();
  state.counters["compile_x_import"] = q.import_s > 0 ? best / q.import_s : 0;
}

void RegisterAll() {
  for (const ModelSpec& spec : Models()) {
    for (const char* march : {"bernoulli2", "bayes", "bayes-e"}) {
      const int cores = (*isa::FindMarch(march))->cores.value;
      std::vector<std::pair<std::string, int>> levels;
      for (const std::string& level : tune::AllLevels()) levels.push_back({level, 1});
      if (cores > 1) {
        levels.push_back({"O2", cores});
        levels.push_back({"O3", cores});
      }
      for (const auto& [level, n] : levels) {
        const std::string name = absl::StrCat(spec.name, "/", march, "/", level,
                                              n > 1 ? absl::StrCat("/cores:", n) : "");
        benchmark::RegisterBenchmark(name.c_str(), BM_PerfModel, &spec, std::string(march), level,
                                     n)
            ->Unit(benchmark::kMillisecond)
            ->Iterations(1)
            ->UseRealTime();
      }
    }
  }
}

}  // namespace
}  // namespace openbpu

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  openbpu::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
