// The graph IR shared by the whole compiler: a Graph owns Values (typed tensors,
// some constant) and Nodes (an op applied to values). Nodes are kept in
// topological order; HBIR (proto/hbir.proto) is the file form.
#ifndef OPENBPU_COMPILER_IR_GRAPH_H_
#define OPENBPU_COMPILER_IR_GRAPH_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/tensor.h"
#include "compiler/ir/attribute.h"

namespace openbpu::ir {

// Symmetric quantization of a tensor: real = q * scale (zero point always 0).
struct QuantInfo {
  DType storage = DType::kInt8;  // kInt8, kInt16 or kInt32
  std::vector<float> scales;     // one per tensor, or one per channel along `axis`
  int axis = -1;                 // -1: per-tensor

  bool operator==(const QuantInfo& other) const {
    return storage == other.storage && scales == other.scales && axis == other.axis;
  }
};

struct TensorType {
  DType dtype = DType::kInvalid;  // kInvalid until shape inference has run
  Shape shape;
  std::optional<QuantInfo> quant;

  bool known() const { return dtype != DType::kInvalid; }
  bool operator==(const TensorType& other) const {
    return dtype == other.dtype && shape == other.shape && quant == other.quant;
  }
};

// "float32[1,3,224,224]", with " q=int8 s=0.0123" when quantized.
std::string TensorTypeToString(const TensorType& type);

class Node;

class Value {
 public:
  const std::string& name() const { return name_; }
  const TensorType& type() const { return type_; }
  TensorType& mutable_type() { return type_; }
  void set_type(TensorType type) { type_ = std::move(type); }

  // The node computing this value, or null for graph inputs and constants.
  Node* producer() const { return producer_; }

  bool is_constant() const { return constant_.has_value(); }
  const Tensor& constant() const { return *constant_; }
  // Makes this value a constant; its type becomes the tensor's dtype and shape.
  void set_constant(Tensor tensor);

 private:
  friend class Graph;
  explicit Value(std::string name) : name_(std::move(name)) {}
  std::string name_;
  TensorType type_;
  Node* producer_ = nullptr;
  std::optional<Tensor> constant_;
};

class Node {
 public:
  const std::string& name() const { return name_; }
  const std::string& op() const { return op_; }

  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  int num_outputs() const { return static_cast<int>(outputs_.size()); }
  // Null for an omitted optional input.
  Value* input(int i) const { return i < num_inputs() ? inputs_[i] : nullptr; }
  Value* output(int i) const { return outputs_[i]; }
  const std::vector<Value*>& inputs() const { return inputs_; }
  const std::vector<Value*>& outputs() const { return outputs_; }
  void set_input(int i, Value* value) { inputs_[i] = value; }

  const AttributeMap& attrs() const { return attrs_; }
  AttributeMap& mutable_attrs() { return attrs_; }

  // Integer parameters a quantized node carries (requantize records, LUTs, ...),
  // computed once at convert by the op's qprepare and only read by its qkernel.
  // Empty on float nodes. Saved in HBIR; names are the op's own.
  const std::map<std::string, Tensor>& qparams() const { return qparams_; }
  std::map<std::string, Tensor>& mutable_qparams() { return qparams_; }

  // "node 'conv1' (Conv)", the prefix of every error about this node.
  std::string Describe() const;

 private:
  friend class Graph;
  Node(std::string name, std::string op) : name_(std::move(name)), op_(std::move(op)) {}
  std::string name_;
  std::string op_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  AttributeMap attrs_;
  std::map<std::string, Tensor> qparams_;
};

class Graph {
 public:
  explicit Graph(std::string name = "graph") : name_(std::move(name)) {}
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  // The march a quantized graph was converted for (quantization::Convert sets it); empty for a
  // float graph.
  const std::string& march() const { return march_; }
  void set_march(std::string march) { march_ = std::move(march); }

  // Creates a value; names must be unique within the graph.
  absl::StatusOr<Value*> AddValue(absl::string_view name);
  absl::StatusOr<Value*> AddConstant(absl::string_view name, Tensor tensor);
  // A fresh unique name starting with `prefix`.
  std::string UniqueValueName(absl::string_view prefix) const;
  std::string UniqueNodeName(absl::string_view prefix) const;

  Value* FindValue(absl::string_view name) const;
  Node* FindNode(absl::string_view name) const;

  // Appends a node; every output value must not have a producer yet.
  absl::StatusOr<Node*> AddNode(absl::string_view name, absl::string_view op,
                                std::vector<Value*> inputs, std::vector<Value*> outputs,
                                AttributeMap attrs = {});
  // Removes a node; its outputs stay as values without producer.
  void RemoveNode(Node* node);
  // Drops values that are neither produced, consumed, graph inputs nor outputs.
  void RemoveDeadValues();

  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }
  const std::vector<std::unique_ptr<Value>>& values() const { return values_; }

  const std::vector<Value*>& inputs() const { return inputs_; }
  const std::vector<Value*>& outputs() const { return outputs_; }
  void AddInput(Value* value) { inputs_.push_back(value); }
  void AddOutput(Value* value) { outputs_.push_back(value); }
  void SetOutputs(std::vector<Value*> outputs) { outputs_ = std::move(outputs); }

  // Nodes consuming `value`, in node order.
  std::vector<Node*> Users(const Value* value) const;

  // Reorders nodes topologically (stable for already ordered graphs). A cycle is
  // an InvalidArgument error naming a node on it.
  absl::Status TopologicalSort();

  // Structural checks: every input is a graph input, a constant or produced by an
  // earlier node; names are unique; outputs exist.
  absl::Status Verify() const;

 private:
  std::string name_;
  std::string march_;
  std::vector<std::unique_ptr<Value>> values_;
  std::vector<std::unique_ptr<Node>> nodes_;
  absl::flat_hash_map<std::string, Value*> value_by_name_;
  absl::flat_hash_map<std::string, Node*> node_by_name_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
};

}  // namespace openbpu::ir

#endif  // OPENBPU_COMPILER_IR_GRAPH_H_
