// GraphBuilder: build IR graphs in C++ code, the same graphs the ONNX importer
// produces (op names and attributes follow ONNX). Errors are collected and
// returned by Build(), so call sites stay linear.
#ifndef OPENBPU_COMPILER_FRONTEND_GRAPH_BUILDER_H_
#define OPENBPU_COMPILER_FRONTEND_GRAPH_BUILDER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/ir/graph.h"

namespace openbpu::frontend {

class GraphBuilder {
 public:
  explicit GraphBuilder(std::string graph_name = "graph");

  ir::Value* Input(const std::string& name, DType dtype, Shape shape);
  ir::Value* Constant(Tensor tensor, const std::string& name = "");
  // Adds `op` with one output. `inputs` may contain nullptr for omitted inputs.
  ir::Value* Op(const std::string& op, std::vector<ir::Value*> inputs, ir::AttributeMap attrs = {},
                const std::string& name = "");
  std::vector<ir::Value*> OpN(const std::string& op, std::vector<ir::Value*> inputs,
                              int num_outputs, ir::AttributeMap attrs = {},
                              const std::string& name = "");
  void Output(ir::Value* value);

  // Verifies the graph and infers all types (folding constant subgraphs unless
  // `fold_constants` is false). The builder is empty afterwards.
  absl::StatusOr<std::unique_ptr<ir::Graph>> Build(bool fold_constants = true);

 private:
  std::unique_ptr<ir::Graph> graph_;
  absl::Status status_;
};

// Attribute map literal helper: Attrs({{"axis", int64_t{1}}, {"mode", std::string("nearest")}}).
ir::AttributeMap Attrs(std::initializer_list<std::pair<std::string, ir::AttrValue>> values);

}  // namespace openbpu::frontend

#endif  // OPENBPU_COMPILER_FRONTEND_GRAPH_BUILDER_H_
