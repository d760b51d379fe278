// The pass interface (XLA's HloPassInterface, on ir::Graph): a named rewrite that
// reports whether it changed the graph. Pipelines run passes by this interface.
#ifndef OPENBPU_COMPILER_PASSES_GRAPH_PASS_H_
#define OPENBPU_COMPILER_PASSES_GRAPH_PASS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "compiler/ir/graph.h"

namespace openbpu::passes {

class GraphPass {
 public:
  virtual ~GraphPass() = default;
  // The name used by PassPipeline::DumpAfter/Disable and in error messages.
  virtual absl::string_view name() const = 0;
  // Rewrites `graph`; true when anything changed. On error the graph may be
  // partially rewritten (the pipeline reports which pass failed).
  virtual absl::StatusOr<bool> Run(ir::Graph& graph) = 0;
};

}  // namespace openbpu::passes

#endif  // OPENBPU_COMPILER_PASSES_GRAPH_PASS_H_
