// Statistics and trace-event JSON from a schedule.
#include "simulator/stats.h"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace openbpu::sim {
namespace {

std::string JsonEscape(absl::string_view s) {
  std::string out;
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

SimStats ComputeStats(const std::vector<SimOp>& ops, const Schedule& schedule, double clock_mhz,
                      const std::map<int32_t, std::string>& layer_names) {
  SimStats s;
  s.total_cycles = schedule.total_cycles;
  s.clock_mhz = clock_mhz;
  s.latency_us = clock_mhz > 0 ? static_cast<double>(s.total_cycles) / clock_mhz : 0;
  s.instructions = ops.size();
  std::map<int32_t, LayerStats> layers;
  // Busy time is the union of a unit's instruction spans: a DMA queue keeps several in flight
  // (in order), so its spans may overlap. Per unit, and per layer and unit, the cycle up to
  // which time is counted already.
  std::array<uint64_t, kMaxQueues> covered{};
  std::map<std::pair<int32_t, int>, uint64_t> layer_covered;
  for (const SimOp& op : ops) s.cores = std::max(s.cores, op.core + 1);
  if (s.cores > 1) s.core_units.resize(s.cores);
  auto count_new = [](uint64_t& until, const OpTime& t) {
    const uint64_t from = std::max(t.start, until);
    until = std::max(until, t.end);
    return t.end > from ? t.end - from : uint64_t{0};
  };
  for (size_t i = 0; i < ops.size() && i < schedule.times.size(); ++i) {
    const SimOp& op = ops[i];
    const OpTime& t = schedule.times[i];
    const int u = static_cast<int>(op.unit);
    const uint64_t busy_now = count_new(covered[op.queue()], t);
    s.units[u].busy_cycles += busy_now;
    ++s.units[u].instructions;
    if (s.cores > 1) {
      s.core_units[op.core][u].busy_cycles += busy_now;
      ++s.core_units[op.core][u].instructions;
    }
    s.macs += op.macs;
    const uint64_t loaded = op.ddr_write ? 0 : op.ddr_bytes;
    const uint64_t stored = op.ddr_write ? op.ddr_bytes : 0;
    s.ddr_loaded_bytes += loaded;
    s.ddr_stored_bytes += stored;
    if (op.layer_id < 0) continue;
    auto [it, inserted] = layers.try_emplace(op.layer_id);
    LayerStats& l = it->second;
    if (inserted) {
      l.id = op.layer_id;
      auto name = layer_names.find(op.layer_id);
      l.name = name != layer_names.end() ? name->second : absl::StrCat("layer", op.layer_id);
      l.first_start = t.start;
    }
    const uint64_t busy = count_new(layer_covered[{op.layer_id, op.queue()}], t);
    ++l.instructions;
    l.first_start = std::min(l.first_start, t.start);
    l.last_end = std::max(l.last_end, t.end);
    l.busy_cycles[u] += busy;
    if (op.unit == Unit::kLoad || op.unit == Unit::kStore) {
      l.load_store_cycles += busy;
    } else {
      l.compute_cycles += busy;
    }
    l.macs += op.macs;
    l.ddr_loaded_bytes += loaded;
    l.ddr_stored_bytes += stored;
  }
  for (UnitStats& u : s.units) {
    u.utilization =
        s.total_cycles ? static_cast<double>(u.busy_cycles) / s.total_cycles / s.cores : 0;
  }
  for (auto& core : s.core_units) {
    for (UnitStats& u : core) {
      u.utilization = s.total_cycles ? static_cast<double>(u.busy_cycles) / s.total_cycles : 0;
    }
  }
  for (auto& [id, l] : layers) s.layers.push_back(std::move(l));
  return s;
}

std::string ChromeTraceJson(const std::vector<SimOp>& ops, const Schedule& schedule,
                            double clock_mhz, const std::map<int32_t, std::string>& layer_names) {
  const double us_per_cycle = clock_mhz > 0 ? 1.0 / clock_mhz : 1.0;
  std::string out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  int cores = 1;
  for (const SimOp& op : ops) cores = std::max(cores, op.core + 1);
  for (int c = 0; c < cores; ++c) {
    absl::StrAppendFormat(&out,
                          "%s{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":0,"
                          "\"args\":{\"name\":\"BPU core %d\"}}",
                          c == 0 ? "" : ",\n", c, c);
  }
  // A track's name (its unit) and its place in the viewer, in core `pid`'s process.
  auto track = [&out](int pid, int tid, Unit unit, int sort_index) {
    absl::StrAppendFormat(&out,
                          ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,"
                          "\"args\":{\"name\":\"%s\"}}",
                          pid, tid, UnitName(unit));
    absl::StrAppendFormat(&out,
                          ",\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":%d,"
                          "\"tid\":%d,\"args\":{\"sort_index\":%d}}",
                          pid, tid, sort_index);
  };
  for (int c = 0; c < cores; ++c) {
    for (int u = 0; u < kNumUnits; ++u) track(c, u, static_cast<Unit>(u), u * 100);
  }
  // A DMA queue's overlapping instructions go on extra tracks of the unit (same name and
  // category): the first track whose last instruction has ended.
  std::array<std::vector<uint64_t>, kMaxQueues> track_free;
  std::set<std::pair<int, int>> extra_tids;  // (core, tid)
  for (size_t i = 0; i < ops.size() && i < schedule.times.size(); ++i) {
    const SimOp& op = ops[i];
    const OpTime& t = schedule.times[i];
    const int u = static_cast<int>(op.unit);
    std::vector<uint64_t>& free_at = track_free[op.queue()];
    size_t slot = 0;
    while (slot < free_at.size() && free_at[slot] > t.start) ++slot;
    if (slot == free_at.size()) free_at.push_back(0);
    free_at[slot] = t.end;
    const int tid = slot == 0 ? u : 100 * (u + 1) + static_cast<int>(slot);
    if (slot > 0) extra_tids.insert({op.core, tid});
    std::string layer;
    if (op.layer_id >= 0) {
      auto it = layer_names.find(op.layer_id);
      layer = it != layer_names.end() ? it->second : absl::StrCat("layer", op.layer_id);
    }
    absl::StrAppendFormat(
        &out,
        ",\n{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"X\",\"pid\":%d,\"tid\":%d,\"ts\":%.6f,"
        "\"dur\":%.6f,\"args\":{\"instruction\":%d,\"layer\":\"%s\",\"layer_id\":%d,"
        "\"start_cycle\":%u,\"end_cycle\":%u,\"ddr_bytes\":%u,\"macs\":%u}}",
        JsonEscape(op.name), UnitName(op.unit), op.core, tid, t.start * us_per_cycle,
        (t.end - t.start) * us_per_cycle, op.index, JsonEscape(layer), op.layer_id, t.start, t.end,
        op.ddr_bytes, op.macs);
  }
  for (const auto& [core, tid] : extra_tids) {
    const int u = tid / 100 - 1;
    track(core, tid, static_cast<Unit>(u), u * 100 + tid % 100);
  }
  out += "\n]}\n";
  return out;
}

std::string StatsSummary(const SimStats& s) {
  std::string out = absl::StrFormat(
      "total cycles %u, latency %.3f us at %.0f MHz, %u instructions, %u MACs, DDR loaded %u B, "
      "stored %u B\n",
      s.total_cycles, s.latency_us, s.clock_mhz, s.instructions, s.macs, s.ddr_loaded_bytes,
      s.ddr_stored_bytes);
  if (s.cores > 1)
    absl::StrAppendFormat(&out, "  %d BPU cores (unit busy summed over them)\n", s.cores);
  for (int u = 0; u < kNumUnits; ++u) {
    absl::StrAppendFormat(&out, "  %-5s busy %10u cycles (%5.1f%%), %u instructions\n",
                          UnitName(static_cast<Unit>(u)), s.units[u].busy_cycles,
                          100 * s.units[u].utilization, s.units[u].instructions);
  }
  for (size_t c = 0; c < s.core_units.size(); ++c) {
    absl::StrAppendFormat(&out, "  core %d:", c);
    for (int u = 0; u < kNumUnits; ++u) {
      absl::StrAppendFormat(&out, " %s %.1f%%", UnitName(static_cast<Unit>(u)),
                            100 * s.core_units[c][u].utilization);
    }
    out += "\n";
  }
  for (const LayerStats& l : s.layers) {
    absl::StrAppendFormat(&out,
                          "  layer %d %s: cycles [%u, %u), compute %u, load/store %u, MACs %u, "
                          "DDR in %u B out %u B\n",
                          l.id, l.name, l.first_start, l.last_end, l.compute_cycles,
                          l.load_store_cycles, l.macs, l.ddr_loaded_bytes, l.ddr_stored_bytes);
  }
  return out;
}

}  // namespace openbpu::sim
