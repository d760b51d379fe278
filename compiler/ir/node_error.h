// Errors about a node, in the one form every compiler error uses: "node 'conv1' (Conv): ...".
#ifndef OPENBPU_COMPILER_IR_NODE_ERROR_H_
#define OPENBPU_COMPILER_IR_NODE_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "compiler/ir/graph.h"

namespace openbpu::ir {

// absl::Status(code, "node 'NAME' (OP): MESSAGE").
absl::Status NodeError(absl::StatusCode code, const Node& node, absl::string_view message);

// `cause` with the node named in front of its message, its code kept; OK stays OK.
absl::Status NodeError(const Node& node, const absl::Status& cause);

}  // namespace openbpu::ir

#endif  // OPENBPU_COMPILER_IR_NODE_ERROR_H_
