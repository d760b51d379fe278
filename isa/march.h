// March tables of the modeled BPUs (bernoulli2 = X3/J3, bayes = J5, bayes-e = X5): every timing
// and capacity parameter in one place, each with its provenance (isa/ISA.md, "Marches").
#ifndef OPENBPU_ISA_MARCH_H_
#define OPENBPU_ISA_MARCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace openbpu::isa {

// Codes of the program header's march byte.
enum class MarchId : uint8_t { kBernoulli2 = 0, kBayes = 1, kBayesE = 2 };
inline constexpr int kNumMarches = 3;

// One parameter: its value and where it comes from ("public: ...", "derived: ...",
// "assumed: ...", "calibrated: ...").
template <typename T>
struct Param {
  T value{};
  const char* provenance = "";
};

struct March {
  MarchId id;
  const char* name;  // "bernoulli2", "bayes", "bayes-e"
  const char* chip;  // "X3 / J3", ...
  Param<double> clock_hz;
  Param<int> cores;
  // MAC array: per cycle it multiplies a feature tile (tile_h x tile_w pixels x tile_ic
  // channels) by a weight tile (tile_oc x tile_ic): tile_h * tile_w * tile_oc * tile_ic MACs.
  Param<int> feature_tile_h;
  Param<int> feature_tile_w;
  Param<int> weight_tile_oc;
  Param<int> weight_tile_ic;
  Param<double> int16_mac_rate;  // int16-input MAC throughput relative to int8 (0 = none)
  Param<double> tae_efficiency;  // fraction of peak the array sustains on full tiles
  Param<int> vae_lanes;          // VAE elements per cycle
  Param<int> aae_lanes;          // AAE elements (window taps) per cycle
  Param<int64_t> feature_sram_bytes;
  Param<int64_t> weight_sram_bytes;
  Param<int64_t> acc_sram_bytes;
  Param<int64_t> lut_sram_bytes;
  Param<double> ddr_peak_bytes_per_cycle;  // at the BPU clock, shared by LOAD and STORE
  Param<double> ddr_efficiency;            // sustained / peak
  Param<int> ddr_latency_cycles;           // first-byte latency of every DMA
  Param<int> issue_cycles;                 // fixed cost of every compute instruction
  Param<double> published_tops;            // the vendor's int8 TOPS figure (all cores)
  Param<bool> int16_activations;
  // A DMA run (a contiguous stretch of DDR) occupies whole bursts of the DDR channel: a 3-byte
  // pixel row costs a burst, so short runs cost more per byte than long ones.
  Param<int> ddr_burst_bytes;
  // DMAs a LOAD or STORE queue keeps in flight: their first-byte latencies overlap, their
  // transfers share the DDR channel.
  Param<int> dma_outstanding;
  // ISA 1.2 `xsync`: the cycles from a core's queue signalling another core to that core's
  // semaphore counting it (the xsync occupies its queue that long).
  Param<int> core_sync_cycles;

  int64_t MacsPerCycle() const {
    return int64_t{feature_tile_h.value} * feature_tile_w.value * weight_tile_oc.value *
           weight_tile_ic.value;
  }
  double DdrBytesPerCycle() const { return ddr_peak_bytes_per_cycle.value * ddr_efficiency.value; }
  // Dense int8 peak of all cores in TOPS (2 ops per MAC).
  double PeakTops() const {
    return 2.0 * static_cast<double>(MacsPerCycle()) * cores.value * clock_hz.value / 1e12;
  }
  double clock_mhz() const { return clock_hz.value / 1e6; }
};

const std::vector<March>& AllMarches();
// NOT_FOUND for an unknown name / id.
absl::StatusOr<const March*> FindMarch(absl::string_view name);
absl::StatusOr<const March*> FindMarch(MarchId id);
const char* MarchName(MarchId id);

// The Markdown tables ISA.md embeds between its march-table markers.
std::string MarchTableMarkdown();

}  // namespace openbpu::isa

#endif  // OPENBPU_ISA_MARCH_H_
