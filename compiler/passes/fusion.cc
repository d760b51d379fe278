// Pattern matching and rewriting for FuseModules / FuseFx. Matching reads use
// counts (UseInfo) fresh for each fusion, so one fusion never sees another's
// stale view; replaced chains take the position of their last node.
#include "compiler/passes/fusion.h"

#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "compiler/ir/op_registry.h"
#include "compiler/passes/graph_rewrite.h"

namespace openbpu::passes {
namespace {

// How a chain's core keeps its channels and bias, from its op's schema: a conv (channels on output
// axis 1), a linear layer with a bias input (Gemm) or one whose bias is a following Add (MatMul).
enum class CoreKind { kConv, kGemm, kMatMul };

struct Match {
  ir::Node* core = nullptr;
  const ir::OpSchema* schema = nullptr;  // the core's
  CoreKind kind = CoreKind::kConv;
  int64_t channels = 0;          // output channels / features of the core
  ir::Node* bias_add = nullptr;  // MatMul's constant bias Add
  ir::Node* bn = nullptr;
  ir::Node* add = nullptr;
  ir::Value* sumin = nullptr;  // the Add's other operand
  ir::Node* act = nullptr;
  std::string activation = "none";  // "relu" or "relu6" with `act`

  bool linear() const { return kind != CoreKind::kConv; }
  int length() const { return 1 + (bn != nullptr) + (add != nullptr) + (act != nullptr); }
  std::string pattern() const {
    std::string p = linear() ? "linear" : "conv";
    if (bn != nullptr) p += "+bn";
    if (add != nullptr) p += "+add";
    if (act != nullptr) p += "+relu";
    return p;
  }
  ir::Node* tail() const {
    for (ir::Node* n : {act, add, bn, bias_add}) {
      if (n != nullptr) return n;
    }
    return core;
  }
  std::vector<ir::Node*> nodes() const {
    std::vector<ir::Node*> out;
    for (ir::Node* n : {core, bias_add, bn, add, act}) {
      if (n != nullptr) out.push_back(n);
    }
    return out;
  }
  // The value the chain has computed so far.
  ir::Value* value() const { return tail()->output(0); }
};

bool IsFloat(const ir::Value* v) { return v != nullptr && v->type().dtype == DType::kFloat32; }

// A constant holding one value per output channel, broadcast along the last
// axis: [], [1], [n], [1, n], ... (at most `max_rank` dims).
bool IsPerChannelConstant(const ir::Value* v, int64_t n, size_t max_rank) {
  const Tensor* t = FloatConstant(v);
  if (t == nullptr || t->shape().size() > max_rank) return false;
  const Shape& s = t->shape();
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] != 1) return false;
  }
  return s.empty() || s.back() == 1 || s.back() == n;
}

// The per-channel constant broadcast to [n] and multiplied by `factor`.
Tensor PerChannel(const Tensor& t, int64_t n, float factor) {
  Tensor out(DType::kFloat32, {n});
  const float* src = t.data<float>();
  const bool scalar = t.num_elements() == 1;
  for (int64_t j = 0; j < n; ++j) out.data<float>()[j] = factor * src[scalar ? 0 : j];
  return out;
}

// The ops a chain can start at (OpSchema::fused_op set), for messages: "Conv, Gemm or MatMul".
std::string CoreOpNames() {
  std::vector<std::string> names;
  for (const std::string& name : ir::OpRegistry::Global().Names()) {
    if (!ir::OpRegistry::Global().Find(name)->fused_op.empty()) names.push_back(name);
  }
  if (names.size() < 2) return absl::StrJoin(names, "");
  return absl::StrCat(absl::StrJoin(names.begin(), names.end() - 1, ", "), " or ", names.back());
}

