// SimStats -> perf::SimStats.
#include "simulator/perf_proto.h"

#include "absl/strings/ascii.h"

namespace openbpu::sim {
namespace {

void FillUnit(int u, uint64_t busy, uint64_t instructions, double utilization,
              perf::UnitStats* out) {
  out->set_unit(static_cast<perf::Unit>(u));
  out->set_name(absl::AsciiStrToLower(UnitName(static_cast<Unit>(u))));
  out->set_busy_cycles(busy);
  out->set_instructions(instructions);
  out->set_utilization(utilization);
}

}  // namespace

perf::SimStats ToProto(const SimStats& s, const isa::March& march, Mode mode) {
  perf::SimStats p;
  p.set_march(march.name);
  p.set_clock_hz(march.clock_hz.value);
  p.set_cores(static_cast<uint32_t>(s.cores));  // the program's instruction streams
  p.set_total_cycles(s.total_cycles);
  p.set_latency_us(s.latency_us);
  p.set_instructions(s.instructions);
  p.set_macs(s.macs);
  p.set_ddr_loaded_bytes(s.ddr_loaded_bytes);
  p.set_ddr_stored_bytes(s.ddr_stored_bytes);
  p.set_mode(ModeName(mode));
  for (int u = 0; u < kNumUnits; ++u) {
    FillUnit(u, s.units[u].busy_cycles, s.units[u].instructions, s.units[u].utilization,
             p.add_units());
  }
  for (const LayerStats& l : s.layers) {
    perf::LayerStats* pl = p.add_layers();
    pl->set_layer_id(l.id);
    pl->set_name(l.name);
    pl->set_instructions(l.instructions);
    pl->set_first_start_cycle(l.first_start);
    pl->set_last_end_cycle(l.last_end);
    for (int u = 0; u < kNumUnits; ++u) {
      const uint64_t span = l.last_end > l.first_start ? l.last_end - l.first_start : 0;
      FillUnit(u, l.busy_cycles[u], 0, span ? static_cast<double>(l.busy_cycles[u]) / span : 0,
               pl->add_units());
    }
    pl->set_compute_cycles(l.compute_cycles);
    pl->set_load_store_cycles(l.load_store_cycles);
    pl->set_macs(l.macs);
    pl->set_ddr_loaded_bytes(l.ddr_loaded_bytes);
    pl->set_ddr_stored_bytes(l.ddr_stored_bytes);
  }
  return p;
}

}  // namespace openbpu::sim
