// Upgrades an ONNX node of an older opset to the newest form the IR ops
// implement (attributes that later became inputs become constant inputs,
// Upsample becomes Resize, pre-13 Softmax becomes Flatten/Softmax/Reshape).
#ifndef OPENBPU_COMPILER_FRONTEND_ONNX_UPGRADE_H_
#define OPENBPU_COMPILER_FRONTEND_ONNX_UPGRADE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "compiler/ir/graph.h"

namespace openbpu::frontend {

inline constexpr int kMaxOnnxOpset = 18;

// A node on its way into the graph.
struct OnnxNode {
  std::string name;
  std::string op;
  std::vector<ir::Value*> inputs;  // null for omitted optional inputs
  std::vector<ir::Value*> outputs;
  ir::AttributeMap attrs;
};

// Rewrites `node` in place to the newest opset form; may add constants to
// `graph`. Errors do not name the node (the caller does).
absl::Status UpgradeToLatest(int opset, OnnxNode& node, ir::Graph& graph);

// Adds the node to the graph, expanding forms that need several IR nodes.
absl::Status EmitNode(OnnxNode node, ir::Graph& graph);

}  // namespace openbpu::frontend

#endif  // OPENBPU_COMPILER_FRONTEND_ONNX_UPGRADE_H_
