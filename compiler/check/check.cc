// CheckGraph: each node's row of the march table, its support, dtypes, every limit and the
// checkable rules, with advice. The quantities behind the limit names are in quantities.cc.
#include "compiler/check/check.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "compiler/check/quantities.h"
#include "compiler/ir/op_registry.h"

namespace openbpu::check {
namespace {

using march::Limit;
using march::MarchSupport;
using march::OpTableEntry;

std::string Num(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return absl::StrCat(static_cast<int64_t>(v));
  return absl::StrCat(v);
}

// The op whose rows describe the node (OpSchema::table_op: FusedConv as Conv).
std::string TableOp(const ir::Node& node) {
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node.op());
  return schema != nullptr && !schema->table_op.empty() ? schema->table_op : node.op();
}

bool IsModelOutput(const ir::Graph& graph, const ir::Node& node) {
  for (const ir::Value* out : node.outputs()) {
    for (const ir::Value* g : graph.outputs()) {
      if (g == out) return true;
    }
    // Through the model's output DequantizeLinear (the DeQuantStub).
    for (const ir::Node* user : graph.Users(out)) {
      if (user->op() != "DequantizeLinear") continue;
      for (const ir::Value* g : graph.outputs()) {
        if (g == user->output(0)) return true;
      }
    }
  }
  return false;
}

bool IsGraphInput(const ir::Graph& graph, const ir::Value* v) {
  return std::find(graph.inputs().begin(), graph.inputs().end(), v) != graph.inputs().end();
}

bool ScalarConstant(const ir::Value* v) {
  return v != nullptr && v->is_constant() && v->constant().num_elements() == 1;
}

// A constant bound of Clip (input `i` or attribute `attr`), NaN when not constant.
double ClipBound(const ir::Node& node, int i, const char* attr) {
  const ir::Value* v = node.input(i);
  if (v != nullptr && v->is_constant() && v->constant().num_elements() == 1 &&
      v->constant().dtype() == DType::kFloat32) {
    return v->constant().data<float>()[0];
  }
  if (node.attrs().Has(attr)) return node.attrs().GetFloat(attr, 0);
  return std::nan("");
}

// Whether the alias `pattern` describes this node.
bool PatternMatches(const ir::Node& node, const std::string& pattern) {
  if (pattern == "scalar_operand") {
    return ScalarConstant(node.input(0)) || ScalarConstant(node.input(1));
  }
  if (pattern == "relu6") return ClipBound(node, 1, "min") == 0 && ClipBound(node, 2, "max") == 6;
  if (pattern == "5d") return node.input(0) != nullptr && node.input(0)->type().shape.size() >= 5;
  if (pattern == "constant_weight") return node.input(1) != nullptr && node.input(1)->is_constant();
  if (pattern == "integer_index") return node.input(1) != nullptr && node.input(1)->is_constant();
  return false;
}

struct Resolved {
  const OpTableEntry* row = nullptr;
  std::string how;                              // a note on how the row was chosen, if not plain
  std::vector<const OpTableEntry*> composites;  // rows where the op is only a part
};

Resolved ResolveRow(const ir::Node& node, const std::string& op, march::March m) {
  Resolved r;
  // bernoulli2 has no Linear row; the back end runs linear layers as 1x1 convolutions
  // (compiler/backend CheckTableRow), so they are checked against Conv2d there.
  const bool linear = op == "Gemm" || op == "FusedLinear" ||
                      (op == "MatMul" && PatternMatches(node, "constant_weight"));
  if (linear && m == march::March::kBernoulli2) {
    r.row = march::FindByVendorName("torch.nn.Conv2d");
    r.how = "bernoulli2 has no Linear row: the back end runs it as a 1x1 Conv2d";
    return r;
  }
  if (op == "QuantizeLinear") {
    r.row = march::FindByVendorName("torch.quantization.QuantStub");
    return r;
  }
  if (op == "DequantizeLinear") {
    r.row = march::FindByVendorName("torch.quantization.DeQuantStub");
    return r;
  }
  for (const OpTableEntry* e : march::FindByIrOp(op)) {
    for (const march::IrOpMapping& map : e->ir_ops) {
      if (map.op != op) continue;
      if (map.role == march::IrRole::kAlias && !map.pattern.empty() &&
          PatternMatches(node, map.pattern)) {
        r.row = e;
        r.how = absl::StrCat("as ", e->vendor_name, " (", map.pattern, ")");
        return r;
      }
      if (map.role == march::IrRole::kPart) r.composites.push_back(e);
    }
  }
  r.row = march::FindPrimary(op);
  return r;
}

std::string DTypeSet(const std::vector<DType>& dtypes) {
  std::vector<std::string> names;
  for (DType d : dtypes) {
    const std::string n(DTypeName(d));
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  return absl::StrCat("{", absl::StrJoin(names, ", "), "}");
}

bool Allowed(const std::vector<DType>& allowed, DType d) {
  return std::find(allowed.begin(), allowed.end(), d) != allowed.end();
}

// What to do when `vendor` is not supported on `m`.
std::string SupportAdvice(const ir::Node& node, const std::string& vendor, march::March m) {
  const std::string op = TableOp(node);
  const bool b2 = m == march::March::kBernoulli2;
  std::string alt;
  if (op == "Clip") alt = "use ReLU6 (Clip with min 0 and max 6) or ReLU; ";
  if (op == "LeakyRelu" || op == "PRelu" || op == "Elu" || op == "HardSwish" ||
      op == "HardSigmoid") {
    alt = "use ReLU or ReLU6; ";
  }
  if (op == "Transpose" && b2) {
    alt =
        "keep the [N, C, H, W] layout (no permute), or a channel shuffle (Reshape+Transpose+"
        "Reshape) that the march rewrites; ";
  }
  if ((op == "Add" || op == "Mul") && b2) {
    alt = "fold the scalar into the neighbouring conv's weights or bias; ";
  }
  if (op == "Gather" && b2) alt = "index with a constant (x[:, i]) or use Slice; ";
  return absl::StrCat(alt, vendor.empty() ? "it" : vendor, " is not on the ", march::MarchName(m),
                      " BPU: ", b2 ? "target bayes / bayes-e, or " : "",
                      "run it on the CPU in a hybrid model (bpu quantize/compile --hybrid)");
}

void AddViolation(NodeReport& r, std::string limit, std::string name, std::string value,
                  std::string advice) {
  r.violations.push_back({std::move(limit), std::move(name), std::move(value), std::move(advice)});
}

// The rules that are conditions on attributes and shapes (the others are notes).
void CheckRules(const ir::Node& node, const MarchSupport& cell, NodeReport& r) {
  for (const march::Rule& rule : cell.rules) {
    if (rule.id == "dilation_needs_stride1") {
      const std::vector<double> d = Quantity(node, "dilation", cell);
      const std::vector<double> s = Quantity(node, "stride", cell);
      const bool dilated = std::any_of(d.begin(), d.end(), [](double v) { return v != 1; });
      const bool strided = std::any_of(s.begin(), s.end(), [](double v) { return v != 1; });
      if (dilated && strided) {
        AddViolation(
            r, "when dilation != 1, stride must be 1", rule.id,
            absl::StrCat("dilation ", absl::StrJoin(d, "x"), ", stride ", absl::StrJoin(s, "x")),
            "use stride 1 with the dilation and subsample after it (a strided pool "
            "or a 1x1 conv with the stride)");
      }
    } else if (rule.id == "kernel_ge_stride") {
      const std::vector<double> k = Quantity(node, "kernel", cell);
      const std::vector<double> s = Quantity(node, "stride", cell);
      for (size_t i = 0; i < k.size() && i < s.size(); ++i) {
        if (k[i] < s[i]) {
          AddViolation(r, "kernel >= stride", rule.id,
                       absl::StrCat("kernel ", Num(k[i]), " < stride ", Num(s[i])),
                       "use a kernel at least as large as the stride");
          break;
        }
      }
    } else if (rule.id == "no_transpose_n" && node.op() == "Transpose") {
      const std::vector<int64_t> perm = node.attrs().GetInts("perm");
      if (!perm.empty() && perm[0] != 0) {
        AddViolation(r, "the N dimension cannot be transposed", rule.id,
                     absl::StrCat("perm [", absl::StrJoin(perm, ","), "]"),
                     "keep dimension 0 in place (perm[0] = 0): reshape the split heads into "
                     "the channel dimension instead of the batch");
      }
    } else if (rule.id == "pad_mode_not_reflect" && node.op() == "Pad") {
      const std::string mode = node.attrs().GetString("mode", "constant");
      if (mode == "reflect") {
        AddViolation(r, "padding mode not reflect", rule.id, mode,
                     "use constant (zero) or edge (replication) padding");
      }
    } else if (rule.id == "resize_nearest_bilinear" && node.op() == "Resize") {
      const std::string mode = node.attrs().GetString("mode", "nearest");
      if (mode != "nearest" && mode != "linear") {
        AddViolation(r, "interpolation nearest or bilinear", rule.id, mode,
                     "use nearest or bilinear interpolation");
      }
    } else if (rule.id == "broadcast_except_n" && node.num_inputs() >= 2) {
      const ir::Value* a = node.input(0);
      const ir::Value* b = node.input(1);
      if (a == nullptr || b == nullptr) continue;
      if (a->type().shape.size() == b->type().shape.size() && !a->type().shape.empty() &&
          a->type().shape[0] != b->type().shape[0]) {
        AddViolation(r, "no broadcast along N", rule.id,
                     absl::StrCat("N ", a->type().shape[0], " vs ", b->type().shape[0]),
                     "expand the operand along N first, or move the batch into C");
      }
    }
  }
}

void CheckLimits(const ir::Graph& graph, const ir::Node& node, const MarchSupport& cell,
                 march::March m, bool quantized, NodeReport& r) {
  const bool model_output = IsModelOutput(graph, node);
  const bool sumin = node.op() == "FusedConv" && node.num_inputs() > 3;
  const ir::Value* in = node.input(0);
  const DType in_dtype = in != nullptr ? in->type().dtype : DType::kInvalid;
  const std::vector<Limit> limits = march::EffectiveLimits(cell);
  for (const Limit& limit : limits) {
    switch (limit.when) {
      case march::When::kAlways:
        // "作为模型输出时 ... <= 16384": at a model output the model_output limit of the same
        // name replaces the general one.
        if (model_output && std::any_of(limits.begin(), limits.end(), [&](const Limit& l) {
              return l.when == march::When::kModelOutput && l.name == limit.name;
            })) {
          continue;
        }
        break;
      case march::When::kModelOutput:
        if (!model_output) continue;
        break;
      case march::When::kWithSumin:
        if (!sumin) continue;
        break;
      case march::When::kInt8Input:
        if (!quantized || in_dtype != DType::kInt8) continue;
        break;
      case march::When::kInt16Input:
        if (!quantized || in_dtype != DType::kInt16) continue;
        break;
    }
    for (double v : Quantity(node, limit.name, cell)) {
      if (limit.Contains(v)) continue;
      AddViolation(r, limit.ToString(), limit.name, Num(v), LimitAdvice(node, limit, v, m));
      break;  // one violation per limit (the first offending dim)
    }
  }
}

std::vector<std::string> DTypeNames(const std::vector<ir::Value*>& values, bool skip_constants) {
  std::vector<std::string> out;
  for (const ir::Value* v : values) {
    if (v == nullptr || (skip_constants && v->is_constant())) continue;
    out.push_back(v->type().known() ? std::string(DTypeName(v->type().dtype)) : "?");
  }
  return out;
}

void CheckDTypes(const ir::Node& node, const MarchSupport& cell, march::March m,
                 const std::string& vendor, NodeReport& r) {
  const bool b2 = m == march::March::kBernoulli2;
  auto advice = [&](DType d, const std::vector<DType>& allowed) {
    if (d == DType::kInt16 && b2) {
      return absl::StrCat("qint16 only on bayes / bayes-e: quantize ", node.op(),
                          " as qint8 on bernoulli2 (drop it from --int16-ops)");
    }
    if (d == DType::kInt8 && Allowed(allowed, DType::kInt16)) {
      return absl::StrCat(vendor, " takes ", DTypeSet(allowed), " on ", march::MarchName(m),
                          ": quantize it as qint16 (--int16-ops ", node.op(), ")");
    }
    if (d == DType::kInt16) {
      return absl::StrCat(vendor, " takes ", DTypeSet(allowed), " on ", march::MarchName(m),
                          ": quantize this value as qint8 (drop its producer's op type from "
                          "--int16-ops)");
    }
    return absl::StrCat("requantize to one of ", DTypeSet(allowed));
  };
  if (!cell.input_dtypes.empty()) {
    for (const ir::Value* v : node.inputs()) {
      if (v == nullptr || v->is_constant() || !v->type().known()) continue;
      if (Allowed(cell.input_dtypes, v->type().dtype)) continue;
      AddViolation(r, absl::StrCat("input dtype in ", DTypeSet(cell.input_dtypes)), "dtype",
                   std::string(DTypeName(v->type().dtype)),
                   advice(v->type().dtype, cell.input_dtypes));
      break;
    }
  }
  if (!cell.output_dtypes.empty()) {
    for (const ir::Value* v : node.outputs()) {
      if (!v->type().known() || Allowed(cell.output_dtypes, v->type().dtype)) continue;
      AddViolation(r, absl::StrCat("output dtype in ", DTypeSet(cell.output_dtypes)), "dtype",
                   std::string(DTypeName(v->type().dtype)),
                   advice(v->type().dtype, cell.output_dtypes));
      break;
    }
  }
}

bool IsQuantized(const ir::Graph& graph) {
  if (!graph.march().empty()) return true;
  for (const auto& v : graph.values()) {
    if (v->type().quant.has_value()) return true;
  }
  return false;
}

NodeReport CheckNode(const ir::Graph& graph, const ir::Node& node, march::March m, bool quantized) {
  NodeReport r;
  r.name = node.name();
  r.op = node.op();
  r.input_dtypes = DTypeNames(node.inputs(), /*skip_constants=*/true);
  r.output_dtypes = DTypeNames(node.outputs(), false);
  const std::string op = TableOp(node);

  // The model's own quantize / dequantize: QuantStub on the BPU's input side, DeQuantStub on the
  // CPU. Inside a hybrid model they are the CPU segments' borders.
  if (op == "QuantizeLinear" && !IsGraphInput(graph, node.input(0))) {
    r.bpu = false;
    r.cpu_allowed = true;
    r.notes.push_back("quantizes a CPU segment's output for the BPU (hybrid border)");
    return r;
  }
  if (op == "DequantizeLinear" && !IsModelOutput(graph, node)) {
    r.bpu = false;
    r.cpu_allowed = true;
    r.notes.push_back("dequantizes for a CPU segment (hybrid border)");
    return r;
  }
  const bool float_node = quantized && op != "QuantizeLinear" && op != "DequantizeLinear" &&
                          !node.outputs().empty() &&
                          node.output(0)->type().dtype == DType::kFloat32;

  const Resolved resolved = ResolveRow(node, op, m);
  if (!resolved.how.empty()) r.notes.push_back(resolved.how);
  if (resolved.row == nullptr) {
    if (!resolved.composites.empty()) {
      // A part of a composite export (GELU's Erf): supported when the composite is.
      const OpTableEntry* e = resolved.composites.front();
      r.vendor_op = e->vendor_name;
      const MarchSupport& cell = e->For(m);
      if (cell.supported == march::Supported::kNo) {
        r.bpu = false;
        AddViolation(r, absl::StrCat(e->vendor_name, " supported on ", march::MarchName(m)),
                     "support", "no", SupportAdvice(node, e->vendor_name, m));
      } else {
        r.notes.push_back(absl::StrCat("part of ", e->vendor_name));
        if (float_node) r.bpu = false;
      }
      return r;
    }
    // No row: the back end's lowering decides (compiler/backend CheckTableRow).
    const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node.op());
    r.notes.push_back("no row in the op table");
    if (float_node || schema == nullptr || schema->qkind == ir::QuantKind::kNone) {
      r.bpu = false;
      AddViolation(r, "an op table row", "support", "none",
                   "no march runs this op on the BPU: replace it, or run it on the CPU in a "
                   "hybrid model (--hybrid)");
    }
    return r;
  }
  r.vendor_op = resolved.row->vendor_name;
  const MarchSupport& cell = resolved.row->For(m);
  if (cell.supported == march::Supported::kNo) {
    r.bpu = false;
    AddViolation(r, absl::StrCat(resolved.row->vendor_name, " supported on ", march::MarchName(m)),
                 "support", "no", SupportAdvice(node, resolved.row->vendor_name, m));
    return r;
  }
  if (cell.supported == march::Supported::kAbsorbed) {
    r.notes.push_back("absorbed (folded into its neighbours, not in the deployed model)");
    return r;
  }
  if (cell.runs_on_cpu) {
    r.bpu = false;
    r.cpu_allowed = true;
    return r;
  }
  if (float_node) {
    // Left in float on purpose (hybrid mode or a hybrid_dict rule): the CPU runs it.
    r.bpu = false;
    r.cpu_allowed = true;
    r.notes.push_back("left in float (hybrid): runs on the CPU");
    return r;
  }
  if (cell.table_based) r.notes.push_back("lookup-table implementation: precision risk");
  if (cell.model_output_only == march::ModelOutputOnly::kWholeOp && !IsModelOutput(graph, node)) {
    AddViolation(r, absl::StrCat(resolved.row->vendor_name, " only as a model output"),
                 "model_output_only", "feeds another node",
                 "make it the last node of the model (compute the max on the CPU otherwise)");
  }
  if (cell.model_output_only == march::ModelOutputOnly::kIndexOutput && op == "ArgMax" &&
      !IsModelOutput(graph, node)) {
    AddViolation(r, "the int32 index only as a model output", "model_output_only",
                 "feeds another node", "make the index a model output");
  }
  if (quantized && op != "QuantizeLinear") CheckDTypes(node, cell, m, r.vendor_op, r);
  CheckLimits(graph, node, cell, m, quantized, r);
  CheckRules(node, cell, r);
  return r;
}

}  // namespace

