// VerifyQuantizedGraph: complete integer parameters, op-table dtypes, no float between BPU nodes.
#include "compiler/quantization/verify_quantized.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "compiler/ir/node_error.h"
#include "compiler/ir/op_registry.h"
#include "compiler/reference/quantized_interpreter.h"

namespace openbpu::quantization {
namespace {

using ir::NodeError;

// The op whose table rows describe `op` (OpSchema::table_op): a fused node runs as its core op.
absl::string_view TableOp(absl::string_view op) {
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(op);
  return schema != nullptr && !schema->table_op.empty() ? absl::string_view(schema->table_op) : op;
}

struct AllowedDTypes {
  bool known = false;  // false: the table gives no dtypes for this op and march
  std::vector<DType> inputs, outputs;
};

AllowedDTypes Allowed(absl::string_view op, march::March march) {
  AllowedDTypes allowed;
  for (const march::OpTableEntry* entry : march::FindByIrOp(TableOp(op))) {
    bool maps = false;
    for (const march::IrOpMapping& m : entry->ir_ops) {
      maps = maps || (m.op == TableOp(op) && m.role != march::IrRole::kPart);
    }
    const march::MarchSupport& cell = entry->For(march);
    if (!maps || cell.supported != march::Supported::kYes) continue;
    if (cell.input_dtypes.empty() && cell.output_dtypes.empty()) continue;
    allowed.known = true;
    for (DType d : cell.input_dtypes) allowed.inputs.push_back(d);
    for (DType d : cell.output_dtypes) allowed.outputs.push_back(d);
  }
  return allowed;
}

std::string DTypeList(const std::vector<DType>& dtypes) {
  std::vector<std::string> names;
  for (DType d : dtypes) {
    const std::string name(DTypeName(d));
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names.empty() ? std::string("none") : absl::StrJoin(names, ", ");
}

// The node's typed parameters (compiler/ops/qparams.h) are present, complete and within the isa's
// ranges: the op's qcheck Loads and Validates them.
absl::Status CheckQParams(const ir::Node& node) {
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node.op());
  if (schema == nullptr || !schema->qprepare) return absl::OkStatus();
  if (!schema->qcheck) {
    return NodeError(absl::StatusCode::kInternal, node,
                     "has a qprepare but no qcheck: its parameters cannot be verified");
  }
  absl::Status st = schema->qcheck(node);
  if (st.ok()) return st;
  if (st.code() == absl::StatusCode::kFailedPrecondition) {
    return NodeError(absl::StatusCode::kInvalidArgument, node,
                     absl::StrCat("runs on the BPU but its integer parameters are missing "
                                  "(qprepare has not run): ",
                                  st.message()));
  }
  return absl::StrContains(st.message(), node.Describe()) ? st : NodeError(node, st);
}

absl::Status CheckDTypes(const ir::Node& node, march::March march) {
  const AllowedDTypes allowed = Allowed(node.op(), march);
  if (!allowed.known) return absl::OkStatus();
  auto check = [&](const ir::Value* v, absl::string_view what,
                   const std::vector<DType>& dtypes) -> absl::Status {
    if (v == nullptr || v->is_constant() || !v->type().quant.has_value()) return absl::OkStatus();
    if (std::find(dtypes.begin(), dtypes.end(), v->type().dtype) != dtypes.end()) {
      return absl::OkStatus();
    }
    return NodeError(
        absl::StatusCode::kInvalidArgument, node,
        absl::StrCat(what, " '", v->name(), "' is ", DTypeName(v->type().dtype), ", which the ",
                     march::MarchName(march), " op table does not ", "allow for ",
                     TableOp(node.op()), " (", what, "s: ", DTypeList(dtypes), ")"));
  };
  for (const ir::Value* in : node.inputs()) {
    OPENBPU_RETURN_IF_ERROR(check(in, "input", allowed.inputs));
  }
  for (const ir::Value* out : node.outputs()) {
    OPENBPU_RETURN_IF_ERROR(check(out, "output", allowed.outputs));
  }
  return absl::OkStatus();
}

absl::Status CheckNoFloatFromBpu(const ir::Node& node) {
  for (const ir::Value* in : node.inputs()) {
    if (in == nullptr || in->is_constant() || in->type().dtype != DType::kFloat32) continue;
    const ir::Node* producer = in->producer();
    if (producer == nullptr || !reference::RunsQuantized(*producer)) continue;
    return NodeError(
        absl::StatusCode::kInvalidArgument, node,
        absl::StrCat("input '", in->name(), "' is a float32 value from ", producer->Describe(),
                     ", which also runs on the BPU; quantized nodes must meet on an "
                     "integer value or through DequantizeLinear / QuantizeLinear"));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> TableDTypeDeviations(const ir::Graph& graph, march::March march) {
  std::vector<std::string> out;
  for (const auto& node : graph.nodes()) {
    if (!reference::RunsQuantized(*node)) continue;
    if (absl::Status st = CheckDTypes(*node, march); !st.ok()) {
      out.push_back(std::string(st.message()));
    }
  }
  return out;
}

absl::Status VerifyQuantizedGraph(const ir::Graph& graph, march::March march,
                                  const VerifyQuantizedOptions& options) {
  std::vector<const ir::Node*> bpu_nodes;
  for (const auto& node : graph.nodes()) {
    if (reference::RunsQuantized(*node)) bpu_nodes.push_back(node.get());
  }
  // Structure and types first: a node's parameters cannot be derived from broken types.
  for (const ir::Node* node : bpu_nodes) OPENBPU_RETURN_IF_ERROR(CheckNoFloatFromBpu(*node));
  if (options.check_table_dtypes) {
    for (const ir::Node* node : bpu_nodes) OPENBPU_RETURN_IF_ERROR(CheckDTypes(*node, march));
  }
  for (const ir::Node* node : bpu_nodes) OPENBPU_RETURN_IF_ERROR(CheckQParams(*node));
  return absl::OkStatus();
}

}  // namespace openbpu::quantization
