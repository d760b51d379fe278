// Fuzz: seeded random instruction streams (random valid instructions, random addresses, sizes
// and semaphores) must never crash or hang the simulator: every run ends OK or with a clean
// error, bounded by the cycle budget. When perf and both both succeed their cycles agree.
#include <cstdio>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "isa/instruction.h"
#include "isa/program.h"
#include "simulator/simulator.h"

namespace openbpu::sim {
namespace {

constexpr int kIterations = 1500;
constexpr uint64_t kCycleBudget = 200000;
// Floors at 90 % of the counts this seed gave when they were set (with the ISA 1.1 opcodes and
// vae.cfg dst_pitch: 129 completed runs, 61 perf+both pairs): a change that makes the simulator
// reject what it used to run, or makes the generator stop reaching execution, fails here
// instead of leaving a fuzz test that exercises nothing.
constexpr int kMinCompleted = 116;
constexpr int kMinCompared = 55;

int64_t RandomValue(const isa::FieldSpec& spec, std::mt19937_64& rng) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const bool wide = pick(0, 39) == 0;  // now and then anywhere in the field's range
  switch (spec.kind) {
    case isa::FieldKind::kUnsigned:
      return wide ? pick(spec.min, spec.max) : std::min(spec.max, spec.min + pick(0, 17));
    case isa::FieldKind::kSigned:
      return wide ? pick(spec.min, spec.max) : pick(-20, 40);
    case isa::FieldKind::kAddr16:
      return 16 * (wide ? pick(0, spec.max / 16) : pick(0, 512));
    case isa::FieldKind::kBool:
      return pick(0, 1);
    case isa::FieldKind::kElem:
      return int64_t{1} << pick(0, 3);
    default: {
      // Mostly code 0 (s8, ...): programs that get past creation exercise execution.
      if (spec.kind == isa::FieldKind::kDType && (spec.allowed & 1) && pick(0, 2) != 0) return 0;
      std::vector<int64_t> codes;
      for (int c = 0; c < 32; ++c)
        if (spec.allowed & (1u << c)) codes.push_back(c);
      return codes.empty() ? 0 : codes[pick(0, codes.size() - 1)];
    }
  }
}

isa::Instruction RandomInstruction(std::mt19937_64& rng, int layers) {
  const auto& all = isa::AllOpcodes();  // ISA 1.0 and 1.1
  for (;;) {
    const isa::OpcodeInfo& info = all[rng() % all.size()];
    if (info.opcode == isa::Opcode::kEnd) continue;
    isa::Instruction inst = isa::MakeDefault(info.kind_index);
    for (const isa::FieldInfo& f : info.fields) {
      (void)isa::SetField(inst, f.name, RandomValue(f.spec, rng));  // out-of-range: keep default
    }
    // Most vae.cfg words keep the dense destination (a random dst_pitch fails every VAE op but
    // a requantize whose pitch happens to cover its channels).
    if (auto* cfg = std::get_if<isa::VaeCfg>(&inst.payload); cfg != nullptr && rng() % 4 != 0) {
      cfg->dst_pitch = 0;
    }
    for (auto& w : inst.common.wait) w = rng() % 3 == 0 ? 1 + rng() % 4 : 0;
    for (auto& s : inst.common.signal) s = rng() % 3 == 0 ? 1 + rng() % 4 : 0;
    if (layers > 0 && rng() % 2) inst.common.layer = static_cast<uint16_t>(rng() % layers);
    return inst;
  }
}

// A random program: march, DDR regions, parameter bytes, up to 16 random instructions and `end`
// (with_layers: up to 3 layers named, drawn before the instructions).
isa::Program RandomProgram(std::mt19937_64& rng, bool with_layers) {
  isa::Program p;
  p.march = static_cast<isa::MarchId>(rng() % isa::kNumMarches);
  p.ddr_input_bytes = rng() % 4096;
  p.ddr_output_bytes = rng() % 4096;
  p.ddr_scratch_bytes = rng() % 4096;
  p.params.resize(rng() % 1024);
  for (auto& b : p.params) b = static_cast<uint8_t>(rng());
  const int layers = with_layers ? static_cast<int>(rng() % 3) : 0;
  for (int l = 0; l < layers; ++l) p.layers[l] = absl::StrCat("layer", l);
  const int n = 1 + static_cast<int>(rng() % 16);
  for (int i = 0; i < n; ++i) p.instructions.push_back(RandomInstruction(rng, layers));
  p.instructions.push_back(isa::Instruction{{}, isa::End{}});
  return p;
}

TEST(SimulatorFuzz, RandomInstructionStreamsNeverCrashOrHang) {
  std::mt19937_64 rng(20261127);
  int ran = 0, completed = 0, rejected = 0, compared = 0;
  for (int it = 0; it < kIterations; ++it) {
    const isa::Program p = RandomProgram(rng, /*with_layers=*/true);
    auto march = isa::FindMarch(p.march);
    ASSERT_TRUE(march.ok());
    uint64_t cycles[2] = {0, 0};
    bool ok[2] = {false, false};
    const bool serial = rng() % 4 == 0;
    for (int k = 0; k < 2; ++k) {
      SimulatorOptions opt;
      opt.run.mode = k == 0 ? Mode::kPerf : Mode::kBoth;
      opt.run.max_cycles = kCycleBudget;
      opt.run.force_serial = serial;
      opt.run.trace = rng() % 8 == 0;
      auto sim = Simulator::Create(p, **march, opt);
      if (!sim.ok()) {
        ++rejected;
        break;
      }
      if (k == 1) {
        std::vector<uint8_t> in(p.ddr_input_bytes);
        for (auto& b : in) b = static_cast<uint8_t>(rng());
        ASSERT_TRUE((*sim)->WriteRegion(isa::Region::kInput, 0, in).ok());
      }
      ++ran;
      auto r = (*sim)->Run();
      ok[k] = r.ok();
      if (r.ok()) {
        ++completed;
        cycles[k] = r->stats.total_cycles;
      }
    }
    if (ok[0] && ok[1]) {
      ++compared;
      EXPECT_EQ(cycles[0], cycles[1]) << "perf and both disagree on random program " << it;
    }
  }
  std::printf(
      "simulator-fuzz: %d programs, %d runs, %d completed, %d rejected at creation, "
      "%d perf+both pairs\n",
      kIterations, ran, completed, rejected, compared);
  EXPECT_GE(completed, kMinCompleted) << "fewer random programs run to completion than before";
  EXPECT_GE(compared, kMinCompared) << "fewer perf+both pairs compared than before";
}

// The host paths on random programs: every program that runs to completion on the scalar
// reference gives the same memories (every SRAM of every core and the DDR) on the xsimd, VNNI,
// AVX2 and best paths, on 3 threads, with and without deferred weight LOADs, on a first and a
// second run (packed weights reused).
TEST(SimulatorFuzz, HostPathsGiveTheSameMemoriesOnRandomPrograms) {
  std::mt19937_64 rng(20261203);
  struct Config {
    KernelPath path;
    int threads;
    bool defer;
  };
  const Config configs[] = {{KernelPath::kScalar, 1, false}, {KernelPath::kXsimd, 1, true},
                            {KernelPath::kVnni, 1, true},    {KernelPath::kAvx2, 1, true},
                            {KernelPath::kBest, 3, true},    {KernelPath::kBest, 1, false}};
  int compared = 0;
  for (int it = 0; it < kIterations; ++it) {
    const isa::Program p = RandomProgram(rng, /*with_layers=*/false);
    auto march = isa::FindMarch(p.march);
    ASSERT_TRUE(march.ok());
    std::vector<uint8_t> in(p.ddr_input_bytes);
    for (auto& b : in) b = static_cast<uint8_t>(rng());
    std::vector<std::vector<uint8_t>> want;
    for (const Config& c : configs) {
      SimulatorOptions opt;
      opt.run.mode = Mode::kFunc;
      opt.run.max_cycles = kCycleBudget;
      opt.kernel_path = c.path;
      opt.threads = c.threads;
      opt.defer_weight_loads = c.defer;
      auto sim = Simulator::Create(p, **march, opt);
      if (!sim.ok()) break;
      bool failed = false;
      for (int run = 0; run < 2 && !failed; ++run) {
        ASSERT_TRUE((*sim)->WriteRegion(isa::Region::kInput, 0, in).ok());
        auto r = (*sim)->Run();
        if (!r.ok()) {
          ASSERT_TRUE(want.empty())
              << KernelPathName(c.path) << " failed where scalar ran: " << r.status()
              << " (random program " << it << ")";
          failed = true;
          break;
        }
        std::vector<std::vector<uint8_t>> got;
        for (Space space :
             {Space::kDdr, Space::kFeature, Space::kWeight, Space::kAcc, Space::kLut}) {
          const auto bytes = (*sim)->memories().bytes(space);
          got.emplace_back(bytes.begin(), bytes.end());
        }
        if (want.empty()) {
          want = got;
        } else {
          for (size_t k = 0; k < got.size(); ++k) {
            ASSERT_TRUE(got[k] == want[k])
                << KernelPathName(c.path) << " threads " << c.threads << " defer " << c.defer
                << " run " << run << ": " << SpaceName(static_cast<Space>(k))
                << " differs on random program " << it;
          }
        }
      }
      if (failed) break;
    }
    if (!want.empty()) ++compared;
  }
  std::printf("host-paths-fuzz: %d random programs, memories equal on every path\n", compared);
  EXPECT_GE(compared, 50) << "too few random programs ran to compare the paths";
}

}  // namespace
}  // namespace openbpu::sim