// Empty when `node` can start a chain; sets match->core/schema/kind/channels.
std::string CoreProblem(ir::Node* node, Match* match) {
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node->op());
  if (schema == nullptr || schema->fused_op.empty()) {
    return absl::StrCat(node->Describe(), " is not a ", CoreOpNames());
  }
  if (node->num_outputs() != 1 || !IsFloat(node->output(0)) || !IsFloat(node->input(0))) {
    return absl::StrCat(node->Describe(), " does not compute float32");
  }
  const Tensor* w = FloatConstant(node->input(schema->weight_input));
  if (w == nullptr) return absl::StrCat(node->Describe(), ": the weight is not a float32 constant");
  match->core = node;
  match->schema = schema;
  const ir::Value* bias = schema->bias_input >= 0 ? node->input(schema->bias_input) : nullptr;
  if (schema->output_channel_axis == 1) {
    match->kind = CoreKind::kConv;
    if (bias != nullptr && FloatConstant(bias) == nullptr) {
      return absl::StrCat(node->Describe(), ": the bias is not a float32 constant");
    }
    if (w->rank() < 3) return absl::StrCat(node->Describe(), ": the weight is not a conv weight");
    match->channels = w->dim(schema->weight_channel_axis(*node));
    return "";
  }
  if (w->rank() != 2) return absl::StrCat(node->Describe(), ": the weight is not 2-D");
  const int axis = schema->weight_channel_axis(*node);
  match->channels = w->dim(axis >= 0 ? axis : 2 + axis);
  if (schema->bias_input < 0) {
    match->kind = CoreKind::kMatMul;
    return "";
  }
  match->kind = CoreKind::kGemm;
  if (node->attrs().GetInt("transA", 0) != 0) {
    return absl::StrCat(node->Describe(), ": transA = 1 is not a linear layer");
  }
  if (bias != nullptr && !IsPerChannelConstant(bias, match->channels, 2)) {
    return absl::StrCat(node->Describe(),
                        ": C is not a float32 constant with one value per output");
  }
  return "";
}

// Empty when `add` adds a constant per-output bias to a MatMul's output `v`.
std::string BiasAddProblem(const ir::Node& add, const ir::Value* v, int64_t channels) {
  if (add.op() != "Add" || add.num_inputs() != 2)
    return absl::StrCat(add.Describe(), " is not an Add");
  const ir::Value* other = add.input(0) == v ? add.input(1) : add.input(0);
  if (other == v || !IsPerChannelConstant(other, channels, v->type().shape.size()) ||
      add.output(0)->type().shape != v->type().shape) {
    return absl::StrCat(add.Describe(), " is not a per-output bias");
  }
  return "";
}

std::string BatchNormProblem(const ir::Node& bn, const Match& m) {
  if (bn.op() != "BatchNormalization")
    return absl::StrCat(bn.Describe(), " is not a BatchNormalization");
  if (bn.input(0) != m.value()) {
    return absl::StrCat(bn.Describe(), " normalizes another input than the chain's output");
  }
  // Only a 2-D linear output has its features on BatchNormalization's axis 1.
  if (m.linear() && m.value()->type().shape.size() != 2) {
    return absl::StrCat(bn.Describe(), " normalizes along an axis other than the linear outputs");
  }
  return BatchNormFoldProblem(bn, m.channels);
}

// Empty when `add` adds a tensor of the chain output's shape; sets *sumin.
std::string ResidualAddProblem(const ir::Node& add, const Match& m, ir::Value** sumin) {
  if (add.op() != "Add" || add.num_inputs() != 2 || add.input(0) == nullptr ||
      add.input(1) == nullptr) {
    return absl::StrCat(add.Describe(), " is not an Add of two tensors");
  }
  const ir::Value* v = m.value();
  ir::Value* other = add.input(0) == v ? add.input(1) : add.input(0);
  if (other == v || !IsFloat(other) || other->type().shape != v->type().shape ||
      add.output(0)->type().shape != v->type().shape) {
    return absl::StrCat(add.Describe(), ": the other operand is not a float32 tensor of shape ",
                        ShapeToString(v->type().shape));
  }
  *sumin = other;
  return "";
}

// "relu" / "relu6" when `node` is Relu or ReLU6 of `v`, else empty.
std::string ActivationOf(const ir::Node& node, const ir::Value* v) {
  if (node.input(0) != v) return "";
  if (node.op() == "Relu") return "relu";
  if (node.op() != "Clip") return "";
  const Tensor* lo = FloatConstant(node.input(1));
  if (lo == nullptr || lo->num_elements() != 1 || lo->data<float>()[0] != 0.f) return "";
  if (node.input(2) == nullptr) return "relu";
  const Tensor* hi = FloatConstant(node.input(2));
  if (hi != nullptr && hi->num_elements() == 1 && hi->data<float>()[0] == 6.f) return "relu6";
  return "";
}

