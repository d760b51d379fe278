// Dead code elimination: drops nodes none of whose outputs reach a graph output,
// then values nothing refers to (unused constants included).
#ifndef OPENBPU_COMPILER_PASSES_DEAD_CODE_ELIMINATION_H_
#define OPENBPU_COMPILER_PASSES_DEAD_CODE_ELIMINATION_H_

#include "compiler/passes/graph_pass.h"

namespace openbpu::passes {

// True if any node or value was removed. The graph must be in topological
// order (ir::Graph::Verify).
absl::StatusOr<bool> EliminateDeadCode(ir::Graph& graph);

class DeadCodeElimination : public GraphPass {
 public:
  absl::string_view name() const override { return "dce"; }
  absl::StatusOr<bool> Run(ir::Graph& graph) override { return EliminateDeadCode(graph); }
};

}  // namespace openbpu::passes

#endif  // OPENBPU_COMPILER_PASSES_DEAD_CODE_ELIMINATION_H_
