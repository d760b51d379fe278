// The float reference interpreter: runs a shape-inferred Graph node by node with
// each op's reference kernel. Plain and obviously correct; not fast.
#ifndef OPENBPU_COMPILER_REFERENCE_FLOAT_INTERPRETER_H_
#define OPENBPU_COMPILER_REFERENCE_FLOAT_INTERPRETER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/tensor.h"
#include "compiler/ir/graph.h"

namespace openbpu::reference {

// Runs `graph` on `inputs` (one per graph input, in order; dtype and shape must
// match the input's type) and returns the graph outputs in order.
absl::StatusOr<std::vector<Tensor>> RunFloat(const ir::Graph& graph,
                                             absl::Span<const Tensor> inputs);

// Same, returning every non-constant value by name (graph inputs, each node's
// outputs): the per-layer view used by similarity reports and debugging.
absl::StatusOr<std::map<std::string, Tensor>> RunFloatAllValues(const ir::Graph& graph,
                                                                absl::Span<const Tensor> inputs);

}  // namespace openbpu::reference

#endif  // OPENBPU_COMPILER_REFERENCE_FLOAT_INTERPRETER_H_