// A MatMul's bias Add goes with the core.
void AbsorbBiasAdd(const UseInfo& uses, Match& m) {
  if (m.kind != CoreKind::kMatMul) return;
  ir::Node* next = uses.SoleUser(m.value());
  if (next != nullptr && BiasAddProblem(*next, m.value(), m.channels).empty()) m.bias_add = next;
}

// The longest chain from a core.
Match Extend(const UseInfo& uses, Match m) {
  AbsorbBiasAdd(uses, m);
  ir::Node* next = uses.SoleUser(m.value());
  if (next != nullptr && BatchNormProblem(*next, m).empty()) {
    m.bn = next;
    next = uses.SoleUser(m.value());
  }
  ir::Value* sumin = nullptr;
  if (next != nullptr && ResidualAddProblem(*next, m, &sumin).empty()) {
    m.add = next;
    m.sumin = sumin;
    next = uses.SoleUser(m.value());
  }
  if (next != nullptr) {
    const std::string act = ActivationOf(*next, m.value());
    if (!act.empty()) {
      m.act = next;
      m.activation = act;
    }
  }
  return m;
}

// Adds a constant named after the fused node.
absl::StatusOr<ir::Value*> AddConstant(ir::Graph& graph, absl::string_view node_name,
                                       absl::string_view suffix, Tensor t) {
  return graph.AddConstant(graph.UniqueValueName(absl::StrCat(node_name, suffix)), std::move(t));
}

// Replaces the chain by one FusedConv / FusedLinear named after the core.
absl::Status Apply(ir::Graph& graph, const Match& m, NodeOrder& order, FusionReport& report) {
  ir::Node* core = m.core;
  const std::string name = core->name();
  const std::string tail_name = m.tail()->name();
  ir::Value* w_value = core->input(m.schema->weight_input);
  ir::Value* b_value = m.schema->bias_input >= 0 ? core->input(m.schema->bias_input) : nullptr;
  const Tensor& w_in = w_value->constant();
  const int64_t n = m.channels;
  // Weight as [out, ...], bias as [out]; null when the original value serves.
  std::optional<Tensor> weight;
  std::optional<Tensor> bias;
  if (m.kind == CoreKind::kConv) {
    if (b_value == nullptr) bias = Tensor(DType::kFloat32, {n});
  } else {
    // Already [out, in] when the weight's output channels are its axis 0 (Gemm with transB).
    const bool trans_b = m.schema->weight_channel_axis(*core) == 0;
    const float alpha = m.kind == CoreKind::kGemm ? core->attrs().GetFloat("alpha", 1.f) : 1.f;
    if (!trans_b || alpha != 1.f) {
      const int64_t k = trans_b ? w_in.dim(1) : w_in.dim(0);
      Tensor w(DType::kFloat32, {n, k});
      for (int64_t o = 0; o < n; ++o) {
        for (int64_t i = 0; i < k; ++i) {
          const float x = trans_b ? w_in.data<float>()[o * k + i] : w_in.data<float>()[i * n + o];
          w.data<float>()[o * k + i] = alpha * x;
        }
      }
      weight = std::move(w);
    }
    ir::Value* c = b_value;
    const float beta = m.kind == CoreKind::kGemm ? core->attrs().GetFloat("beta", 1.f) : 1.f;
    if (m.bias_add != nullptr) {
      c = m.bias_add->input(0) == core->output(0) ? m.bias_add->input(1) : m.bias_add->input(0);
    }
    if (c == nullptr) {
      bias = Tensor(DType::kFloat32, {n});
    } else if (c->type().shape != Shape{n} || beta != 1.f) {
      bias = PerChannel(c->constant(), n, beta);
    } else {
      b_value = c;
    }
  }
  if (m.bn != nullptr) {
    if (!weight) weight = w_in;
    if (!bias) bias = b_value->constant();
    FoldBatchNorm(*m.bn, *weight, *bias);
  }
  if (weight) {
    OPENBPU_ASSIGN_OR_RETURN(w_value,
                             AddConstant(graph, name, "_fused_weight", *std::move(weight)));
  }
  if (bias) {
    OPENBPU_ASSIGN_OR_RETURN(b_value, AddConstant(graph, name, "_fused_bias", *std::move(bias)));
  }
  ir::AttributeMap attrs;
  if (!m.linear()) attrs = core->attrs();
  attrs.Set("activation", m.activation);
  attrs.Set("pattern", m.pattern());
  std::vector<ir::Value*> inputs = {core->input(0), w_value, b_value};
  if (m.sumin != nullptr) inputs.push_back(m.sumin);
  OPENBPU_RETURN_IF_ERROR(ReplaceNodes(graph, m.nodes(), name, m.schema->fused_op,
                                       std::move(inputs), {m.value()}, std::move(attrs))
                              .status());
  order.Inherit(name, tail_name);
  ++report.counts[m.pattern()];
  report.fused_nodes.push_back(name);
  return absl::OkStatus();
}

