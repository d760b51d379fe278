// Host speed (issue 16): the functional simulator running whole int8 models from their compiled
// programs, the figure benchmarks/host_speed.py compares with PyTorch's own int8 inference.
// One benchmark per model: quantized for bayes with the photo crops (tests/models/calib),
// compiled at O2, and run in func mode (bit-exact data, no timing report) on test crop 000; the
// time is one inference; GMAC_per_s is the model's MACs over it.
//   bazel run -c opt //benchmarks:host_speed_bench [-- --benchmark_filter=resnet18]
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

void BM_Func(benchmark::State& state, std::string name) {
  const std::string dir = test_util::ModelDataDir();
  driver::QuantizeOptions q;
  q.model = dir + "ptq/" + name + ".onnx";
  q.calibration_data = dir + "calib";
  q.march = "bayes";
  q.progress = nullptr;
  absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(q);
  if (!quantized.ok()) {
    state.SkipWithError(std::string(quantized.status().message()).c_str());
    return;
  }
  backend::CompileOptions options;
  options.march = "bayes";
  options.opt = "O2";
  absl::StatusOr<backend::CompiledModel> model = backend::Compile(*quantized->graph, options);
  if (!model.ok()) {
    state.SkipWithError(std::string(model.status().message()).c_str());
    return;
  }
  absl::StatusOr<Tensor> x = ReadNpy(dir + "test/000.npy");
  if (!x.ok()) {
    state.SkipWithError(std::string(x.status().message()).c_str());
    return;
  }
  absl::StatusOr<std::map<std::string, reference::QuantizedValue>> values =
      reference::RunQuantizedAllValues(*quantized->graph, {*x});
  if (!values.ok()) {
    state.SkipWithError(std::string(values.status().message()).c_str());
    return;
  }
  sim::SimulatorOptions sim_options;
  sim_options.run.mode = sim::Mode::kFunc;
  sim_options.run.check_hazards = false;  // as the runtime runs a checked program
  absl::StatusOr<std::unique_ptr<sim::Simulator>> sim =
      sim::Simulator::Create(model->program, **isa::FindMarch("bayes"), sim_options);
  if (!sim.ok()) {
    state.SkipWithError(std::string(sim.status().message()).c_str());
    return;
  }
  for (const backend::TensorDesc& in : model->inputs) {
    (void)(*sim)->WriteRegion(isa::Region::kInput, in.offset,
                              test_util::NhwcBytes(values->at(in.value).tensor));
  }
  uint64_t macs = 0;
  for (const sim::SimOp& op : (*sim)->ops()) macs += op.macs;
  for (auto _ : state) {
    absl::StatusOr<sim::RunResult> r = (*sim)->Run();
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
  }
  state.counters["GMAC_per_s"] = benchmark::Counter(static_cast<double>(macs) / 1e9,
                                                    benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MMACs"] = static_cast<double>(macs) / 1e6;
}

BENCHMARK_CAPTURE(BM_Func, resnet18, std::string("resnet18"))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK_CAPTURE(BM_Func, mobilenet_v2, std::string("mobilenet_v2"))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK_CAPTURE(BM_Func, efficientnet_b0, std::string("efficientnet_b0"))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
}  // namespace openbpu
