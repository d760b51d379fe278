// BatchNormalization folding into the preceding Conv.
#include "compiler/passes/fold_batchnorm.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "compiler/passes/graph_rewrite.h"

namespace openbpu::passes {

absl::StatusOr<int> FoldBatchNorms(ir::Graph& graph) {
  OPENBPU_RETURN_IF_ERROR(graph.Verify());
  const UseInfo uses(graph);
  NodeOrder order(graph);
  std::vector<std::pair<ir::Node*, ir::Node*>> pairs;  // (conv, bn)
  for (const auto& node : graph.nodes()) {
    ir::Node* bn = node.get();
    if (bn->op() != "BatchNormalization" || bn->input(0) == nullptr) continue;
    ir::Node* conv = bn->input(0)->producer();
    if (conv == nullptr || conv->op() != "Conv" || conv->num_outputs() != 1 ||
        uses.SoleUser(conv->output(0)) != bn) {
      continue;
    }
    const Tensor* w = FloatConstant(conv->input(1));
    if (w == nullptr || w->rank() < 3) continue;
    if (conv->input(2) != nullptr && FloatConstant(conv->input(2)) == nullptr) continue;
    if (!BatchNormFoldProblem(*bn, w->dim(0)).empty()) continue;
    pairs.emplace_back(conv, bn);
  }
  // Pairs are disjoint (each Conv output has one user), so folding one leaves
  // the others' pointers valid.
  for (const auto& [conv, bn] : pairs) {
    const std::string name = conv->name();
    const std::string bn_name = bn->name();
    Tensor weight = conv->input(1)->constant();
    Tensor bias = conv->input(2) != nullptr ? conv->input(2)->constant()
                                            : Tensor(DType::kFloat32, {weight.dim(0)});
    FoldBatchNorm(*bn, weight, bias);
    OPENBPU_ASSIGN_OR_RETURN(
        ir::Value * w,
        graph.AddConstant(graph.UniqueValueName(absl::StrCat(name, "_folded_weight")),
                          std::move(weight)));
    OPENBPU_ASSIGN_OR_RETURN(
        ir::Value * b, graph.AddConstant(graph.UniqueValueName(absl::StrCat(name, "_folded_bias")),
                                         std::move(bias)));
    OPENBPU_RETURN_IF_ERROR(ReplaceNodes(graph, {conv, bn}, name, "Conv", {conv->input(0), w, b},
                                         {bn->output(0)}, conv->attrs())
                                .status());
    order.Inherit(name, bn_name);
  }
  if (pairs.empty()) return 0;
  OPENBPU_RETURN_IF_ERROR(order.Apply(graph));
  graph.RemoveDeadValues();
  return static_cast<int>(pairs.size());
}

absl::StatusOr<bool> FoldBatchNormPass::Run(ir::Graph& graph) {
  OPENBPU_ASSIGN_OR_RETURN(const int folded, FoldBatchNorms(graph));
  return folded > 0;
}

}  // namespace openbpu::passes
