// Steps shared by the float and quantized reference interpreters: binding graph inputs,
// gathering a node's argument tensors and checking / storing its results.
#ifndef OPENBPU_COMPILER_REFERENCE_INTERPRETER_UTIL_H_
#define OPENBPU_COMPILER_REFERENCE_INTERPRETER_UTIL_H_

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/tensor.h"
#include "compiler/ir/graph.h"
#include "compiler/ir/op_registry.h"

namespace openbpu::reference {

// Value -> its computed tensor (graph inputs and node outputs; constants stay in the graph).
using ValueMap = absl::flat_hash_map<const ir::Value*, Tensor>;

// How to run one node: its kernel, and the labels of the error for a result that does not match
// the output value ("<node>: <what> i is <type> but <want> <type>").
struct NodeKernel {
  const ir::KernelFn* kernel = nullptr;
  absl::string_view what;
  absl::string_view want;
};
// Chooses the kernel of a node whose op has `schema`; an error is returned as is.
using KernelChooser =
    absl::FunctionRef<absl::StatusOr<NodeKernel>(const ir::Node& node, const ir::OpSchema& schema)>;

// Binds `inputs` to the graph inputs (InvalidArgument when their count, dtypes or shapes
// differ), then runs every node in order with the kernel `choose` gives, checking each result
// against its output value; `env` ends holding every computed value.
absl::Status ExecuteGraph(const ir::Graph& graph, absl::Span<const Tensor> inputs,
                          KernelChooser choose, ValueMap& env);

// The graph outputs: constants from the graph, the rest from `env`.
std::vector<Tensor> GraphOutputs(const ir::Graph& graph, const ValueMap& env);

}  // namespace openbpu::reference

#endif  // OPENBPU_COMPILER_REFERENCE_INTERPRETER_UTIL_H_
