// Fusion of conv/linear chains into FusedConv / FusedLinear, the vendor
// plugin's fuse_modules (explicit groups) and fuse_fx (automatic) on the IR.
//
// A chain is a core — Conv, Gemm (transA = 0, constant 2-D weight, constant
// bias that is one value per output) or MatMul with a constant 2-D weight,
// absorbing a following constant per-output bias Add as torch's Linear exports
// — then optionally, in this order, a BatchNormalization (folded into weight
// and bias), an Add of a same-shaped tensor (the "sumin") and a Relu or ReLU6
// (Clip with constant min 0 and max 6; Clip(min = 0) alone counts as Relu).
// Each absorbed value must have exactly one use and not be a graph output. The
// fourteen patterns are {conv, linear} x {+bn, +bn+relu, +relu, +bn+add,
// +bn+add+relu, +add, +add+relu}; ConvTranspose is never a core.
#ifndef OPENBPU_COMPILER_PASSES_FUSION_H_
#define OPENBPU_COMPILER_PASSES_FUSION_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/ir/graph.h"
#include "compiler/passes/graph_pass.h"

namespace openbpu::passes {

struct FusionReport {
  // Pattern name ("conv+bn+add+relu", "linear+relu", ...) -> fusions made.
  std::map<std::string, int> counts;
  // Names of the fused nodes made (each keeps its core node's name).
  std::vector<std::string> fused_nodes;

  int total() const;
  // "{conv+bn: 3, conv+bn+add+relu: 8}"
  std::string ToString() const;
};

// The fourteen pattern names, conv first.
const std::vector<std::string>& FusionPatternNames();

// Fuses each group of node names, given in chain order: core, [bn], [add],
// [relu]. A MatMul's bias Add is absorbed with the core whether named or not.
// A group that does not form a valid pattern (unknown name, wrong order, a
// value with other users, overlapping groups...) is an InvalidArgument error
// naming the group's nodes, and the graph is left unchanged. Types must be
// inferred (ir::InferShapes).
absl::StatusOr<FusionReport> FuseModules(
    ir::Graph& graph, const std::vector<std::vector<std::string>>& node_name_groups);

// Finds and fuses every pattern, greedily longest first (ties: the core that
// comes first). An Add joining two chains is absorbed by one of them only.
absl::StatusOr<FusionReport> FuseFx(ir::Graph& graph);

// FuseFx as a pipeline pass named "fuse".
class FusePass : public GraphPass {
 public:
  absl::string_view name() const override { return "fuse"; }
  absl::StatusOr<bool> Run(ir::Graph& graph) override;
  // The report of the last Run.
  const FusionReport& report() const { return report_; }

 private:
  FusionReport report_;
};

}  // namespace openbpu::passes

#endif  // OPENBPU_COMPILER_PASSES_FUSION_H_
