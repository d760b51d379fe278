// The runtime's costs (issue 12), as ratios against baselines timed in the same process:
//   - loading an .hbm (read, CRC, parse, validate, lower once) against only reading the file, on
//     resnet50 compiled for bayes at O2 (`x_read`: load time / read time);
//   - the runtime's per-call overhead over calling the simulator directly, on resnet18 (bayes,
//     O2, func): Model::RunRaw against Simulator WriteRegion + Run + ReadRegion on one instance
//     (`overhead_%`, target <= 2).
// The models are quantized (calibrated on their bundled input) and compiled in process first.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/npy.h"
#include "compiler/backend/compile.h"
#include "compiler/backend/hbm_model.h"
#include "compiler/driver/quantize.h"
#include "hbm/hbm.h"
#include "isa/march.h"
#include "runtime/runtime.h"
#include "simulator/simulator.h"
#include "tests/backend_run.h"

namespace openbpu {
namespace {

struct Compiled {
  std::string path;
  backend::CompiledModel model;
};

// resnet18 / resnet50 quantized for bayes, compiled at O2, written to /tmp.
const Compiled& Model(const std::string& name) {
  static std::map<std::string, Compiled>* cache = new std::map<std::string, Compiled>;
  auto it = cache->find(name);
  if (it != cache->end()) return it->second;
  const std::string dir = test_util::ModelDataDir();
  driver::QuantizeOptions q;
  q.model = dir + name + ".onnx";
  q.calibration_data = dir + name + ".input.npy";
  q.march = "bayes";
  q.progress = nullptr;
  absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(q);
  if (!quantized.ok()) {
    std::fprintf(stderr, "quantize %s: %s\n", name.c_str(), quantized.status().ToString().c_str());
    std::abort();
  }
  backend::CompileOptions options;
  options.march = "bayes";
  options.opt = "O2";
  absl::StatusOr<backend::CompiledModel> compiled = backend::Compile(*quantized->graph, options);
  if (!compiled.ok()) std::abort();
  absl::StatusOr<hbm::Payload> payload = backend::ToHbmPayload(*compiled, name, "bayes", {});
  absl::StatusOr<std::vector<uint8_t>> bytes = hbm::WriteHbm(*payload);
  if (!bytes.ok()) std::abort();
  Compiled c;
  c.path = "/tmp/openbpu_runtime_bench_" + name + ".hbm";
  std::ofstream(c.path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes->data()), static_cast<long>(bytes->size()));
  c.model = *std::move(compiled);
  return cache->emplace(name, std::move(c)).first->second;
}

double Seconds(const std::function<void()>& fn, int reps) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / reps;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void BM_HbmReadFile(benchmark::State& state) {
  const Compiled& c = Model("resnet50");
  size_t bytes = 0;
  for (auto _ : state) {
    std::string data = ReadFile(c.path);
    bytes = data.size();
    benchmark::DoNotOptimize(data.data());
  }
  state.counters["MB"] = static_cast<double>(bytes) / 1e6;
}

void BM_HbmLoadVerify(benchmark::State& state) {
  const Compiled& c = Model("resnet50");
  for (auto _ : state) {
    absl::StatusOr<std::unique_ptr<runtime::Package>> pkg = runtime::Package::LoadFile(c.path);
    if (!pkg.ok()) state.SkipWithError(std::string(pkg.status().message()).c_str());
    benchmark::DoNotOptimize(pkg);
  }
  const double read = Seconds([&] { benchmark::DoNotOptimize(ReadFile(c.path)); }, 5);
  const double load =
      Seconds([&] { benchmark::DoNotOptimize(runtime::Package::LoadFile(c.path)); }, 5);
  state.counters["x_read"] = load / read;
}

// The raw input bytes of resnet18's bundled input (its input descriptor's quantization).
std::vector<uint8_t> Resnet18Input(const runtime::Model& model) {
  absl::StatusOr<Tensor> x = ReadNpy(test_util::ModelDataDir() + "resnet18.input.npy");
  if (!x.ok()) std::abort();
  absl::StatusOr<std::vector<uint8_t>> q = runtime::QuantizeInput(*x, model.inputs()[0]);
  if (!q.ok()) std::abort();
  return *std::move(q);
}

void BM_RuntimeRunRaw(benchmark::State& state) {
  const Compiled& c = Model("resnet18");
  absl::StatusOr<std::unique_ptr<runtime::Package>> pkg = runtime::Package::LoadFile(c.path);
  if (!pkg.ok()) std::abort();
  const runtime::Model& model = *(*pkg)->models()[0];
  const std::vector<uint8_t> input = Resnet18Input(model);
  // The baseline: the simulator called directly, one instance, the same work.
  const isa::March* march = *isa::FindMarch("bayes");
  sim::SimulatorOptions so;
  so.run.mode = sim::Mode::kFunc;
  so.run.check_hazards = false;  // as the runtime's functional backend runs by default
  std::unique_ptr<sim::Simulator> direct = *sim::Simulator::Create(c.model.program, *march, so);
  const uint64_t out_bytes = c.model.program.ddr_output_bytes;
  auto call_direct = [&] {
    std::vector<uint8_t> out(out_bytes);
    (void)direct->WriteRegion(isa::Region::kInput, 0, input);
    (void)direct->Run();
    (void)direct->ReadRegion(isa::Region::kOutput, 0, absl::MakeSpan(out));
    benchmark::DoNotOptimize(out.data());
  };
  auto call_runtime = [&] { benchmark::DoNotOptimize(model.RunRaw({input})); };
  for (auto _ : state) call_runtime();
  call_direct();  // its first run packs the weights (the runtime's did above)
  // Interleaved, so machine noise hits both alike.
  double t_direct = 0, t_runtime = 0;
  for (int round = 0; round < 3; ++round) {
    t_direct += Seconds(call_direct, 3);
    t_runtime += Seconds(call_runtime, 3);
  }
  state.counters["overhead_%"] = (t_runtime / t_direct - 1) * 100;
  state.counters["ms_per_run"] = t_runtime / 3 * 1e3;
}

BENCHMARK(BM_HbmReadFile)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HbmLoadVerify)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RuntimeRunRaw)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
}  // namespace openbpu
