// The pieces of Compile (compile.cc) that are not the compile loop: value placement, the
// scratch allocator, the op-table check, model-input/output layout moves, Rebatch.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "compiler/backend/compile.h"
#include "compiler/backend/compile_internal.h"
#include "compiler/ir/hbir.h"
#include "compiler/ir/node_error.h"
#include "compiler/ir/op_registry.h"
#include "compiler/march/op_table.h"

namespace openbpu::backend {
namespace internal {

// Unquantized values the BPU writes: the bool of a comparison (1 byte, 0 / 1) and the int64
// indices of ArgMax / TopK.
bool IsUnquantizedBpuValue(const ir::Value& v) {
  return !v.type().quant.has_value() &&
         (v.type().dtype == DType::kBool || v.type().dtype == DType::kInt64);
}

namespace {

// Convolutions on the TAE tile path (lower/conv.cc LowerConvTiles with LoadRows): kernel and
// stride within the TAE's 15 (a patch embedding gathers its input by its own DMA).
bool IsTileConv(const ir::Node& node) {
  if (node.op() != "Conv" && node.op() != "FusedConv") return false;
  const ir::Value* w = node.input(1);
  if (w == nullptr || w->type().shape.size() != 4) return false;
  for (int64_t s : node.attrs().GetInts("strides", {})) {
    if (s > 15) return false;
  }
  return w->type().shape[2] <= 15 && w->type().shape[3] <= 15;
}

// Elementwise ops of lower/eltwise.cc whose operands all have the output's shape (no broadcast),
// and its unary table / clamp ops.
bool IsRowEltwise(const ir::Node& node) {
  static const std::set<std::string> kUnary = {
      "Relu",     "Clip", "Sigmoid",     "Tanh",      "Exp", "Sin",        "Cos",  "Atan", "Erf",
      "Softplus", "Elu",  "HardSigmoid", "HardSwish", "Pow", "Reciprocal", "Sqrt", "Log",  "SiLU"};
  if (kUnary.count(node.op())) return true;
  if (node.op() != "Add" && node.op() != "Sub" && node.op() != "Mul") return false;
  const Shape& out = node.output(0)->type().shape;
  for (const ir::Value* in : node.inputs()) {
    if (in == nullptr || in->type().shape != out) return false;
  }
  return true;
}

}  // namespace

bool WritesSliceViews(const ir::Node& node) {
  return IsTileConv(node) || node.op() == "Resize" || IsRowEltwise(node);
}

bool ReadsSliceViews(const ir::Node& node, const ir::Value* value) {
  if (IsTileConv(node)) {
    // The input and a FusedConv's residual (input 3), never the weight or bias.
    return node.input(0) == value || (node.num_inputs() > 3 && node.input(3) == value);
  }
  return IsRowEltwise(node);
}

absl::StatusOr<Buffer> Place(const ir::Value& v) {
  const ir::TensorType& t = v.type();
  if (IsUnquantizedBpuValue(v)) return BufferFor(t.shape, t.dtype);
  if (!t.quant.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("value '", v.name(), "' is not quantized"));
  }
  return BufferFor(t.shape, t.quant->storage);
}

// The march op table must put the node's op on the BPU for `march_name` (the row of its
// table_op: FusedConv as Conv). Linear layers are the exception the back end makes: it lowers
// them as 1x1 convolutions, which every march runs (bernoulli2 has no Linear row).
absl::Status CheckTableRow(const ir::Node& node, const std::string& march_name) {
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node.op());
  const std::string op =
      schema != nullptr && !schema->table_op.empty() ? schema->table_op : node.op();
  if (op == "Gemm" || op == "FusedLinear" || IsAliasOp(node)) return absl::OkStatus();
  absl::StatusOr<march::March> march = march::ParseMarch(march_name);
  if (!march.ok()) return march.status();
  const march::OpTableEntry* row = march::FindPrimary(op);
  if (row == nullptr) return absl::OkStatus();  // no row: the lowering decides
  if (row->For(*march).supported == march::Supported::kNo) {
    return ir::NodeError(
        absl::StatusCode::kInvalidArgument, node,
        absl::StrCat("the ", march_name, " op table does not run '", row->vendor_name,
                     "' on the BPU: quantize and compile with --hybrid to run it on the CPU "
                     "in a hybrid model"));
  }
  return absl::OkStatus();
}

// Whether the `layout` bytes of a value of `shape` differ from its NHWC bytes.
bool NeedsTranspose(const Shape& shape, const std::string& layout) {
  if (layout != "NCHW" || shape.size() < 3 || shape[1] == 1) return false;
  int64_t pixels = 1;
  for (size_t d = 2; d < shape.size(); ++d) pixels *= shape[d];
  return pixels > 1;
}

// The element move between the NCHW ([N][C][P]) and NHWC ([N][P][C]) bytes of a value.
std::vector<MoveDim> LayoutMove(const Shape& shape, bool to_nhwc) {
  const int64_t n = shape[0], c = shape[1];
  int64_t p = 1;
  for (size_t d = 2; d < shape.size(); ++d) p *= shape[d];
  // Strides in NCHW and in NHWC bytes of the dims N, C, P.
  const int64_t nchw[3] = {c * p, p, 1}, nhwc[3] = {p * c, 1, c};
  const int64_t count[3] = {n, c, p};
  std::vector<MoveDim> dims;
  for (int k = 0; k < 3; ++k) {
    MoveDim d;
    d.count = count[k];
    d.in = to_nhwc ? nchw[k] : nhwc[k];
    d.out = to_nhwc ? nhwc[k] : nchw[k];
    dims.push_back(d);
  }
  return dims;
}

}  // namespace internal

absl::StatusOr<std::unique_ptr<ir::Graph>> Rebatch(const ir::Graph& graph, int batch) {
  if (batch < 1 || batch > 4096) {
    return absl::InvalidArgumentError(absl::StrCat("batch ", batch, " outside [1, 4096]"));
  }
  for (const ir::Value* in : graph.inputs()) {
    if (in->type().shape.empty() || in->type().shape[0] != 1) {
      return absl::InvalidArgumentError(absl::StrCat("input '", in->name(), "' has shape ",
                                                     ShapeToString(in->type().shape),
                                                     "; batching needs batch-1 inputs"));
    }
  }
  absl::StatusOr<std::unique_ptr<ir::Graph>> copy = ir::FromProto(ir::ToProto(graph));
  if (!copy.ok()) return copy.status();
  for (const auto& v : (*copy)->values()) {
    if (v->is_constant() || v->type().shape.empty() || v->type().shape[0] != 1) continue;
    v->mutable_type().shape[0] = batch;
  }
  return copy;
}

}  // namespace openbpu::backend
