// The searching opt levels (issue 14): O3, fast, ddr and balance compile a quantized graph at O2
// with several back-end knobs (compiler/backend/knobs.h: the on-chip chain pool's share, a cap on
// convolution tile rows: 22 candidates), run each candidate program in the simulator's perf mode
// (the timing model) and keep the best by the level's objective:
//
//   O3, fast   the fewest modeled cycles (ties: fewer DDR bytes, then the lower index)
//   ddr        the fewest DDR bytes loaded + stored (ties: fewer cycles, then the lower index)
//   balance    the least F/100 * cycles / min_cycles + (100 - F)/100 * bytes / min_bytes, the
//              minima over the candidates that compiled; F = balance_factor in 0..100 (100 = pure
//              latency, 0 = pure DDR bytes; default 50); ties: the lower index
//
// Candidate 0 is O2's own configuration, so the search is never slower than O2 (and O1 is
// candidate 1). `jobs` threads compile and score candidates concurrently; each result is kept at
// its candidate's fixed index and the choice scans them in index order, so the program is the
// same for every `jobs`. Hybrid models (float nodes on the CPU): Search rejects them;
// SearchHybrid searches each BPU segment on its own.
//
// This package may use the simulator; compiler/backend may not (docs/LAYERING.md).
#ifndef OPENBPU_COMPILER_TUNE_TUNE_H_
#define OPENBPU_COMPILER_TUNE_TUNE_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "compiler/backend/compile.h"
#include "compiler/backend/hybrid.h"
#include "compiler/ir/graph.h"

namespace openbpu::tune {

// "O3", "fast", "ddr", "balance".
bool IsSearchLevel(const std::string& level);
// Every level bpu compile --opt takes: the back end's O0, O1, O2, then the searches.
const std::vector<std::string>& AllLevels();
// InvalidArgument naming the valid values: an unknown level, or balance_factor outside 0..100.
absl::Status ValidateLevel(const std::string& level, int balance_factor);

struct SearchOptions {
  std::string level = "O3";  // O3, fast, ddr or balance
  int balance_factor = 50;   // balance only
  int jobs = 1;              // threads compiling and scoring candidates
  // `search: candidate 3/14 pool_shift=2 max_conv_tile_rows=8: 123456 cycles, 789 DDR bytes`
  // per finished candidate (in index order); null for silence.
  std::FILE* progress = nullptr;
};

struct Candidate {
  int index = 0;
  std::string label;  // "O2", "O1" or the knobs
  backend::CompileOptions options;
  absl::Status status;  // a candidate that does not compile (e.g. a pool share too large)
  uint64_t cycles = 0, ddr_bytes = 0;
  backend::CompiledModel model;
};

// The fixed candidate list for `base` (an O2 compile's options): index 0 is O2 itself.
std::vector<Candidate> Candidates(const backend::CompileOptions& base);

// Compiles and scores every candidate (perf mode) on `jobs` threads. Candidates that fail keep
// their status; an error only when none compiles.
absl::StatusOr<std::vector<Candidate>> ScoreCandidates(const ir::Graph& graph,
                                                       const backend::CompileOptions& base,
                                                       int jobs, std::FILE* progress = nullptr);

// The index of the best compiled candidate for `level` (see above); -1 when none compiled.
int Choose(const std::vector<Candidate>& candidates, const std::string& level, int balance_factor);

struct SearchResult {
  backend::CompiledModel model;  // the chosen candidate's
  int chosen = 0, count = 0;     // its index, the number of candidates
  std::string label;
  backend::CompileKnobs knobs;
  uint64_t cycles = 0, ddr_bytes = 0;
};

// The whole search: validate, score, choose. `base.opt` is ignored (candidates are O1 / O2).
absl::StatusOr<SearchResult> Search(const ir::Graph& graph, const backend::CompileOptions& base,
                                    const SearchOptions& options);

// A hybrid model with each BPU segment searched on its own (backend::CompileHybrid with the
// search as its segment compiler); `segments` has one result (without its model) per BPU segment,
// in segment order, named by the segment (`bpu0`, `bpu2`, ...).
struct HybridSearchResult {
  backend::HybridModel model;
  std::vector<std::pair<std::string, SearchResult>> segments;
};
absl::StatusOr<HybridSearchResult> SearchHybrid(const ir::Graph& graph,
                                                const backend::CompileOptions& base,
                                                const SearchOptions& options);

}  // namespace openbpu::tune

#endif  // OPENBPU_COMPILER_TUNE_TUNE_H_
