// ConvertOptions::adaround: each convolution the calibration sampled gets its weight constant
// replaced by the learned grid values (AdaRoundWeight), which convert's round-to-nearest then
// reproduces exactly (docs/QUANTIZATION.md "Learned rounding").
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/ir/node_error.h"
#include "compiler/quantization/adaround.h"
#include "compiler/quantization/convert_passes.h"
#include "compiler/quantization/progress.h"

namespace openbpu::quantization {

absl::Status RoundWeightsLearned(ir::Graph& graph, ConvertContext& context) {
  std::vector<ir::Node*> convolutions;
  for (const auto& [node_ptr, qconfig] : context.qnodes) {
    const PatchSet* patches = context.state.Patches(node_ptr->name());
    if (patches != nullptr && AdaRoundable(*node_ptr)) {
      convolutions.push_back(const_cast<ir::Node*>(node_ptr));
    }
  }
  Progress progress(context.adaround_progress, "round", "convolutions",
                    static_cast<int>(convolutions.size()));
  // The progress counts each convolution once it is done, whichever way it ends.
  for (size_t i = 0; i < convolutions.size(); ++i, progress.Update(static_cast<int>(i))) {
    ir::Node* node = convolutions[i];
    const PatchSet* patches = context.state.Patches(node->name());
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
