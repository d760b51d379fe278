#include "compiler/tune/tune.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "compiler/backend/hybrid.h"
#include "isa/march.h"
#include "simulator/simulator.h"

namespace openbpu::tune {

bool IsSearchLevel(const std::string& level) {
  return level == "O3" || level == "fast" || level == "ddr" || level == "balance";
}

const std::vector<std::string>& AllLevels() {
  static const auto* levels =
      new std::vector<std::string>{"O0", "O1", "O2", "O3", "fast", "ddr", "balance"};
  return *levels;
}

absl::Status ValidateLevel(const std::string& level, int balance_factor) {
  const std::vector<std::string>& all = AllLevels();
  if (std::find(all.begin(), all.end(), level) == all.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("opt level '", level, "' is not one of ", absl::StrJoin(all, ", ")));
  }
  if (balance_factor < 0 || balance_factor > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("balance factor ", balance_factor,
                     " is out of range: 0 (pure DDR bytes) .. 100 (pure latency)"));
  }
  return absl::OkStatus();
}

std::vector<Candidate> Candidates(const backend::CompileOptions& base) {
  std::vector<Candidate> out;
  auto add = [&](std::string label, std::string opt, backend::CompileKnobs knobs,
                 bool operand_pitches) {
    Candidate c;
    c.index = static_cast<int>(out.size());
    c.label = std::move(label);
    c.options = base;
    c.options.opt = std::move(opt);
    c.options.knobs = knobs;
    c.options.operand_pitches = operand_pitches;
    c.options.progress = nullptr;
    out.push_back(std::move(c));
  };
  add("O2", "O2", {}, base.operand_pitches);  // O2's own rules: never slower than O2
  add("O1", "O1", {}, base.operand_pitches);
  // O2 without the operand pitches (on-chip operands copied through tiles).
  add("O2 no-operand-pitches", "O2", {}, false);
  for (int rows : {0, 32, 16, 8, 4}) {
    for (int shift : {1, 2, 3, 0}) {
      if (rows == 0 && shift == 0) continue;  // O1's program
      backend::CompileKnobs k;
      k.pool_shift = shift;
      k.max_conv_tile_rows = rows;
      add(backend::KnobsString(k), "O2", k, base.operand_pitches);
    }
  }
  return out;
}

namespace {

// Compiles and runs one candidate in perf mode.
void Score(const ir::Graph& graph, const isa::March& march, Candidate& c) {
  absl::StatusOr<backend::CompiledModel> model = backend::Compile(graph, c.options);
  if (!model.ok()) {
    c.status = model.status();
    return;
  }
  sim::SimulatorOptions sim_options;
  sim_options.run.mode = sim::Mode::kPerf;
  absl::StatusOr<std::unique_ptr<sim::Simulator>> sim =
      sim::Simulator::Create(model->program, march, sim_options);
  if (!sim.ok()) {
    c.status = sim.status();
    return;
  }
  absl::StatusOr<sim::RunResult> run = (*sim)->Run();
  if (!run.ok()) {
    c.status = run.status();
    return;
  }
  c.cycles = run->stats.total_cycles;
  c.ddr_bytes = run->stats.ddr_loaded_bytes + run->stats.ddr_stored_bytes;
  c.model = *std::move(model);
}

}  // namespace

