// BatchNorm folding: a BatchNormalization directly after a Conv whose output it
// alone uses becomes part of that Conv's weight and bias (the Conv stays a plain
// Conv; fusion does the same inside FusedConv).
#ifndef OPENBPU_COMPILER_PASSES_FOLD_BATCHNORM_H_
#define OPENBPU_COMPILER_PASSES_FOLD_BATCHNORM_H_

#include "compiler/passes/graph_pass.h"

namespace openbpu::passes {

// Folds every such pair; returns how many were folded. The Conv needs a
// float32 constant weight and a constant or absent bias, the BatchNormalization
// constant parameters and inference mode; ConvTranspose is left alone.
absl::StatusOr<int> FoldBatchNorms(ir::Graph& graph);

class FoldBatchNormPass : public GraphPass {
 public:
  absl::string_view name() const override { return "fold-batchnorm"; }
  absl::StatusOr<bool> Run(ir::Graph& graph) override;
};

}  // namespace openbpu::passes

#endif  // OPENBPU_COMPILER_PASSES_FOLD_BATCHNORM_H_
