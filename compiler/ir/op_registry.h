// The op registry: every op declares its schema (arity, attributes, which inputs
// must be constant), a validator for attribute values, a shape function and its
// reference kernel. Ops register themselves from their own file in
// compiler/ops (TFLite-Micro style: one op, one file).
#ifndef OPENBPU_COMPILER_IR_OP_REGISTRY_H_
#define OPENBPU_COMPILER_IR_OP_REGISTRY_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/tensor.h"
#include "compiler/ir/attribute.h"
#include "compiler/ir/graph.h"

namespace openbpu::ir {

struct AttrSpec {
  std::string name;
  AttrKind kind;
};

// Checks attribute values the kernel does not implement (an UNIMPLEMENTED
// status naming node and attribute) or that are invalid (INVALID_ARGUMENT).
using ValidateFn = std::function<absl::Status(const Node& node)>;
// Computes output types from input types (and constant inputs). `outputs` has
// one entry per node output. Errors need not name the node: the caller adds it.
using InferFn = std::function<absl::Status(const Node& node, std::vector<TensorType>& outputs)>;
// Reference kernel: float semantics on float32 (and the int64/int32/bool index,
// shape and mask tensors ONNX uses). inputs[i] is null for an omitted optional
// input; `outputs` arrives empty and must be filled with one tensor per output.
using KernelFn = std::function<absl::Status(
    const Node& node, absl::Span<const Tensor* const> inputs, std::vector<Tensor>& outputs)>;

// Quantized semantics (compiler/quantization, docs/NUMERICS.md). A quantized
// node keeps its op name; its values carry TensorType::quant (int8/int16/int32
// storage and scales) and the node carries Node::qparams.
struct QuantOpContext {
  std::string march;  // "bernoulli2", "bayes" or "bayes-e"
};
// Runs once at convert, when every input and output value of `node` has its
// QuantInfo: derives the integer parameters (requantize records, LUTs, add
// shifts...) and stores them with compiler/ops/qparams.h's Store. Errors name the node.
using QuantPrepareFn = std::function<absl::Status(Node& node, const QuantOpContext& ctx)>;
// Integer kernel: inputs are the integer tensors the input values' QuantInfo
// describe (or the op's float/int64 index inputs, unchanged); reads parameters
// parameters only through compiler/ops/qparams.h's Load and the value types; pushes one integer
// tensor per output in the output value's storage dtype. Loads and validates the typed parameters
// qprepare stored on `node` (compiler/ops/qparams.h): OK when they are complete, an error naming
// the node otherwise. The quantized-graph verifier runs it on every node that runs on the BPU.
using QuantCheckFn = std::function<absl::Status(const Node& node)>;
using QuantKernelFn = std::function<absl::Status(
    const Node& node, absl::Span<const Tensor* const> inputs, std::vector<Tensor>& outputs)>;
// How the per-op agreement test judges a quantized op (docs/NUMERICS.md).
enum class QuantKind {
  kNone,        // no integer kernel: the op stays in float (CPU) when quantizing
  kExact,       // data movement, max, relu...: equals the float op on the grid exactly
  kArithmetic,  // conv, add, mul, pooling...: within 1 LSB (99.9 %), never > 2 LSB
  kTable,       // LUT ops and ops built from tables: bounded by their table error
};

struct OpSchema {
  std::string name;
  int min_inputs = 1;
  int max_inputs = 1;
  int min_outputs = 1;
  int max_outputs = 1;
  // Every attribute the op understands; any other attribute is rejected.
  std::vector<AttrSpec> attrs;
  // Input indices that must be constants when present (shapes, axes, pads...).
  std::vector<int> constant_inputs;
  // The kernel reads only the shapes of its inputs (Shape): it folds to a
  // constant as soon as input types are known.
  bool shape_only = false;
  ValidateFn validate;
  InferFn infer;
  KernelFn kernel;
  // The kernel is common/kernels' float kernel of this op (compiler/ops RegistryKernel), the one
  // the runtime's CPU segments run too.
  bool kernel_from_registry = false;
  // Quantized semantics; qkind == kNone means the op has none.
  QuantKind qkind = QuantKind::kNone;
  // >= 0: the output takes that input's QuantInfo (storage and scales) instead
  // of an observed scale -- data movement, max/relu and other exact ops.
  int qinherit_input = -1;
  // Constant inputs a quantized node keeps in float because they are parameters
  // its qprepare reads, not data (Pow's exponent, Clip's bounds, PRelu's slope):
  // convert leaves them unquantized, so 2.0 stays 2.0 instead of 1.992.
  std::vector<int> qfloat_inputs;
  QuantPrepareFn qprepare;  // may be empty when the op needs no parameters
  QuantCheckFn qcheck;      // set iff qprepare is
  QuantKernelFn qkernel;
  // kTable ops: the asserted worst error of the int16 table (in output LSBs) over the agreement
  // cases' input ranges (docs/NUMERICS.md, "Lookup tables"); int8 tables are exact to 1 LSB.
  // -1: not a table op.
  int int16_table_error_lsb = -1;

