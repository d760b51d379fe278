// Dead code elimination by reverse sweep: in topological order every consumer
// comes after its producers, so one backward pass settles liveness.
#include "compiler/passes/dead_code_elimination.h"

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "common/status_macros.h"

namespace openbpu::passes {

absl::StatusOr<bool> EliminateDeadCode(ir::Graph& graph) {
  OPENBPU_RETURN_IF_ERROR(graph.Verify());
  absl::flat_hash_set<const ir::Value*> live(graph.outputs().begin(), graph.outputs().end());
  std::vector<ir::Node*> dead;
  const auto& nodes = graph.nodes();
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    ir::Node* node = it->get();
    bool used = false;
    for (const ir::Value* out : node->outputs()) used |= live.contains(out);
    if (!used) {
      dead.push_back(node);
      continue;
    }
    for (const ir::Value* in : node->inputs()) {
      if (in != nullptr) live.insert(in);
    }
  }
  for (ir::Node* node : dead) graph.RemoveNode(node);
  const size_t values_before = graph.values().size();
  graph.RemoveDeadValues();
  return !dead.empty() || graph.values().size() != values_before;
}

}  // namespace openbpu::passes
