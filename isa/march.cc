// The march tables. Public facts come from the vendor's published figures
// (../shared/design/ISA_AND_SIMULATOR.md); everything else is a documented assumption, fixed per
// march and never tuned per model. No parameter is calibrated yet.
#include "isa/march.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace openbpu::isa {
namespace {

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * 1024;

std::vector<March> BuildMarches() {
  std::vector<March> m;
  m.push_back(March{
      MarchId::kBernoulli2,
      "bernoulli2",
      "X3 / J3",
      {1e9, "public: BPU at 1 GHz"},
      {2, "public: 2 BPU cores"},
      {4, "public: native feature tile 4H x 4W x 8C"},
      {4, "public: native feature tile 4H x 4W x 8C"},
      {8, "public: weight tile 8 out-ch x 8 in-ch"},
      {8, "public: weight tile 8 out-ch x 8 in-ch"},
      {0.0, "public: int8 activations only"},
      {0.327,
       "calibrated: the one fitted parameter, to ResNet-18 224x224 on the X3 board, 8.87 ms "
       "(docs/TIMING_MODEL.md); partial tiles cost whole ones"},
      {64, "assumed: 64 elements/cycle (half a feature tile per cycle)"},
      {32, "assumed: 32 elements/cycle"},
      {1 * kMiB, "assumed: 1 MiB (not published)"},
      {512 * kKiB, "assumed: 512 KiB (not published)"},
      {256 * kKiB, "assumed: 256 KiB = 64K int32 accumulators (not published)"},
      {16 * kKiB, "assumed: 16 KiB (not published)"},
      {12.8, "derived: x32 LPDDR4 at 3200 MT/s = 12.8 GB/s (public) at 1 GHz"},
      {0.6, "assumed: sustained LPDDR4 efficiency, DDR shared with the CPU"},
      {300, "assumed: 300 ns DMA first-byte latency"},
      {4, "assumed: 4 cycles issue/decode per compute instruction"},
      {5.0, "public: 5 TOPS equivalent int8 (X3)"},
      {false, "public: int8 activations"},
      {64,
       "assumed: x32 LPDDR4 with burst length 16 = 64 bytes per access; a DMA run is "
       "rounded up to whole bursts"},
      {4, "assumed: 4 DMAs in flight per queue (typical AXI outstanding transactions)"},
      {100,
       "assumed: 100 ns for a cross-core semaphore (an uncached register write and "
       "interrupt-free poll over the interconnect)"},
  });
  m.push_back(March{
      MarchId::kBayes,
      "bayes",
      "J5",
      {1e9, "assumed: 1 GHz (not published)"},
      {2, "public: 2 BPU cores"},
      {8, "assumed: 8H x 8W feature tile"},
      {8, "assumed: 8H x 8W feature tile"},
      {32, "assumed: 32 x 16 weight tile (32768 MACs ~ 128 TOPS / 2 cores / 2 / 1 GHz)"},
      {16, "assumed: 32 x 16 weight tile (32768 MACs ~ 128 TOPS / 2 cores / 2 / 1 GHz)"},
      {0.25, "assumed: int16 inputs at a quarter of the int8 rate"},
      {1.0, "assumed: one full tile per cycle; partial tiles cost whole ones"},
      {256, "assumed: 256 elements/cycle"},
      {128, "assumed: 128 elements/cycle"},
      {4 * kMiB, "assumed: 4 MiB (not published)"},
      {2 * kMiB, "assumed: 2 MiB (not published)"},
      {1 * kMiB, "assumed: 1 MiB (not published)"},
      {64 * kKiB, "assumed: 64 KiB (not published)"},
      {68.256, "assumed: 4 x x32 LPDDR4X at 4266 MT/s = 68.3 GB/s at 1 GHz"},
      {0.6, "assumed: sustained LPDDR4X efficiency, DDR shared with the CPU"},
      {400, "assumed: 400 ns DMA first-byte latency"},
      {4, "assumed: 4 cycles issue/decode per compute instruction"},
      {128.0, "public: 128 TOPS int8 (J5)"},
      {true, "public: int8 and int16 activations"},
      {64, "assumed: x32 LPDDR4X channels with burst length 16 = 64 bytes per access"},
      {4, "assumed: 4 DMAs in flight per queue (typical AXI outstanding transactions)"},
      {100,
       "assumed: 100 ns for a cross-core semaphore (an uncached register write and "
       "interrupt-free poll over the interconnect)"},
  });
  m.push_back(March{
      MarchId::kBayesE,
      "bayes-e",
      "X5",
      {1e9, "public: BPU at 1 GHz"},
      {1, "public: 1 BPU core"},
      {4, "assumed: 4H x 4W feature tile"},
      {4, "assumed: 4H x 4W feature tile"},
      {16, "assumed: 16 x 16 weight tile (4096 MACs: 8.2 dense TOPS vs 10 nominal)"},
      {16, "assumed: 16 x 16 weight tile (4096 MACs: 8.2 dense TOPS vs 10 nominal)"},
      {0.25, "assumed: int16 inputs at a quarter of the int8 rate"},
      {1.0, "assumed: one full tile per cycle; partial tiles cost whole ones"},
      {128, "assumed: 128 elements/cycle"},
      {64, "assumed: 64 elements/cycle"},
      {2 * kMiB, "assumed: 2 MiB (not published)"},
      {1 * kMiB, "assumed: 1 MiB (not published)"},
      {512 * kKiB, "assumed: 512 KiB (not published)"},
      {64 * kKiB, "assumed: 64 KiB (not published)"},
      {17.064, "assumed: x32 LPDDR4X at 4266 MT/s = 17.1 GB/s at 1 GHz"},
      {0.6, "assumed: sustained LPDDR4X efficiency, DDR shared with the CPU"},
      {300, "assumed: 300 ns DMA first-byte latency"},
      {4, "assumed: 4 cycles issue/decode per compute instruction"},
      {10.0, "public: 10 TOPS int8 (X5)"},
      {true, "assumed: int8 and int16 activations, as bayes"},
      {64, "assumed: x32 LPDDR4X with burst length 16 = 64 bytes per access"},
      {4, "assumed: 4 DMAs in flight per queue (typical AXI outstanding transactions)"},
      {100,
       "assumed: 100 ns for a cross-core semaphore (an uncached register write and "
       "interrupt-free poll over the interconnect)"},
  });
  return m;
}

template <typename T>
std::string Fmt(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "yes" : "no";
  } else if constexpr (std::is_floating_point_v<T>) {
    if (v == static_cast<double>(static_cast<int64_t>(v)))
      return absl::StrCat(v == 0 ? 0 : static_cast<int64_t>(v));
    return absl::StrFormat("%g", v);
  } else {
    return absl::StrCat(v);
  }
}

}  // namespace

