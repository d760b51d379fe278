#include "compiler/backend/cores.h"

#include <map>
#include <string>

namespace openbpu::backend {

double SplitSaving(const isa::March& march, int cores, double macs) {
  const double rate = static_cast<double>(march.MacsPerCycle()) * march.tae_efficiency.value;
  return macs / rate * (1.0 - 1.0 / cores);
}

double SplitCost(const isa::March& march, int cores, double extra_ddr_bytes) {
  const double sync = 4.0 * march.core_sync_cycles.value * cores;  // a few xsyncs per core
  return sync + extra_ddr_bytes / march.DdrBytesPerCycle();
}

ConvSplit PlanConvSplit(const isa::March& march, int cores, double macs, double weight_bytes,
                        int64_t units, int64_t row_tiles, bool in_ddr) {
  ConvSplit split;
  if (cores < 2 || !in_ddr) return split;
  const double saved = SplitSaving(march, cores, macs);
  split.by_group = units >= cores && saved > SplitCost(march, cores, 0);
  split.by_rows = !split.by_group && row_tiles >= 2 &&
                  saved > SplitCost(march, cores, weight_bytes * (cores - 1));
  return split;
}

std::set<const ir::Value*> ValuesKeptInDdrForSplits(
    const isa::March& march, int cores, const std::vector<const ir::Node*>& nodes,
    const std::function<const ir::Value*(const ir::Value*)>& root) {
  std::set<const ir::Value*> kept;
  if (cores < 2) return kept;
  std::map<const ir::Value*, int> uses;  // readers, plus one for the writer
  for (const ir::Node* node : nodes) {
    for (const ir::Value* in : node->inputs()) {
      if (in != nullptr && !in->is_constant()) ++uses[root(in)];
    }
    for (const ir::Value* out : node->outputs()) ++uses[root(out)];
  }
  for (const ir::Node* node : nodes) {
    const std::string& op = node->op();
    if ((op != "Conv" && op != "FusedConv" && op != "ConvTranspose") || node->num_inputs() < 2 ||
        node->input(1) == nullptr || node->output(0) == nullptr) {
      continue;
    }
    const Shape& w = node->input(1)->type().shape;
    double macs = 1, weight_bytes = 1, bytes = 0;
    for (int64_t d : node->output(0)->type().shape) macs *= static_cast<double>(d);
    for (size_t k = 1; k < w.size(); ++k) macs *= static_cast<double>(w[k]);
    for (int64_t d : w) weight_bytes *= static_cast<double>(d);
    // The activations (not the weights and bias, inputs 1 and 2) and the output.
    std::vector<const ir::Value*> operands = {node->output(0)};
    for (size_t k = 0; k < node->num_inputs(); ++k) {
      const ir::Value* in = node->input(k);
      if (k != 1 && k != 2 && in != nullptr && !in->is_constant()) operands.push_back(in);
    }
    for (const ir::Value* v : operands) {
      double n = static_cast<double>(
          DTypeSize(v->type().quant.has_value() ? v->type().quant->storage : DType::kInt8));
      for (int64_t d : v->type().shape) n *= static_cast<double>(d);
      bytes += n * uses[root(v)];
    }
    // The worst case of PlanConvSplit (a row split: every core loads the weights), plus the
    // operands' own DDR traffic.
    if (SplitSaving(march, cores, macs) >
        SplitCost(march, cores, bytes + weight_bytes * (cores - 1))) {
      for (const ir::Value* v : operands) kept.insert(root(v));
    }
  }
  return kept;
}

}  // namespace openbpu::backend
