// LayerAdvice: O2 compile, perf-mode simulation, a roofline per layer.
#include "compiler/check/advice.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "compiler/backend/compile.h"
#include "compiler/backend/hybrid.h"
#include "isa/march.h"
#include "simulator/simulator.h"
#include "simulator/stats.h"

namespace openbpu::check {
namespace {

// Why the array is under-filled: depthwise, few channels, small spatial size.
std::string FillDetail(const ir::Node* node, const isa::March& m) {
  if (node == nullptr || node->input(0) == nullptr) return "";
  const Shape& x = node->input(0)->type().shape;
  const int64_t group = node->attrs().GetInt("group", 1);
  const int64_t c = x.size() > 1 ? x[1] : 0;
  if (group > 1 && group == c) {
    return absl::StrCat("depthwise (group ", group, "): one input channel per output, the array's ",
                        m.weight_tile_ic.value, " input lanes mostly idle");
  }
  std::vector<std::string> why;
  if (c > 0 && c / std::max<int64_t>(group, 1) < m.weight_tile_ic.value) {
    why.push_back(absl::StrCat(c / std::max<int64_t>(group, 1), " input channels per group < ",
                               m.weight_tile_ic.value, " array input lanes"));
  }
  const ir::Value* y = node->output(0);
  if (y != nullptr && y->type().shape.size() > 1) {
    const Shape& s = y->type().shape;
    if (s[1] < m.weight_tile_oc.value) {
      why.push_back(
          absl::StrCat(s[1], " output channels < ", m.weight_tile_oc.value, " array output lanes"));
    }
    int64_t pixels = 1;
    for (size_t i = 2; i < s.size(); ++i) pixels *= s[i];
    if (s.size() > 2 && pixels < int64_t{m.feature_tile_h.value} * m.feature_tile_w.value * 4) {
      why.push_back(absl::StrCat("small spatial size (", pixels, " output pixels)"));
    }
  }
  std::string out;
  for (const std::string& w : why) absl::StrAppend(&out, out.empty() ? "" : "; ", w);
  return out;
}

absl::Status Simulate(const ir::Graph& graph, const backend::CompiledModel& model,
                      const isa::March& m, const std::string& segment, AdviceReport& report,
                      std::vector<SlowLayer>& all) {
  sim::SimulatorOptions options;
  options.run.mode = sim::Mode::kPerf;
  absl::StatusOr<std::unique_ptr<sim::Simulator>> simulator =
      sim::Simulator::Create(model.program, m, options);
  if (!simulator.ok()) return simulator.status();
  absl::StatusOr<sim::RunResult> run = (*simulator)->Run();
  if (!run.ok()) return run.status();
  const double mhz = run->stats.clock_mhz > 0 ? run->stats.clock_mhz : m.clock_mhz();
  report.total_us += run->stats.latency_us;
  for (const sim::LayerStats& l : run->stats.layers) {
    if (l.instructions == 0) continue;
    ++report.layers;
    SlowLayer s;
    s.name = l.name;
    s.segment = segment;
    const ir::Node* node = graph.FindNode(l.name);
    s.op = node != nullptr ? node->op() : "";
    s.time_us = double(l.last_end - l.first_start) / mhz;
    s.macs = l.macs;
    s.ddr_bytes = l.ddr_loaded_bytes + l.ddr_stored_bytes;
    s.compute_bound_us = double(l.macs) / double(m.MacsPerCycle()) / mhz;
    s.ddr_bound_us = double(s.ddr_bytes) / m.ddr_peak_bytes_per_cycle.value / mhz;
    s.bound_us = std::max(s.compute_bound_us, s.ddr_bound_us);
    const uint64_t tae = l.busy_cycles[static_cast<int>(sim::Unit::kTae)];
    const uint64_t vec = l.busy_cycles[static_cast<int>(sim::Unit::kVae)] +
                         l.busy_cycles[static_cast<int>(sim::Unit::kAae)];
    const uint64_t ls = std::max(l.busy_cycles[static_cast<int>(sim::Unit::kLoad)],
                                 l.busy_cycles[static_cast<int>(sim::Unit::kStore)]);
    s.mac_fill = tae > 0 ? double(l.macs) / (double(tae) * double(m.MacsPerCycle())) : 0;
    if (ls >= tae && ls >= vec) {
      s.reason = "DDR-bound";
      s.detail = absl::StrFormat("%llu DDR bytes, load/store busy %.1f us",
                                 static_cast<unsigned long long>(s.ddr_bytes), double(ls) / mhz);
      if (double(ls) / mhz > 2 * s.ddr_bound_us) {
        absl::StrAppend(&s.detail,
                        absl::StrFormat(", %.1fx the DDR peak's time: short DMA runs (each a "
                                        "whole burst and a first-byte latency; few channels "
                                        "per pixel or a small tensor)",
                                        double(ls) / mhz / std::max(s.ddr_bound_us, 1e-9)));
      } else if (s.macs > 0) {
        absl::StrAppend(&s.detail,
                        ": the weights and features stream from DDR (fewer bytes: "
                        "keep the chain on chip, or a smaller layer)");
      }
    } else if (vec > tae) {
      s.reason = "vector-unit bound";
      s.detail = absl::StrFormat("VAE+AAE busy %.1f us vs TAE %.1f us", double(vec) / mhz,
                                 double(tae) / mhz);
    } else if (s.mac_fill < 0.5) {
      s.reason = "MAC array under-filled";
      s.detail = absl::StrFormat("%.0f%% of the array's MACs used", 100 * s.mac_fill);
      const std::string why = FillDetail(node, m);
      if (!why.empty()) absl::StrAppend(&s.detail, ": ", why);
    } else {
      s.reason = "compute-bound";
      s.detail = absl::StrFormat("%.0f%% of the array's MACs used", 100 * s.mac_fill);
    }
    all.push_back(std::move(s));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AdviceReport> LayerAdvice(const ir::Graph& graph, const std::string& march,
                                         double threshold_us) {
  absl::StatusOr<const isa::March*> m = isa::FindMarch(march);
  if (!m.ok()) return m.status();
  AdviceReport report;
  report.march = march;
  report.threshold_us = threshold_us;
  backend::CompileOptions options;
  options.march = march;
  options.opt = "O2";
  std::vector<SlowLayer> all;
  if (backend::NeedsHybrid(graph)) {
    absl::StatusOr<backend::HybridModel> hybrid = backend::CompileHybrid(graph, options);
    if (!hybrid.ok()) return hybrid.status();
    for (const backend::HybridSegment& seg : hybrid->segments) {
      if (!seg.bpu) continue;
      if (absl::Status st = Simulate(graph, seg.model, **m, seg.name, report, all); !st.ok()) {
        return st;
      }
    }
  } else {
    absl::StatusOr<backend::CompiledModel> model = backend::Compile(graph, options);
    if (!model.ok()) return model.status();
    if (absl::Status st = Simulate(graph, *model, **m, "", report, all); !st.ok()) return st;
  }
  for (SlowLayer& s : all) {
    if (s.time_us > threshold_us) report.slow.push_back(std::move(s));
  }
  std::stable_sort(report.slow.begin(), report.slow.end(),
                   [](const SlowLayer& a, const SlowLayer& b) { return a.time_us > b.time_us; });
  return report;
}

std::string FormatAdvice(const AdviceReport& r) {
  std::string out =
      absl::StrFormat("advice: %zu of %d layers over %g us (%s, O2, modeled latency %.1f us)\n",
                      r.slow.size(), r.layers, r.threshold_us, r.march, r.total_us);
  for (const SlowLayer& s : r.slow) {
    absl::StrAppend(
        &out,
        absl::StrFormat("  %s%s (%s): %.1f us vs roofline %.1f us (%.1fx; compute %.1f us, DDR "
                        "%.1f us): %s; %s\n",
                        s.segment.empty() ? "" : s.segment + ": ", s.name, s.op, s.time_us,
                        s.bound_us, s.bound_us > 0 ? s.time_us / s.bound_us : 0.0,
                        s.compute_bound_us, s.ddr_bound_us, s.reason, s.detail));
  }
  return out;
}

}  // namespace openbpu::check
