// Graph construction, topological ordering and structural verification.
#include "compiler/ir/graph.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace openbpu::ir {

std::string TensorTypeToString(const TensorType& type) {
  std::string s = absl::StrCat(DTypeName(type.dtype), ShapeToString(type.shape));
  if (type.quant) {
    absl::StrAppend(&s, " q=", DTypeName(type.quant->storage));
    if (type.quant->axis >= 0) {
      absl::StrAppend(&s, " axis=", type.quant->axis, " scales=", type.quant->scales.size());
    } else if (!type.quant->scales.empty()) {
      absl::StrAppend(&s, " s=", type.quant->scales[0]);
    }
  }
  return s;
}

void Value::set_constant(Tensor tensor) {
  type_.dtype = tensor.dtype();
  type_.shape = tensor.shape();
  constant_ = std::move(tensor);
}

std::string Node::Describe() const { return absl::StrCat("node '", name_, "' (", op_, ")"); }

absl::StatusOr<Value*> Graph::AddValue(absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("value name must not be empty");
  if (value_by_name_.contains(name)) {
    return absl::AlreadyExistsError(absl::StrCat("duplicate value name '", name, "'"));
  }
  values_.push_back(std::unique_ptr<Value>(new Value(std::string(name))));
  Value* v = values_.back().get();
  value_by_name_[v->name()] = v;
  return v;
}

absl::StatusOr<Value*> Graph::AddConstant(absl::string_view name, Tensor tensor) {
  absl::StatusOr<Value*> v = AddValue(name);
  if (!v.ok()) return v.status();
  (*v)->set_constant(std::move(tensor));
  return v;
}

std::string Graph::UniqueValueName(absl::string_view prefix) const {
  if (!value_by_name_.contains(prefix)) return std::string(prefix);
  for (int i = 1;; ++i) {
    std::string name = absl::StrCat(prefix, "_", i);
    if (!value_by_name_.contains(name)) return name;
  }
}

std::string Graph::UniqueNodeName(absl::string_view prefix) const {
  if (!node_by_name_.contains(prefix)) return std::string(prefix);
  for (int i = 1;; ++i) {
    std::string name = absl::StrCat(prefix, "_", i);
    if (!node_by_name_.contains(name)) return name;
  }
}

Value* Graph::FindValue(absl::string_view name) const {
  auto it = value_by_name_.find(name);
  return it == value_by_name_.end() ? nullptr : it->second;
}

Node* Graph::FindNode(absl::string_view name) const {
  auto it = node_by_name_.find(name);
  return it == node_by_name_.end() ? nullptr : it->second;
}

absl::StatusOr<Node*> Graph::AddNode(absl::string_view name, absl::string_view op,
                                     std::vector<Value*> inputs, std::vector<Value*> outputs,
                                     AttributeMap attrs) {
  if (name.empty()) return absl::InvalidArgumentError("node name must not be empty");
  if (node_by_name_.contains(name)) {
    return absl::AlreadyExistsError(absl::StrCat("duplicate node name '", name, "'"));
  }
  for (Value* out : outputs) {
    if (out == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("node '", name, "': null output"));
    }
    if (out->producer_ != nullptr || out->is_constant()) {
      return absl::InvalidArgumentError(
          absl::StrCat("node '", name, "': value '", out->name(), "' is already defined"));
    }
  }
  nodes_.push_back(std::unique_ptr<Node>(new Node(std::string(name), std::string(op))));
  Node* node = nodes_.back().get();
  node->inputs_ = std::move(inputs);
  node->outputs_ = std::move(outputs);
  node->attrs_ = std::move(attrs);
  for (Value* out : node->outputs_) out->producer_ = node;
  node_by_name_[node->name()] = node;
  return node;
}

void Graph::RemoveNode(Node* node) {
  for (Value* out : node->outputs_) {
    if (out->producer_ == node) out->producer_ = nullptr;
  }
  node_by_name_.erase(node->name());
  nodes_.erase(std::remove_if(nodes_.begin(), nodes_.end(),
                              [node](const std::unique_ptr<Node>& n) { return n.get() == node; }),
               nodes_.end());
}

