// Host throughput of the simulator: TAE conv tiles in GMAC/s per kernel path (SIMD vs scalar
// in the same run, ratio as a counter) and a ResNet-18-size 3x3 conv layer end to end in the
// func, perf and both modes.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "isa/march.h"
#include "simulator/simulator.h"
#include "simulator/tae.h"
#include "simulator/test_programs.h"

namespace openbpu::sim {
namespace {

// One TAE conv tile of ResNet-18's layer1: 3x3, 64 -> 64 channels, 8 output rows of 56.
struct TileData {
  ConvTileParams p;
  std::vector<int8_t> in, w;
  std::vector<int32_t> acc;
  TileData() {
    p.in_h = 10;
    p.in_w = 58;
    p.in_c = 64;
    p.in_pixel_stride = 64;
    p.in_row_stride = 64 * 58;
    p.out_h = 8;
    p.out_w = 56;
    p.out_c = 64;
    p.out_pixel_stride = 64;
    p.out_row_stride = 64 * 56;
    p.kernel_h = p.kernel_w = 3;
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> d(-128, 127);
    in.resize(p.in_h * p.in_row_stride);
    w.resize(64 * 9 * 64);
    for (auto& x : in) x = static_cast<int8_t>(d(rng));
    for (auto& x : w) x = static_cast<int8_t>(d(rng));
    acc.resize(p.out_h * p.out_row_stride);
  }
};

TileData& Tile() {
  static TileData* t = new TileData;
  return *t;
}

// GMAC/s of one path, timed directly (for the speedup counter).
double MeasureGmacs(KernelPath path) {
  TileData& t = Tile();
  int64_t reps = 0;
  const auto start = std::chrono::steady_clock::now();
  double secs = 0;
  do {
    ConvTileS8(t.in.data(), t.w.data(), t.acc.data(), t.p, path);
    ++reps;
    secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (secs < 0.2);
  return reps * static_cast<double>(t.p.Macs()) / secs / 1e9;
}

void BM_TaeConvTile(benchmark::State& state) {
  const KernelPath path = static_cast<KernelPath>(state.range(0));
  if ((path == KernelPath::kVnni || path == KernelPath::kAvx2) && !PackedIsaFor(path)) {
    state.SkipWithError("host lacks the path's instructions");
    return;
  }
  TileData& t = Tile();
  for (auto _ : state) {
    ConvTileS8(t.in.data(), t.w.data(), t.acc.data(), t.p, path);
    benchmark::DoNotOptimize(t.acc.data());
  }
  state.counters["GMAC/s"] = benchmark::Counter(
      static_cast<double>(t.p.Macs()) * state.iterations() / 1e9, benchmark::Counter::kIsRate);
  if (path != KernelPath::kScalar) {
    static const double scalar = MeasureGmacs(KernelPath::kScalar);
    state.counters["x_scalar"] = MeasureGmacs(path) / scalar;
  }
  state.SetLabel(path == KernelPath::kXsimd ? XsimdArchName() : KernelPathName(path));
}
BENCHMARK(BM_TaeConvTile)
    ->ArgName("path")
    ->Arg(static_cast<int>(KernelPath::kScalar))
    ->Arg(static_cast<int>(KernelPath::kXsimd))
    ->Arg(static_cast<int>(KernelPath::kVnni))
    ->Arg(static_cast<int>(KernelPath::kAvx2))
    ->Unit(benchmark::kMillisecond);

// The same tile with its weights packed beforehand, as the simulator runs it from the second run
// of a program on (weight_cache.h): im2col and the micro-kernel only. `x_per_call_packing` is
// this over ConvTileS8 packing on every call, both timed here.
void BM_TaeConvTilePacked(benchmark::State& state) {
  const KernelPath path = static_cast<KernelPath>(state.range(0));
  const std::optional<PackedIsa> isa = PackedIsaFor(path);
  if (!isa) {
    state.SkipWithError("host lacks the path's instructions");
    return;
  }
  TileData& t = Tile();
  const PackedConvWeights packed = PackConvWeights(t.w.data(), t.p, *isa);
  for (auto _ : state) {
    ConvTileS8Packed(t.in.data(), packed, t.acc.data(), t.p, nullptr);
    benchmark::DoNotOptimize(t.acc.data());
  }
  state.counters["GMAC/s"] = benchmark::Counter(
      static_cast<double>(t.p.Macs()) * state.iterations() / 1e9, benchmark::Counter::kIsRate);
  int64_t reps = 0;
  const auto start = std::chrono::steady_clock::now();
  double secs = 0;
  do {
    ConvTileS8Packed(t.in.data(), packed, t.acc.data(), t.p, nullptr);
    ++reps;
    secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (secs < 0.2);
  state.counters["x_per_call_packing"] =
      reps * static_cast<double>(t.p.Macs()) / secs / 1e9 / MeasureGmacs(path);
  state.SetLabel(KernelPathName(path));
}
BENCHMARK(BM_TaeConvTilePacked)
    ->ArgName("path")
    ->Arg(static_cast<int>(KernelPath::kVnni))
    ->Arg(static_cast<int>(KernelPath::kAvx2))
    ->Unit(benchmark::kMillisecond);

// ResNet-18 layer1's 3x3 conv (56x56x64 -> 64, 115.6 M MACs) end to end: create the
// simulator (lowering, bounds checks, memories), write the input, run, in each mode.
void BM_ResNetConvLayer(benchmark::State& state) {
  const Mode mode = static_cast<Mode>(state.range(0));
  static const testing::TestProgram* layer = new testing::TestProgram(testing::ResNetConvLayer());
  static const isa::Program* program = new isa::Program(*testing::Build(*layer));
  const isa::March& march = **isa::FindMarch(program->march);
  SimStats stats;
  uint64_t macs = 0;
  for (auto _ : state) {
    SimulatorOptions opt;
    opt.run.mode = mode;
    auto sim = Simulator::Create(*program, march, opt);
    if (!sim.ok()) {
      state.SkipWithError(std::string(sim.status().message()).c_str());
      return;
    }
    if (mode != Mode::kPerf) (void)(*sim)->WriteRegion(isa::Region::kInput, 0, layer->input);
    auto r = (*sim)->Run();
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    stats = r->stats;
    macs = 0;
    for (const SimOp& op : (*sim)->ops()) macs += op.macs;
  }
  state.counters["GMAC/s"] = benchmark::Counter(
      static_cast<double>(macs) * state.iterations() / 1e9, benchmark::Counter::kIsRate);
  if (mode != Mode::kFunc) {
    state.counters["sim_cycles"] = static_cast<double>(stats.total_cycles);
    state.counters["sim_latency_us"] = stats.latency_us;
  }
  state.SetLabel(ModeName(mode));
}
BENCHMARK(BM_ResNetConvLayer)
    ->ArgName("mode")
    ->Arg(static_cast<int>(Mode::kFunc))
    ->Arg(static_cast<int>(Mode::kPerf))
    ->Arg(static_cast<int>(Mode::kBoth))
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace openbpu::sim
