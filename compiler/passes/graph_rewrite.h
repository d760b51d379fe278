// Helpers shared by rewriting passes: who uses a value, keeping node order
// stable across replacements, and folding BatchNormalization into per-output-
// channel weights.
#ifndef OPENBPU_COMPILER_PASSES_GRAPH_REWRITE_H_
#define OPENBPU_COMPILER_PASSES_GRAPH_REWRITE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/tensor.h"
#include "compiler/ir/graph.h"

namespace openbpu::passes {

// Uses of every value, counted per input slot (Add(v, v) uses v twice), as of
// construction; rebuild after rewriting.
class UseInfo {
 public:
  explicit UseInfo(const ir::Graph& graph);

  int uses(const ir::Value* v) const;
  bool is_graph_output(const ir::Value* v) const { return graph_outputs_.contains(v); }
  // The one node consuming `v` when v has exactly one use and is not a graph
  // output, i.e. when a rewrite may absorb v into its consumer; else null.
  ir::Node* SoleUser(const ir::Value* v) const;

 private:
  absl::flat_hash_map<const ir::Value*, int> uses_;
  absl::flat_hash_map<const ir::Value*, ir::Node*> last_user_;
  absl::flat_hash_set<const ir::Value*> graph_outputs_;
};

// Remembers where each node stood so that a node replacing others can take the
// place of one of them (ir::Graph::AddNode appends), then restores that order.
class NodeOrder {
 public:
  explicit NodeOrder(const ir::Graph& graph);
  // The node named `new_node` goes where `old_node` stood. Call before adding
  // another node under the old name.
  void Inherit(absl::string_view new_node, absl::string_view old_node);
  // Reorders the graph's nodes by remembered position (unknown nodes last, in
  // their current order); a no-op when already in order.
  absl::Status Apply(ir::Graph& graph) const;

 private:
  absl::flat_hash_map<std::string, int64_t> position_;
};

// A constant float32 tensor, or null.
const Tensor* FloatConstant(const ir::Value* v);

// Why a BatchNormalization node cannot be folded into a producer with
// `channels` output channels (empty when it can): it must be inference mode
// with one output and constant float32 [channels] parameters.
std::string BatchNormFoldProblem(const ir::Node& bn, int64_t channels);

// Folds a foldable BatchNormalization into weight [M, ...] and bias [M]
// (output channel on axis 0): with s = scale / sqrt(var + epsilon),
// w' = w * s and b' = (b - mean) * s + B, evaluated in double.
void FoldBatchNorm(const ir::Node& bn, Tensor& weight, Tensor& bias);

// Rewrites every foldable BatchNormalization of a 4-D input whose producer is not a weighted op
// (it follows a concat, an add, a pool, a graph input) as a depthwise 1x1 Conv with weight
// scale / sqrt(var + epsilon) and bias beta - mean * that, so quantization treats it as a
// per-channel affine with per-channel int8 weights and it runs on the BPU instead of in float.
// Returns how many were rewritten.
absl::StatusOr<int> LoneBatchNormsToConvs(ir::Graph& graph);

// Removes `nodes` (whose outputs must not be used elsewhere unless listed in
// `outputs`) and adds one node `name` computing `outputs` from `inputs`; `name`
// may be the name of a removed node.
absl::StatusOr<ir::Node*> ReplaceNodes(ir::Graph& graph, const std::vector<ir::Node*>& nodes,
                                       absl::string_view name, absl::string_view op,
                                       std::vector<ir::Value*> inputs,
                                       std::vector<ir::Value*> outputs, ir::AttributeMap attrs);

}  // namespace openbpu::passes

#endif  // OPENBPU_COMPILER_PASSES_GRAPH_REWRITE_H_