  // Weighted ops (conv, linear, matmul). weight_input >= 0: that input is the weight; when it is a
  // float32 constant, calibration observes it per output channel and convert makes it int8 per
  // channel, and the node's output may be a raw qint32 accumulator.
  int weight_input = -1;
  // The bias input convert quantizes to int32 at s_x * s_w[ch]; -1: none (MatMul's bias is a
  // following Add).
  int bias_input = -1;
  // The weight's output-channel axis for `node` (Gemm's depends on transB); negative counts from
  // the weight's last axis (MatMul's [..., K, N] weight: -1). Set iff weight_input >= 0.
  std::function<int(const Node& node)> weight_channel_axis;
  // The output's channel axis (the per-channel scales of a qint32 accumulator output): 1 for NCHW
  // convolutions, -1 (the last axis) for linear layers. Set iff weight_input >= 0.
  std::optional<int> output_channel_axis;
  // The op a fusion chain starting here (conv/linear + bn/add/relu, compiler/passes/fusion.h)
  // becomes: FusedConv or FusedLinear. Empty: fusion does not start a chain at this op.
  std::string fused_op;
  // The op whose rows of the march op table (compiler/march) describe this one, when not its own
  // name: a fused op runs as its core op (FusedConv as Conv, FusedLinear as Gemm).
  std::string table_op;
};

class OpRegistry {
 public:
  static OpRegistry& Global();
  // Returns true so it can initialize a static; a duplicate name aborts at
  // start-up (a programming error, not a runtime condition).
  bool Register(OpSchema schema);
  const OpSchema* Find(absl::string_view name) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, OpSchema, std::less<>> schemas_;
};

#define OPENBPU_REGISTER_OP(id, schema_expr)     \
  static const bool openbpu_op_registered_##id = \
      ::openbpu::ir::OpRegistry::Global().Register(schema_expr)

// Checks a node against its schema: known op, arity, attribute names and kinds,
// constant inputs present, then the op's own validator. Errors name the node.
absl::Status ValidateNode(const Node& node);

// Largest tensor the reference handles (1 GiB of float32): hostile shapes are
// errors, not allocation failures.
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 28;

// Non-negative dimensions and at most kMaxTensorElements elements.
absl::Status CheckShape(const Shape& shape);

struct ShapeInferenceOptions {
  // Evaluate nodes whose inputs are all constants and replace them by constants
  // (what makes exporters' Shape -> Gather -> Concat -> Reshape chains static).
  bool fold_constants = true;
};

// Validates every node and infers every value's type in topological order.
absl::Status InferShapes(Graph& graph, const ShapeInferenceOptions& options = {});

}  // namespace openbpu::ir

#endif  // OPENBPU_COMPILER_IR_OP_REGISTRY_H_
