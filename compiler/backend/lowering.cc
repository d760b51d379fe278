#include "compiler/backend/lowering.h"

#include <cstdlib>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "compiler/ir/node_error.h"

namespace openbpu::backend {

absl::StatusOr<Buffer> LowerContext::BufferOf(const ir::Node& node, const ir::Value* v) const {
  auto it = buffers_.find(v);
  if (v == nullptr || it == buffers_.end()) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                         absl::StrCat("value '", v == nullptr ? "" : v->name(),
                                      "' has no DDR buffer (not a quantized BPU value)"));
  }
  return it->second;
}

LoweringRegistry& LoweringRegistry::Global() {
  static auto* registry = new LoweringRegistry();
  return *registry;
}

bool LoweringRegistry::Register(const std::string& op, LowerFn fn) {
  if (!fns_.emplace(op, std::move(fn)).second) {
    std::fprintf(stderr, "duplicate lowering for op %s\n", op.c_str());
    std::abort();
  }
  return true;
}

const LowerFn* LoweringRegistry::Find(absl::string_view op) const {
  auto it = fns_.find(op);
  return it == fns_.end() ? nullptr : &it->second;
}

std::vector<std::string> LoweringRegistry::Ops() const {
  std::vector<std::string> out;
  for (const auto& [op, fn] : fns_) out.push_back(op);
  return out;
}

bool IsAliasOp(const ir::Node& node) {
  if (node.op() == "Identity") return true;
  if (node.op() != "Flatten" && node.op() != "Reshape" && node.op() != "Squeeze" &&
      node.op() != "Unsqueeze") {
    return false;
  }
  // The NHWC bytes equal the NCHW bytes when every dimension after the channel is 1.
  const Shape& in = node.input(0)->type().shape;
  for (size_t d = 2; d < in.size(); ++d) {
    if (in[d] != 1) return false;
  }
  return !in.empty();
}

}  // namespace openbpu::backend
