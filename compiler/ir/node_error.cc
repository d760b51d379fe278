// NodeError: Node::Describe() in front of the message.
#include "compiler/ir/node_error.h"

#include "absl/strings/str_cat.h"

namespace openbpu::ir {

absl::Status NodeError(absl::StatusCode code, const Node& node, absl::string_view message) {
  return absl::Status(code, absl::StrCat(node.Describe(), ": ", message));
}

absl::Status NodeError(const Node& node, const absl::Status& cause) {
  if (cause.ok()) return cause;
  return NodeError(cause.code(), node, cause.message());
}

}  // namespace openbpu::ir