absl::Status RequireTypes(const ir::Graph& graph) {
  OPENBPU_RETURN_IF_ERROR(graph.Verify());
  for (const auto& node : graph.nodes()) {
    for (const ir::Value* out : node->outputs()) {
      if (!out->type().known()) {
        return absl::FailedPreconditionError(
            absl::StrCat(node->Describe(), ": output '", out->name(),
                         "' has no type; run ir::InferShapes before fusion"));
      }
    }
  }
  return absl::OkStatus();
}

// Restores order, drops the replaced constants and re-checks every type.
absl::Status Finish(ir::Graph& graph, const NodeOrder& order) {
  OPENBPU_RETURN_IF_ERROR(order.Apply(graph));
  graph.RemoveDeadValues();
  ir::ShapeInferenceOptions options;
  options.fold_constants = false;
  return ir::InferShapes(graph, options);
}

// Validates one FuseModules group against the current graph.
absl::StatusOr<Match> MatchGroup(const ir::Graph& graph, const UseInfo& uses,
                                 const std::vector<std::string>& names) {
  const std::string group = absl::StrCat("fusion group [", absl::StrJoin(names, ", "), "]: ");
  auto error = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(group, why));
  };
  if (names.size() < 2) {
    return error("a group is a conv or linear node followed by at least one of bn, add, relu");
  }
  std::vector<ir::Node*> nodes;
  for (const std::string& name : names) {
    ir::Node* node = graph.FindNode(name);
    if (node == nullptr) return error(absl::StrCat("no node named '", name, "'"));
    nodes.push_back(node);
  }
  Match m;
  if (std::string p = CoreProblem(nodes[0], &m); !p.empty()) return error(p);
  AbsorbBiasAdd(uses, m);
  size_t i = 1;
  if (m.bias_add != nullptr && nodes[i] == m.bias_add) ++i;
  if (i == nodes.size()) return error("a MatMul with its bias Add alone is not a pattern");
  enum Stage { kBn, kAdd, kAct, kDone };
  Stage stage = kBn;
  for (; i < nodes.size(); ++i) {
    ir::Node* node = nodes[i];
    const ir::Value* v = m.value();
    const std::string prev = m.tail()->name();
    if (uses.is_graph_output(v)) {
      return error(absl::StrCat("the output of '", prev, "' is a graph output"));
    }
    if (uses.uses(v) != 1) {
      return error(absl::StrCat("the output of '", prev, "' has ", uses.uses(v),
                                " uses; it can be absorbed only with one"));
    }
    if (uses.SoleUser(v) != node) {
      return error(
          absl::StrCat("'", node->name(), "' does not consume the output of '", prev, "'"));
    }
    if (node->op() == "BatchNormalization" && stage <= kBn) {
      if (std::string p = BatchNormProblem(*node, m); !p.empty()) return error(p);
      m.bn = node;
      stage = kAdd;
    } else if (node->op() == "Add" && stage <= kAdd) {
      ir::Value* sumin = nullptr;
      if (std::string p = ResidualAddProblem(*node, m, &sumin); !p.empty()) return error(p);
      m.add = node;
      m.sumin = sumin;
      stage = kAct;
    } else if (stage <= kAct && !ActivationOf(*node, v).empty()) {
      m.act = node;
      m.activation = ActivationOf(*node, v);
      stage = kDone;
    } else {
      return error(absl::StrCat(node->Describe(),
                                " cannot come here: the order is conv or linear, [bn], [add], "
                                "[relu or relu6]"));
    }
  }
  return m;
}

}  // namespace

