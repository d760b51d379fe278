// Use counts, order-preserving replacement and BatchNormalization folding.
#include "compiler/passes/graph_rewrite.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "compiler/ir/op_registry.h"

namespace openbpu::passes {

UseInfo::UseInfo(const ir::Graph& graph) {
  for (const auto& node : graph.nodes()) {
    for (ir::Value* in : node->inputs()) {
      if (in == nullptr) continue;
      ++uses_[in];
      last_user_[in] = node.get();
    }
  }
  graph_outputs_.insert(graph.outputs().begin(), graph.outputs().end());
}

int UseInfo::uses(const ir::Value* v) const {
  auto it = uses_.find(v);
  return it == uses_.end() ? 0 : it->second;
}

ir::Node* UseInfo::SoleUser(const ir::Value* v) const {
  if (uses(v) != 1 || is_graph_output(v)) return nullptr;
  return last_user_.at(v);
}

NodeOrder::NodeOrder(const ir::Graph& graph) {
  int64_t i = 0;
  for (const auto& node : graph.nodes()) position_[node->name()] = i++;
}

void NodeOrder::Inherit(absl::string_view new_node, absl::string_view old_node) {
  auto it = position_.find(old_node);
  if (it == position_.end()) return;
  position_[std::string(new_node)] = it->second;
}

absl::Status NodeOrder::Apply(ir::Graph& graph) const {
  std::vector<std::pair<int64_t, ir::Node*>> order;
  int64_t unknown = std::numeric_limits<int64_t>::max() / 2;
  for (const auto& node : graph.nodes()) {
    auto it = position_.find(node->name());
    order.emplace_back(it == position_.end() ? unknown++ : it->second, node.get());
  }
  if (std::is_sorted(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; })) {
    return absl::OkStatus();
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // Re-appending every node in the wanted order: ir::Graph only appends.
  for (const auto& [position, node] : order) {
    const std::string name = node->name();
    const std::string op = node->op();
    std::vector<ir::Value*> inputs = node->inputs();
    std::vector<ir::Value*> outputs = node->outputs();
    ir::AttributeMap attrs = node->attrs();
    graph.RemoveNode(node);
    OPENBPU_RETURN_IF_ERROR(
        graph.AddNode(name, op, std::move(inputs), std::move(outputs), std::move(attrs)).status());
  }
  return absl::OkStatus();
}

const Tensor* FloatConstant(const ir::Value* v) {
  if (v == nullptr || !v->is_constant() || v->constant().dtype() != DType::kFloat32) return nullptr;
  return &v->constant();
}

std::string BatchNormFoldProblem(const ir::Node& bn, int64_t channels) {
  if (bn.op() != "BatchNormalization")
    return absl::StrCat(bn.Describe(), " is not a BatchNormalization");
  if (bn.attrs().GetInt("training_mode", 0) != 0 || bn.num_outputs() != 1) {
    return absl::StrCat(bn.Describe(), " is in training mode");
  }
  if (bn.num_inputs() != 5) return absl::StrCat(bn.Describe(), " does not have 5 inputs");
  static constexpr const char* kNames[] = {"scale", "B", "input_mean", "input_var"};
  for (int i = 1; i < 5; ++i) {
    const Tensor* t = FloatConstant(bn.input(i));
    if (t == nullptr) {
      return absl::StrCat(bn.Describe(), ": '", kNames[i - 1], "' is not a float32 constant");
    }
    if (t->shape() != Shape{channels}) {
      return absl::StrCat(bn.Describe(), ": '", kNames[i - 1], "' has shape ",
                          ShapeToString(t->shape()), ", the producer has ", channels,
                          " output channels");
    }
  }
  return "";
}

void FoldBatchNorm(const ir::Node& bn, Tensor& weight, Tensor& bias) {
  const float* gamma = bn.input(1)->constant().data<float>();
  const float* beta = bn.input(2)->constant().data<float>();
  const float* mean = bn.input(3)->constant().data<float>();
  const float* var = bn.input(4)->constant().data<float>();
  const double epsilon = bn.attrs().GetFloat("epsilon", 1e-5f);
  const int64_t channels = weight.dim(0);
  const int64_t per_channel = channels == 0 ? 0 : weight.num_elements() / channels;
  float* w = weight.data<float>();
  float* b = bias.data<float>();
  for (int64_t c = 0; c < channels; ++c) {
    const double s =
        static_cast<double>(gamma[c]) / std::sqrt(static_cast<double>(var[c]) + epsilon);
    for (int64_t i = 0; i < per_channel; ++i) {
      float& x = w[c * per_channel + i];
      x = static_cast<float>(static_cast<double>(x) * s);
    }
    b[c] = static_cast<float>((static_cast<double>(b[c]) - mean[c]) * s + beta[c]);
  }
}

absl::StatusOr<ir::Node*> ReplaceNodes(ir::Graph& graph, const std::vector<ir::Node*>& nodes,
                                       absl::string_view name, absl::string_view op,
                                       std::vector<ir::Value*> inputs,
                                       std::vector<ir::Value*> outputs, ir::AttributeMap attrs) {
  for (ir::Node* node : nodes) graph.RemoveNode(node);
  return graph.AddNode(name, op, std::move(inputs), std::move(outputs), std::move(attrs));
}

absl::StatusOr<int> LoneBatchNormsToConvs(ir::Graph& graph) {
  std::vector<ir::Node*> bns;
  for (const auto& node : graph.nodes()) {
    if (node->op() != "BatchNormalization" || node->input(0) == nullptr) continue;
    const Shape& shape = node->input(0)->type().shape;
    if (shape.size() != 4 || !BatchNormFoldProblem(*node, shape[1]).empty()) continue;
    // After a weighted op (a conv whose output has other users, say) the BN is left as it is:
    // folding is fusion's business there.
    const ir::Node* producer = node->input(0)->producer();
    const ir::OpSchema* schema =
        producer != nullptr ? ir::OpRegistry::Global().Find(producer->op()) : nullptr;
    if (schema != nullptr && schema->weight_input >= 0) continue;
    bns.push_back(node.get());
  }
  for (ir::Node* bn : bns) {
    const int64_t channels = bn->input(0)->type().shape[1];
    const std::string name = bn->name();
    Tensor weight(DType::kFloat32, {channels, 1, 1, 1});
    for (float& v : weight.span<float>()) v = 1.0f;
    Tensor bias(DType::kFloat32, {channels});
    FoldBatchNorm(*bn, weight, bias);
    absl::StatusOr<ir::Value*> w = graph.AddConstant(
        graph.UniqueValueName(absl::StrCat(name, "_affine_weight")), std::move(weight));
    if (!w.ok()) return w.status();
    absl::StatusOr<ir::Value*> b = graph.AddConstant(
        graph.UniqueValueName(absl::StrCat(name, "_affine_bias")), std::move(bias));
    if (!b.ok()) return b.status();
    ir::AttributeMap attrs;
    attrs.Set("group", channels);
    attrs.Set("kernel_shape", std::vector<int64_t>{1, 1});
    absl::StatusOr<ir::Node*> conv =
        ReplaceNodes(graph, {bn}, name, "Conv", {bn->input(0), *w, *b}, {bn->output(0)}, attrs);
    if (!conv.ok()) return conv.status();
  }
  return static_cast<int>(bns.size());
}

}  // namespace openbpu::passes