void Graph::RemoveDeadValues() {
  absl::flat_hash_set<const Value*> live(inputs_.begin(), inputs_.end());
  live.insert(outputs_.begin(), outputs_.end());
  for (const auto& node : nodes_) {
    for (Value* v : node->inputs_) live.insert(v);
    for (Value* v : node->outputs_) live.insert(v);
  }
  for (const auto& v : values_) {
    if (!live.contains(v.get())) value_by_name_.erase(v->name());
  }
  values_.erase(
      std::remove_if(values_.begin(), values_.end(),
                     [&](const std::unique_ptr<Value>& v) { return !live.contains(v.get()); }),
      values_.end());
}

std::vector<Node*> Graph::Users(const Value* value) const {
  std::vector<Node*> users;
  for (const auto& node : nodes_) {
    for (Value* in : node->inputs_) {
      if (in == value) {
        users.push_back(node.get());
        break;
      }
    }
  }
  return users;
}

absl::Status Graph::TopologicalSort() {
  // Kahn's algorithm, taking ready nodes in their current order.
  const size_t n = nodes_.size();
  absl::flat_hash_map<const Node*, size_t> index;
  for (size_t i = 0; i < n; ++i) index[nodes_[i].get()] = i;
  std::vector<int> pending(n, 0);
  std::vector<std::vector<size_t>> consumers(n);
  for (size_t i = 0; i < n; ++i) {
    absl::flat_hash_set<const Node*> seen;
    for (Value* in : nodes_[i]->inputs_) {
      if (in == nullptr || in->producer_ == nullptr) continue;
      auto it = index.find(in->producer_);
      if (it == index.end() || !seen.insert(in->producer_).second) continue;
      ++pending[i];
      consumers[it->second].push_back(i);
    }
  }
  std::vector<size_t> order;
  order.reserve(n);
  std::vector<bool> done(n, false);
  // Repeated sweeps keep the original relative order among ready nodes.
  bool progress = true;
  while (order.size() < n && progress) {
    progress = false;
    for (size_t i = 0; i < n; ++i) {
      if (done[i] || pending[i] != 0) continue;
      done[i] = true;
      progress = true;
      order.push_back(i);
      for (size_t c : consumers[i]) --pending[c];
    }
  }
  if (order.size() < n) {
    for (size_t i = 0; i < n; ++i) {
      if (!done[i]) {
        return absl::InvalidArgumentError(
            absl::StrCat("graph '", name_, "' has a cycle through ", nodes_[i]->Describe()));
      }
    }
  }
  std::vector<std::unique_ptr<Node>> sorted;
  sorted.reserve(n);
  for (size_t i : order) sorted.push_back(std::move(nodes_[i]));
  nodes_ = std::move(sorted);
  return absl::OkStatus();
}

absl::Status Graph::Verify() const {
  absl::flat_hash_set<const Value*> defined;
  for (Value* in : inputs_) {
    if (in->producer_ != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("graph input '", in->name(), "' is produced by a node"));
    }
    defined.insert(in);
  }
  for (const auto& v : values_) {
    if (v->is_constant()) defined.insert(v.get());
  }
  for (const auto& node : nodes_) {
    for (int i = 0; i < node->num_inputs(); ++i) {
      Value* in = node->inputs_[i];
      if (in == nullptr) continue;
      if (!defined.contains(in)) {
        return absl::InvalidArgumentError(
            absl::StrCat(node->Describe(), ": input ", i, " '", in->name(),
                         "' is not a graph input, a constant or the output of an earlier node"));
      }
    }
    for (Value* out : node->outputs_) {
      if (out->producer_ != node.get()) {
        return absl::InternalError(
            absl::StrCat(node->Describe(), ": output '", out->name(), "' has another producer"));
      }
      if (!defined.insert(out).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(node->Describe(), ": output '", out->name(), "' is defined twice"));
      }
    }
  }
  for (Value* out : outputs_) {
    if (!defined.contains(out)) {
      return absl::InvalidArgumentError(
          absl::StrCat("graph output '", out->name(), "' is never computed"));
    }
  }
  return absl::OkStatus();
}

}  // namespace openbpu::ir