absl::StatusOr<std::vector<Candidate>> ScoreCandidates(const ir::Graph& graph,
                                                       const backend::CompileOptions& base,
                                                       int jobs, std::FILE* progress) {
  if (jobs < 1) return absl::InvalidArgumentError(absl::StrCat("jobs ", jobs, " < 1"));
  if (backend::NeedsHybrid(graph)) {
    return absl::InvalidArgumentError(
        "Search takes BPU-only graphs: this graph has float nodes for the CPU (a hybrid model); "
        "search its BPU segments with SearchHybrid (bpu compile --hybrid does)");
  }
  absl::StatusOr<const isa::March*> march = isa::FindMarch(base.march);
  if (!march.ok()) return march.status();
  std::vector<Candidate> candidates = Candidates(base);
  const int n = static_cast<int>(candidates.size());
  std::atomic<int> next{0};
  std::mutex mu;
  std::vector<bool> done(candidates.size(), false);
  int printed = 0;
  auto work = [&] {
    for (int i = next++; i < n; i = next++) {
      Score(graph, **march, candidates[i]);
      std::lock_guard<std::mutex> lock(mu);
      done[i] = true;
      // Progress in index order: every finished candidate not yet printed, up to the first gap.
      for (; printed < n && done[printed]; ++printed) {
        const Candidate& c = candidates[printed];
        if (progress == nullptr) continue;
        if (c.status.ok()) {
          std::fprintf(progress, "search: candidate %d/%d %s: %llu cycles, %llu DDR bytes\n",
                       printed + 1, n, c.label.c_str(), static_cast<unsigned long long>(c.cycles),
                       static_cast<unsigned long long>(c.ddr_bytes));
        } else {
          std::fprintf(progress, "search: candidate %d/%d %s: does not compile (%s)\n", printed + 1,
                       n, c.label.c_str(), std::string(c.status.message()).c_str());
        }
        std::fflush(progress);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < std::min(jobs, n); ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  for (const Candidate& c : candidates) {
    if (c.status.ok()) return candidates;
  }
  return candidates[0].status;  // O2's own error
}

int Choose(const std::vector<Candidate>& candidates, const std::string& level, int balance_factor) {
  uint64_t min_cycles = 0, min_bytes = 0;
  for (const Candidate& c : candidates) {
    if (!c.status.ok()) continue;
    if (min_cycles == 0 || c.cycles < min_cycles) min_cycles = c.cycles;
    if (min_bytes == 0 || c.ddr_bytes < min_bytes) min_bytes = c.ddr_bytes;
  }
  auto score = [&](const Candidate& c) {
    const double f = balance_factor / 100.0;
    return f * static_cast<double>(c.cycles) /
               static_cast<double>(std::max<uint64_t>(min_cycles, 1)) +
           (1 - f) * static_cast<double>(c.ddr_bytes) /
               static_cast<double>(std::max<uint64_t>(min_bytes, 1));
  };
  // True when a is strictly better than b (candidates are scanned in index order, so ties keep
  // the lower index).
  auto better = [&](const Candidate& a, const Candidate& b) {
    if (level == "ddr") {
      return a.ddr_bytes != b.ddr_bytes ? a.ddr_bytes < b.ddr_bytes : a.cycles < b.cycles;
    }
    if (level == "balance") return score(a) < score(b);
    return a.cycles != b.cycles ? a.cycles < b.cycles : a.ddr_bytes < b.ddr_bytes;  // O3, fast
  };
  int best = -1;
  for (int i = 0; i < static_cast<int>(candidates.size()); ++i) {
    if (!candidates[i].status.ok()) continue;
    if (best < 0 || better(candidates[i], candidates[best])) best = i;
  }
  return best;
}

absl::StatusOr<SearchResult> Search(const ir::Graph& graph, const backend::CompileOptions& base,
                                    const SearchOptions& options) {
  if (absl::Status st = ValidateLevel(options.level, options.balance_factor); !st.ok()) return st;
  if (!IsSearchLevel(options.level)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "opt level '", options.level,
        "' is not a search (O3, fast, ddr or balance): compile it with backend::Compile"));
  }
  absl::StatusOr<std::vector<Candidate>> candidates =
      ScoreCandidates(graph, base, options.jobs, options.progress);
  if (!candidates.ok()) return candidates.status();
  const int best = Choose(*candidates, options.level, options.balance_factor);
  if (best < 0) return absl::InternalError("no candidate compiled");
  Candidate& c = (*candidates)[best];
  SearchResult result;
  result.chosen = best;
  result.count = static_cast<int>(candidates->size());
  result.label = c.label;
  result.knobs = c.options.knobs;
  result.cycles = c.cycles;
  result.ddr_bytes = c.ddr_bytes;
  result.model = std::move(c.model);
  return result;
}

absl::StatusOr<HybridSearchResult> SearchHybrid(const ir::Graph& graph,
                                                const backend::CompileOptions& base,
                                                const SearchOptions& options) {
  if (absl::Status st = ValidateLevel(options.level, options.balance_factor); !st.ok()) return st;
  HybridSearchResult result;
  std::vector<SearchResult> found;  // per BPU segment, in compile (= segment) order
  auto search = [&](const ir::Graph& segment,
                    const backend::CompileOptions& o) -> absl::StatusOr<backend::CompiledModel> {
    if (options.progress != nullptr) {
      std::fprintf(options.progress, "search: segment %s\n", segment.name().c_str());
    }
    absl::StatusOr<SearchResult> r = Search(segment, o, options);
    if (!r.ok()) return r.status();
    backend::CompiledModel model = std::move(r->model);
    r->model = {};
    found.push_back(*std::move(r));
    return model;
  };
  absl::StatusOr<backend::HybridModel> model = backend::CompileHybrid(graph, base, search);
  if (!model.ok()) return model.status();
  size_t next = 0;
  for (const backend::HybridSegment& s : model->segments) {
    if (!s.bpu) continue;
    if (next >= found.size()) return absl::InternalError("a BPU segment without a search");
    result.segments.emplace_back(s.name, std::move(found[next++]));
  }
  result.model = *std::move(model);
  return result;
}

}  // namespace openbpu::tune