Feature FeatureOf(const Shape& shape) {
  Feature f;
  f.rank = static_cast<int>(shape.size());
  std::vector<int64_t> s(shape.begin(), shape.end());
  while (s.size() < 4) s.push_back(1);
  f.n = s[0];
  f.c = s[1];
  if (s.size() == 4) {
    f.h = s[2];
    f.w = s[3];
  } else {
    f.d = s[2];
    f.h = s[3];
    f.w = s[4];
    for (size_t i = 5; i < s.size(); ++i) f.w *= s[i];
  }
  return f;
}

CheckReport CheckGraph(const ir::Graph& graph, march::March m) {
  CheckReport report;
  report.march = std::string(march::MarchName(m));
  report.quantized = IsQuantized(graph);
  for (const auto& node : graph.nodes()) {
    NodeReport r = CheckNode(graph, *node, m, report.quantized);
    if (r.bpu) {
      ++report.bpu_nodes;
    } else {
      ++report.cpu_nodes;
    }
    report.violations += static_cast<int>(r.violations.size());
    report.nodes.push_back(std::move(r));
  }
  return report;
}

std::string SummaryLine(const CheckReport& report) {
  int nodes_with = 0;
  for (const NodeReport& n : report.nodes) nodes_with += !n.violations.empty();
  return absl::StrCat("check: ", report.nodes.size(), " nodes, ", report.bpu_nodes, " BPU, ",
                      report.cpu_nodes, " CPU, ", report.violations, " violations",
                      report.violations > 0 ? absl::StrCat(" in ", nodes_with, " nodes") : "", " (",
                      report.march, report.quantized ? ", dtypes checked" : ", shapes only",
                      "): ", report.ok() ? "compiles" : "does not compile");
}

std::string FormatReport(const CheckReport& report, bool all_nodes) {
  std::string out;
  for (const NodeReport& n : report.nodes) {
    if (!all_nodes && n.violations.empty() && (n.bpu || n.cpu_allowed)) continue;
    absl::StrAppend(&out, n.name, "  ", n.op,
                    n.vendor_op.empty() ? "" : absl::StrCat(" (", n.vendor_op, ")"), "  ",
                    n.bpu ? "BPU" : "CPU", "  ", absl::StrJoin(n.input_dtypes, ","), " -> ",
                    absl::StrJoin(n.output_dtypes, ","), "\n");
    for (const std::string& note : n.notes) absl::StrAppend(&out, "    note: ", note, "\n");
    for (const Violation& v : n.violations) {
      absl::StrAppend(&out, "    violates ", v.limit, ": ", v.value, "\n      advice: ", v.advice,
                      "\n");
    }
  }
  absl::StrAppend(&out, SummaryLine(report), "\n");
  return out;
}

}  // namespace openbpu::check
