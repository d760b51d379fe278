// HBIR serialization (proto/hbir.proto) and the readable text dump of a Graph.
#ifndef OPENBPU_COMPILER_IR_HBIR_H_
#define OPENBPU_COMPILER_IR_HBIR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "compiler/ir/graph.h"
#include "proto/hbir.pb.h"

namespace openbpu::ir {

// Version history: 1 (sessions 1-3): per-node integer parameters under ad-hoc names
// ("acc_multiplier", "lut", ...); 2: typed parameter families "<family>.<field>"
// (compiler/ops/qparams.h). FromProto rejects any other version with an error saying how to
// regenerate the file.
inline constexpr uint32_t kHbirVersion = 2;

hbir::Graph ToProto(const Graph& graph);
// Rebuilds a graph; malformed protos (dangling names, bad dtypes, data of the
// wrong size) are InvalidArgument errors naming the field.
absl::StatusOr<std::unique_ptr<Graph>> FromProto(const hbir::Graph& proto);

absl::Status SaveHbir(const Graph& graph, const std::string& path);
absl::StatusOr<std::unique_ptr<Graph>> LoadHbir(const std::string& path);

// One line per node:
//   %y: float32[1,64,56,56] = Conv(%x, %w, %b) {pads=[1,1,1,1]}  # conv1
std::string PrintGraph(const Graph& graph);

}  // namespace openbpu::ir

#endif  // OPENBPU_COMPILER_IR_HBIR_H_
