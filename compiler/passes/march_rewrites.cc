#include "compiler/passes/march_rewrites.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "compiler/ir/op_registry.h"
#include "compiler/passes/graph_rewrite.h"

namespace openbpu::passes {
namespace {

march::Supported SupportOf(absl::string_view op, march::March m) {
  const march::OpTableEntry* row = march::FindPrimary(op);
  return row == nullptr ? march::Supported::kNo : row->For(m).supported;
}

// The largest kernel the march's op table allows for `op`, or int64 max without a limit.
int64_t KernelLimit(absl::string_view op, march::March m) {
  const march::OpTableEntry* row = march::FindPrimary(op);
  if (row == nullptr) return std::numeric_limits<int64_t>::max();
  for (const march::Limit& l : march::EffectiveLimits(row->For(m))) {
    if (l.name != "kernel" || !std::isfinite(l.max)) continue;
    const int64_t k = static_cast<int64_t>(std::floor(l.max));
    return l.max_exclusive && k == l.max ? k - 1 : k;
  }
  return std::numeric_limits<int64_t>::max();
}

// k as a product of factors <= limit, largest first; empty when a prime factor exceeds it.
std::vector<int64_t> Factors(int64_t k, int64_t limit) {
  std::vector<int64_t> out;
  while (k > limit) {
    int64_t f = limit;
    while (f > 1 && k % f != 0) --f;
    if (f <= 1) return {};
    out.push_back(f);
    k /= f;
  }
  out.push_back(k);
  return out;
}

bool IsShufflePerm(const std::vector<int64_t>& perm) {
  if (perm.size() < 3 || perm[0] != 0 || perm[1] != 2 || perm[2] != 1) return false;
  for (size_t i = 3; i < perm.size(); ++i) {
    if (perm[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

absl::Status ChannelShuffles(ir::Graph& graph, std::vector<std::string>& done) {
  const UseInfo uses(graph);
  std::vector<ir::Node*> transposes;
  for (const auto& node : graph.nodes()) {
    if (node->op() == "Transpose") transposes.push_back(node.get());
  }
  for (ir::Node* t : transposes) {
    if (!IsShufflePerm(t->attrs().GetInts("perm")) || t->input(0) == nullptr) continue;
    ir::Node* r1 = t->input(0)->producer();
    if (r1 == nullptr || r1->op() != "Reshape" || uses.SoleUser(t->input(0)) != t) continue;
    ir::Node* r2 = uses.SoleUser(t->output(0));
    if (r2 == nullptr || r2->op() != "Reshape") continue;
    ir::Value* x = r1->input(0);
    const Shape& xs = x->type().shape;
    const Shape& split = t->input(0)->type().shape;
    if (xs.size() < 2 || split.size() != xs.size() + 1 || r2->output(0)->type().shape != xs) {
      continue;
    }
    const int64_t g = split[1];
    bool match = split[0] == xs[0] && g > 0 && split[1] * split[2] == xs[1];
    for (size_t d = 2; d < xs.size() && match; ++d) match = split[d + 1] == xs[d];
    if (!match) continue;
    const std::string name = t->name();
    ir::AttributeMap attrs;
    attrs.Set("group", g);
    OPENBPU_RETURN_IF_ERROR(
        ReplaceNodes(graph, {r1, t, r2}, name, "ChannelShuffle", {x}, {r2->output(0)}, attrs)
            .status());
    done.push_back(absl::StrCat("channel shuffle '", name,
                                "' (Reshape, Transpose, Reshape) -> ChannelShuffle group=", g));
  }
  return absl::OkStatus();
}

// Mul(x, Sigmoid(x)) (either operand order) whose sigmoid nothing else reads -> SiLU(x): one
// lookup table on the BPU instead of a table, a requantized sigmoid and an integer multiply. The
// float result is the same bit for bit (SiLU's float kernel is x * sigmoid(x) in float32).
absl::Status SiluTables(ir::Graph& graph, std::vector<std::string>& done) {
  const UseInfo uses(graph);
  std::vector<ir::Node*> muls;
  for (const auto& node : graph.nodes()) {
    if (node->op() == "Mul" && node->num_inputs() == 2) muls.push_back(node.get());
  }
  int count = 0;
  std::string first;
  for (ir::Node* mul : muls) {
    for (int side = 0; side < 2; ++side) {
      ir::Value* x = mul->input(1 - side);
      ir::Value* s = mul->input(side);
      if (x == nullptr || s == nullptr || x == s) continue;
      ir::Node* sig = s->producer();
      if (sig == nullptr || sig->op() != "Sigmoid" || sig->input(0) != x ||
          uses.SoleUser(s) != mul || x->type().shape != mul->output(0)->type().shape) {
        continue;
      }
      const std::string name = mul->name();
      OPENBPU_RETURN_IF_ERROR(
          ReplaceNodes(graph, {sig, mul}, name, "SiLU", {x}, {mul->output(0)}, {}).status());
      if (count++ == 0) first = name;
      break;
    }
  }
  if (count > 0) {
    done.push_back(absl::StrCat("SiLU: ", count,
                                " Sigmoid -> Mul pair(s) -> SiLU, one lookup "
                                "table each (first '",
                                first, "')"));
  }
  return absl::OkStatus();
}

absl::Status PoolChains(ir::Graph& graph, march::March m, std::vector<std::string>& done) {
  std::vector<ir::Node*> pools;
  for (const auto& node : graph.nodes()) {
    const std::string& op = node->op();
    if (op == "AveragePool" || op == "MaxPool" || op == "GlobalAveragePool" ||
        op == "GlobalMaxPool") {
      pools.push_back(node.get());
    }
  }
  for (ir::Node* p : pools) {
    const std::string op = p->op();
    const bool global = op.rfind("Global", 0) == 0;
    const bool avg = op.find("Average") != std::string::npos;
    if (p->input(0) == nullptr || p->num_outputs() != 1) continue;
    const Shape& in = p->input(0)->type().shape;
    if (in.size() != 4) continue;
    std::vector<int64_t> kernel = {in[2], in[3]};
    if (!global) {
      const ir::AttributeMap& a = p->attrs();
      kernel = a.GetInts("kernel_shape");
      const std::vector<int64_t> strides = a.GetInts("strides", {1, 1});
      const std::vector<int64_t> pads = a.GetInts("pads", {0, 0, 0, 0});
      const std::vector<int64_t> dilations = a.GetInts("dilations", {1, 1});
      const std::string auto_pad = a.GetString("auto_pad", "NOTSET");
      bool plain = kernel.size() == 2 && strides == kernel && a.GetInt("ceil_mode", 0) == 0 &&
                   (auto_pad == "NOTSET" || auto_pad == "VALID") &&
                   a.GetInt("storage_order", 0) == 0;
      for (int64_t v : pads) plain &= v == 0;
      for (int64_t v : dilations) plain &= v == 1;
      if (!plain) continue;
    }
    const int64_t limit = KernelLimit(op, m);
    if (kernel[0] <= limit && kernel[1] <= limit) continue;
    std::vector<int64_t> fh = Factors(kernel[0], limit), fw = Factors(kernel[1], limit);
    if (fh.empty() || fw.empty()) continue;
    const size_t n = std::max(fh.size(), fw.size());
    fh.resize(n, 1);
    fw.resize(n, 1);
    const std::string name = p->name();
    ir::Value* x = p->input(0);
    ir::Value* y = p->output(0);
    graph.RemoveNode(p);
    std::vector<std::string> steps;
    for (size_t i = 0; i < n; ++i) {
      ir::Value* out = y;
      if (i + 1 < n) {
        OPENBPU_ASSIGN_OR_RETURN(
            out, graph.AddValue(graph.UniqueValueName(absl::StrCat(y->name(), "_chain", i))));
      }
      ir::AttributeMap attrs;
      attrs.Set("kernel_shape", std::vector<int64_t>{fh[i], fw[i]});
      attrs.Set("strides", std::vector<int64_t>{fh[i], fw[i]});
      OPENBPU_RETURN_IF_ERROR(
          graph
              .AddNode(i == 0 ? name : graph.UniqueNodeName(absl::StrCat(name, "/chain", i)),
                       avg ? "AveragePool" : "MaxPool", {x}, {out}, attrs)
              .status());
      steps.push_back(absl::StrCat(fh[i], "x", fw[i]));
      x = out;
    }
    done.push_back(absl::StrCat("pool '", name, "' (", op, " kernel ", kernel[0], "x", kernel[1],
                                ", limit ", limit, ") -> ", avg ? "AveragePool" : "MaxPool",
                                " chain ", absl::StrJoin(steps, ", ")));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> RewriteForMarch(ir::Graph& graph, march::March m) {
  std::vector<std::string> done;
  if (SupportOf("Transpose", m) == march::Supported::kNo &&
      SupportOf("ChannelShuffle", m) == march::Supported::kYes) {
    OPENBPU_RETURN_IF_ERROR(ChannelShuffles(graph, done));
  }
  OPENBPU_RETURN_IF_ERROR(PoolChains(graph, m, done));
  if (SupportOf("SiLU", m) == march::Supported::kYes) {
    OPENBPU_RETURN_IF_ERROR(SiluTables(graph, done));
  }
  if (done.empty()) return done;
  graph.RemoveDeadValues();
  OPENBPU_RETURN_IF_ERROR(graph.TopologicalSort());
  OPENBPU_RETURN_IF_ERROR(ir::InferShapes(graph));
  return done;
}

}  // namespace openbpu::passes