const std::vector<March>& AllMarches() {
  static const std::vector<March>* const all = new std::vector<March>(BuildMarches());
  return *all;
}

absl::StatusOr<const March*> FindMarch(absl::string_view name) {
  for (const March& m : AllMarches()) {
    if (name == m.name) return &m;
  }
  return absl::NotFoundError(
      absl::StrCat("unknown march '", name, "' (known: bernoulli2, bayes, bayes-e)"));
}

absl::StatusOr<const March*> FindMarch(MarchId id) {
  for (const March& m : AllMarches()) {
    if (m.id == id) return &m;
  }
  return absl::NotFoundError(absl::StrCat("unknown march code ", static_cast<int>(id)));
}

const char* MarchName(MarchId id) {
  auto m = FindMarch(id);
  return m.ok() ? (*m)->name : "?";
}

std::string MarchTableMarkdown() {
  std::string out;
  for (const March& m : AllMarches()) {
    absl::StrAppend(&out, "### `", m.name, "` (", m.chip, ")\n\n");
    absl::StrAppend(&out, "| parameter | value | provenance |\n| --- | --- | --- |\n");
    auto row = [&](absl::string_view name, const auto& p) {
      absl::StrAppend(&out, "| ", name, " | ", Fmt(p.value), " | ", p.provenance, " |\n");
    };
    row("clock (Hz)", m.clock_hz);
    row("cores", m.cores);
    row("feature tile H", m.feature_tile_h);
    row("feature tile W", m.feature_tile_w);
    row("weight tile out-ch", m.weight_tile_oc);
    row("weight tile in-ch", m.weight_tile_ic);
    row("int16 MAC rate (x int8)", m.int16_mac_rate);
    row("TAE efficiency", m.tae_efficiency);
    row("VAE lanes (elements/cycle)", m.vae_lanes);
    row("AAE lanes (elements/cycle)", m.aae_lanes);
    row("feature SRAM (bytes)", m.feature_sram_bytes);
    row("weight SRAM (bytes)", m.weight_sram_bytes);
    row("accumulator SRAM (bytes)", m.acc_sram_bytes);
    row("LUT SRAM (bytes)", m.lut_sram_bytes);
    row("DDR peak (bytes/cycle)", m.ddr_peak_bytes_per_cycle);
    row("DDR efficiency", m.ddr_efficiency);
    row("DDR latency (cycles)", m.ddr_latency_cycles);
    row("issue cost (cycles)", m.issue_cycles);
    row("published TOPS", m.published_tops);
    row("int16 activations", m.int16_activations);
    row("DDR burst (bytes)", m.ddr_burst_bytes);
    row("DMAs in flight per queue", m.dma_outstanding);
    row("cross-core sync (cycles)", m.core_sync_cycles);
    absl::StrAppend(&out, "| int8 MACs/cycle/core | ", m.MacsPerCycle(),
                    " | derived: tile product |\n");
    absl::StrAppend(&out, "| dense int8 peak (TOPS) | ", absl::StrFormat("%.3g", m.PeakTops()),
                    " | derived: 2 x MACs x cores x clock |\n");
    absl::StrAppend(&out, "| DDR sustained (bytes/cycle) | ",
                    absl::StrFormat("%.4g", m.DdrBytesPerCycle()),
                    " | derived: peak x efficiency |\n\n");
  }
  absl::StrAppend(
      &out,
      "Calibrated parameters: 1, bernoulli2's TAE efficiency, fitted to the X3 board's ResNet-18 "
      "latency; MobileNetV1 is predicted (docs/TIMING_MODEL.md).\n");
  return out;
}

}  // namespace openbpu::isa
