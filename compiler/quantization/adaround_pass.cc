// ConvertOptions::adaround: each convolution the calibration sampled gets its weight constant
// replaced by the learned grid values (AdaRoundWeight), which convert's round-to-nearest then
// reproduces exactly (docs/QUANTIZATION.md "Learned rounding").
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "compiler/ir/node_error.h"
#include "compiler/quantization/adaround.h"
#include "compiler/quantization/convert_passes.h"

namespace openbpu::quantization {

absl::Status RoundWeightsLearned(ir::Graph& graph, ConvertContext& context) {
  int total = 0, done = 0, last_decile = 0;
  for (const auto& [node_ptr, qconfig] : context.qnodes) {
    const PatchSet* patches = context.state.Patches(node_ptr->name());
    if (patches != nullptr && AdaRoundable(*node_ptr)) ++total;
  }
  std::FILE* progress = context.adaround_progress;
  const bool tty = progress != nullptr && isatty(fileno(progress));
  const auto start = std::chrono::steady_clock::now();
  // On a terminal the line is rewritten in place; in a log one line per 10 %.
  auto report_progress = [&] {
    if (progress == nullptr || total == 0) return;
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const int decile = done * 10 / total;
    if (tty) {
      std::fprintf(progress, "\rround: %d/%d convolutions (%.1f s)%s", done, total, secs,
                   done == total ? "\n" : "");
    } else if (decile > last_decile) {
      last_decile = decile;
      std::fprintf(progress, "round: %d/%d convolutions (%.1f s)\n", done, total, secs);
    }
    std::fflush(progress);
  };
  for (const auto& [node_ptr, qconfig] : context.qnodes) {
    ir::Node* node = const_cast<ir::Node*>(node_ptr);
    const PatchSet* patches = context.state.Patches(node->name());
    if (patches == nullptr || !AdaRoundable(*node)) continue;
    ++done;
    report_progress();
    if (patches->count < kMinAdaRoundPatches) {
      // Too few positions to learn from: the greedy descent would fit them and nothing else.
      ++context.report.adaround_skipped;
      continue;
    }
    auto wq = context.constant_quant.find({node, 1});
    if (wq == context.constant_quant.end() || wq->second.storage != DType::kInt8 ||
        wq->second.axis != 0) {
      continue;
    }
    const Tensor& w = node->input(1)->constant();
    std::vector<float> scales = wq->second.scales;
    if (scales.size() == 1) scales.assign(static_cast<size_t>(w.shape()[0]), scales[0]);
    const int64_t group = node->attrs().GetInt("group", 1);
    absl::StatusOr<AdaRoundResult> rounded = AdaRoundWeight(w, scales, group, *patches);
    if (!rounded.ok()) return ir::NodeError(*node, rounded.status());
    context.float_weights[node] = w;
    absl::StatusOr<ir::Value*> v =
        graph.AddValue(graph.UniqueValueName(absl::StrCat(node->input(1)->name(), "_rounded")));
    if (!v.ok()) return v.status();
    (*v)->set_constant(std::move(rounded->weight));
    node->set_input(1, *v);
    ++context.report.adarounded_layers;
    context.report.adaround_flipped += rounded->flipped;
    context.report.adaround_error_nearest += rounded->error_nearest;
    context.report.adaround_error_learned += rounded->error_learned;
  }
  return absl::OkStatus();
}

}  // namespace openbpu::quantization
