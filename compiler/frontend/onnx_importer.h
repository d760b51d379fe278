// ONNX import: ModelProto (opsets 1-17 of the default domain) -> ir::Graph.
// Older opsets' attribute forms are converted to the latest form (IR ops follow
// the newest ONNX definition of each op: axes, pads, shapes... are constant
// inputs). Shape arithmetic is folded so exported models come out static.
// Anything unsupported is an UNIMPLEMENTED status naming node and attribute.
#ifndef OPENBPU_COMPILER_FRONTEND_ONNX_IMPORTER_H_
#define OPENBPU_COMPILER_FRONTEND_ONNX_IMPORTER_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/tensor.h"
#include "compiler/ir/graph.h"

namespace openbpu::frontend {

struct OnnxImportOptions {
  // Graph inputs to bind to constant values (e.g. the shape inputs of ONNX
  // node tests); they stop being graph inputs.
  std::map<std::string, Tensor> bind_constants;
  // Overrides for graph input shapes (fixes symbolic dimensions such as a
  // dynamic batch). Unset symbolic dimensions default to 1.
  std::map<std::string, Shape> input_shapes;
  bool fold_constants = true;
};

absl::StatusOr<std::unique_ptr<ir::Graph>> ImportOnnx(absl::string_view model_bytes,
                                                      const OnnxImportOptions& options = {});
absl::StatusOr<std::unique_ptr<ir::Graph>> ImportOnnxFile(const std::string& path,
                                                          const OnnxImportOptions& options = {});

// True when the importer knows the ONNX op type (domain ai.onnx): a registered op, or one it
// turns into others (Constant into a constant value, Upsample into Resize). Whether a node of
// that type imports still depends on its opset and attributes.
bool ImportsOnnxOp(absl::string_view op_type);

}  // namespace openbpu::frontend

#endif  // OPENBPU_COMPILER_FRONTEND_ONNX_IMPORTER_H_