int FusionReport::total() const {
  int total = 0;
  for (const auto& [pattern, count] : counts) total += count;
  return total;
}

std::string FusionReport::ToString() const {
  std::vector<std::string> parts;
  for (const auto& [pattern, count] : counts) parts.push_back(absl::StrCat(pattern, ": ", count));
  return absl::StrCat("{", absl::StrJoin(parts, ", "), "}");
}

const std::vector<std::string>& FusionPatternNames() {
  static const auto* names = [] {
    auto* out = new std::vector<std::string>;
    for (const char* core : {"conv", "linear"}) {
      for (const char* rest :
           {"+bn", "+bn+relu", "+relu", "+bn+add", "+bn+add+relu", "+add", "+add+relu"}) {
        out->push_back(absl::StrCat(core, rest));
      }
    }
    return out;
  }();
  return *names;
}

absl::StatusOr<FusionReport> FuseModules(
    ir::Graph& graph, const std::vector<std::vector<std::string>>& node_name_groups) {
  OPENBPU_RETURN_IF_ERROR(RequireTypes(graph));
  // Every group is checked against the untouched graph before any rewrite.
  const UseInfo uses(graph);
  std::vector<Match> matches;
  absl::flat_hash_set<const ir::Node*> claimed;
  for (const std::vector<std::string>& names : node_name_groups) {
    OPENBPU_ASSIGN_OR_RETURN(Match m, MatchGroup(graph, uses, names));
    for (const ir::Node* node : m.nodes()) {
      if (!claimed.insert(node).second) {
        return absl::InvalidArgumentError(absl::StrCat("fusion group [", absl::StrJoin(names, ", "),
                                                       "]: '", node->name(),
                                                       "' is already in another group"));
      }
    }
    matches.push_back(std::move(m));
  }
  FusionReport report;
  NodeOrder order(graph);
  // Groups are disjoint and a fusion keeps its chain's output value, so the
  // remaining matches (and their sumin values) stay valid.
  for (const Match& m : matches) {
    OPENBPU_RETURN_IF_ERROR(Apply(graph, m, order, report));
  }
  OPENBPU_RETURN_IF_ERROR(Finish(graph, order));
  return report;
}

absl::StatusOr<FusionReport> FuseFx(ir::Graph& graph) {
  OPENBPU_RETURN_IF_ERROR(RequireTypes(graph));
  FusionReport report;
  NodeOrder order(graph);
  bool affine_done = false;
  while (true) {
    const UseInfo uses(graph);
    std::optional<Match> best;
    for (const auto& node : graph.nodes()) {
      Match m;
      if (!CoreProblem(node.get(), &m).empty()) continue;
      m = Extend(uses, m);
      if (m.length() >= 2 && (!best || m.length() > best->length())) best = m;
    }
    if (!best) {
      // BatchNorms no convolution absorbed become depthwise 1x1 convolutions, which may fuse
      // with a following ReLU in one more round.
      if (affine_done) break;
      affine_done = true;
      OPENBPU_ASSIGN_OR_RETURN(const int affine, LoneBatchNormsToConvs(graph));
      if (affine == 0) break;
      report.counts["bn (as depthwise 1x1 conv)"] += affine;
      continue;
    }
    OPENBPU_RETURN_IF_ERROR(Apply(graph, *best, order, report));
  }
  OPENBPU_RETURN_IF_ERROR(Finish(graph, order));
  return report;
}

absl::StatusOr<bool> FusePass::Run(ir::Graph& graph) {
  OPENBPU_ASSIGN_OR_RETURN(report_, FuseFx(graph));
  return report_.total() > 0;
}

}  // namespace openbpu::passes
