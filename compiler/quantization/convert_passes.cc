// Convert's passes: scales -> QuantInfo, constants -> integers, border nodes, qprepare, march
// checks.
#include "compiler/quantization/convert_passes.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "compiler/ir/node_error.h"
#include "compiler/ir/op_registry.h"
#include "compiler/passes/graph_pass.h"
#include "compiler/quantization/observer.h"
#include "compiler/quantization/quant_tensor.h"

namespace openbpu::quantization {
namespace {

using ir::NodeError;

// The output axis holding output channels (OpSchema::output_channel_axis), for qint32 accumulator
// outputs.
int OutputChannelAxis(const ir::Node& node, const ir::OpSchema& schema) {
  const int axis = schema.output_channel_axis.value_or(-1);
  return axis >= 0 ? axis : static_cast<int>(node.output(0)->type().shape.size()) + axis;
}

ir::QuantInfo Info(QDType dtype, std::vector<float> scales, int axis = -1) {
  ir::QuantInfo q;
  q.storage = StorageDType(dtype);
  q.scales = std::move(scales);
  q.axis = axis;
  return q;
}

// Per-tensor MinMax scale of a float constant.
ir::QuantInfo ConstantInfo(const Tensor& t, QDType dtype) {
  float lo = 0.0f, hi = 0.0f;
  for (float v : t.span<float>()) {
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  return Info(dtype, {SymmetricScale(lo, hi, dtype)});
}

absl::Status CheckMarch(const ir::Node& node, march::March m, QDType dtype) {
  if (m == march::March::kBernoulli2 && dtype == QDType::kQInt16) {
    return NodeError(absl::StatusCode::kInvalidArgument, node,
                     "march bernoulli2 supports int8 activations only; qint16 requested");
  }
  return absl::OkStatus();
}

// A pass over the shared ConvertContext.
class ConvertPass : public passes::GraphPass {
 public:
  explicit ConvertPass(ConvertContext& context) : context_(context) {}

 protected:
  ConvertContext& context_;
};

class SelectQuantizedNodesPass : public ConvertPass {
 public:
  using ConvertPass::ConvertPass;
  absl::string_view name() const override { return "select-quantized-nodes"; }

  absl::StatusOr<bool> Run(ir::Graph& graph) override {
    for (const auto& node : graph.nodes()) {
      std::optional<QConfig> qc = context_.state.qconfig_map().Resolve(*node);
      if (!IsQuantizable(*node, qc)) {
        context_.report.float_nodes.push_back(node->name());
        continue;
      }
      OPENBPU_RETURN_IF_ERROR(ValidateQConfig(*node, *qc));
      OPENBPU_RETURN_IF_ERROR(CheckMarch(*node, context_.march, qc->activation.dtype));
      context_.qnodes[node.get()] = *qc;
      context_.report.quantized_nodes.push_back(node->name());
    }
    return false;
  }
};

class AssignQuantInfoPass : public ConvertPass {
 public:
  using ConvertPass::ConvertPass;
  absl::string_view name() const override { return "assign-quant-info"; }

  absl::StatusOr<bool> Run(ir::Graph& graph) override {
    if (context_.unify_concat_scales) OPENBPU_RETURN_IF_ERROR(UnifyConcatScales(graph, context_));
    for (const auto& node_ptr : graph.nodes()) {
      const ir::Node* node = node_ptr.get();
      auto qit = context_.qnodes.find(node);
      if (qit == context_.qnodes.end()) continue;
      const QConfig& qc = qit->second;
      const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node->op());
      // Non-constant inputs first: the bias scale needs s_x.
      for (int i = 0; i < node->num_inputs(); ++i) {
        const ir::Value* in = node->input(i);
        if (in == nullptr || in->is_constant() || in->type().dtype != DType::kFloat32) continue;
        OPENBPU_RETURN_IF_ERROR(AssignActivation(*node, in));
      }
      OPENBPU_RETURN_IF_ERROR(AssignConstants(*node, *schema, qc));
      OPENBPU_RETURN_IF_ERROR(AssignOutputs(*node, *schema, qc));
    }
    if (context_.adaround) OPENBPU_RETURN_IF_ERROR(RoundWeightsLearned(graph, context_));
    if (context_.bias_correction) OPENBPU_RETURN_IF_ERROR(CorrectBiases(graph, context_));
    return false;
  }

 private:
  // The observed (or fixed) scales of a float activation value.
  absl::Status AssignActivation(const ir::Node& node, const ir::Value* v) {
    if (context_.value_quant.count(v)) return absl::OkStatus();
    auto it = context_.state.activations().find(v->name());
    if (it == context_.state.activations().end()) {
      return NodeError(absl::StatusCode::kInvalidArgument, node,
                       absl::StrCat("value '", v->name(),
                                    "' has no observer; run PrepareCalibration on this "
                                    "graph (with the same qconfig map)"));
    }
    if (it->second.dtype == QDType::kQInt32) {
      return NodeError(absl::StatusCode::kInvalidArgument, node,
                       absl::StrCat("value '", v->name(), "' is a qint32 accumulator output; ",
                                    "only float nodes or graph outputs may consume it"));
    }
    OPENBPU_RETURN_IF_ERROR(CheckMarch(node, context_.march, it->second.dtype));
    absl::StatusOr<std::vector<float>> scales = context_.state.ActivationScales(v->name());
    if (!scales.ok()) return NodeError(node, scales.status());
    const int axis = it->second.fixed.has_value() ? it->second.fixed->axis : -1;
    if (auto u = context_.unified_scale.find(v->name()); u != context_.unified_scale.end()) {
      *scales = {u->second};
    }
    context_.value_quant[v] = Info(it->second.dtype, *scales, axis);
    return absl::OkStatus();
  }

  // Per-channel int8 weight scales: fixed, observed at calibration, or observed now.
  absl::StatusOr<std::vector<float>> WeightScales(const ir::Node& node, const ir::Value* w,
                                                  int axis, const QConfig& qc) {
    auto wit = context_.state.weights().find(w->name());
    if (wit != context_.state.weights().end() && wit->second.fixed.has_value()) {
      return wit->second.fixed->scales;
    }
    if (wit != context_.state.weights().end() && wit->second.axis == axis) {
      return wit->second.observer->ComputeScales();
    }
    // A weight fusion made after calibration: observe the constant now.
    const ObserverConfig config = qc.weight.has_value()
                                      ? qc.weight->observer
                                      : ObserverConfig::MovingAveragePerChannelMinMax();
    absl::StatusOr<std::unique_ptr<Observer>> obs = MakeObserver(config, QDType::kQInt8, axis);
    if (!obs.ok()) return NodeError(node, obs.status());
    if (absl::Status s = (*obs)->Observe(w->constant()); !s.ok()) return NodeError(node, s);
    return (*obs)->ComputeScales();
  }

  absl::Status AssignConstants(const ir::Node& node, const ir::OpSchema& schema,
                               const QConfig& qc) {
    const QDType act =
        qc.activation.dtype == QDType::kQInt32 ? QDType::kQInt8 : qc.activation.dtype;
    std::set<int> param_inputs(schema.constant_inputs.begin(), schema.constant_inputs.end());
    param_inputs.insert(schema.qfloat_inputs.begin(), schema.qfloat_inputs.end());
    for (int i = 0; i < node.num_inputs(); ++i) {
      const ir::Value* in = node.input(i);
      if (in == nullptr || !in->is_constant() || in->type().dtype != DType::kFloat32 ||
          param_inputs.count(i)) {
        continue;
      }
      const bool weighted = ConstantWeight(node) != nullptr;
      if (weighted && i == schema.weight_input) {
        OPENBPU_ASSIGN_OR_RETURN(const int axis, WeightChannelAxis(node));
        OPENBPU_ASSIGN_OR_RETURN(std::vector<float> scales, WeightScales(node, in, axis, qc));
        if (static_cast<int64_t>(scales.size()) != in->type().shape[axis]) {
          return NodeError(absl::StatusCode::kInvalidArgument, node,
                           absl::StrCat("weight '", in->name(), "' has ", in->type().shape[axis],
                                        " output channels but ", scales.size(), " scales"));
        }
        context_.constant_quant[{&node, i}] = Info(QDType::kQInt8, std::move(scales), axis);
      } else if (weighted && i == schema.bias_input) {
        const ir::QuantInfo& w = context_.constant_quant.at({&node, schema.weight_input});
        const ir::QuantInfo& x = context_.value_quant.at(node.input(0));
        if (x.scales.size() != 1) {
          return NodeError(absl::StatusCode::kInvalidArgument, node, "per-channel input scales");
        }
        const int64_t n = in->constant().num_elements();
        if (n != static_cast<int64_t>(w.scales.size())) {
          return NodeError(absl::StatusCode::kUnimplemented, node,
                           absl::StrCat("bias '", in->name(), "' has ", n,
                                        " elements; a per-output-channel bias of ", w.scales.size(),
                                        " is required"));
        }
        std::vector<float> scales(n);
        for (int64_t ch = 0; ch < n; ++ch) scales[ch] = x.scales[0] * w.scales[ch];
        const int rank = static_cast<int>(in->type().shape.size());
        context_.constant_quant[{&node, i}] =
            Info(QDType::kQInt32, std::move(scales), rank == 0 ? -1 : rank - 1);
      } else {
        context_.constant_quant[{&node, i}] = ConstantInfo(in->constant(), act);
      }
    }
    return absl::OkStatus();
  }

  absl::Status AssignOutputs(const ir::Node& node, const ir::OpSchema& schema, const QConfig& qc) {
    for (int o = 0; o < node.num_outputs(); ++o) {
      const ir::Value* out = node.output(o);
      if (out->type().dtype != DType::kFloat32) continue;
      if (schema.qinherit_input >= 0) {
        const int src = schema.qinherit_input;
        const ir::Value* in = node.input(src);
        if (in == nullptr) {
          return NodeError(absl::StatusCode::kInvalidArgument, node,
                           "the inherited input is missing");
        }
        if (in->is_constant()) {
          if (!context_.constant_quant.count({&node, src})) {
            return NodeError(absl::StatusCode::kInvalidArgument, node,
                             "the inherited input is not data");
          }
          context_.value_quant[out] = context_.constant_quant.at({&node, src});
        } else if (context_.value_quant.count(in)) {
          context_.value_quant[out] = context_.value_quant.at(in);
        } else {
          return NodeError(absl::StatusCode::kInvalidArgument, node,
                           absl::StrCat("inherited input '", in->name(), "' has no quantization"));
        }
        continue;
      }
      if (qc.activation.dtype == QDType::kQInt32) {
        if (!context_.constant_quant.count({&node, schema.weight_input}) ||
            !context_.value_quant.count(node.input(0))) {
          return NodeError(absl::StatusCode::kInvalidArgument, node,
                           "a qint32 output needs a constant weight and a quantized input");
        }
        const ir::QuantInfo& w = context_.constant_quant.at({&node, schema.weight_input});
        const float sx = context_.value_quant.at(node.input(0)).scales[0];
        std::vector<float> scales(w.scales.size());
        for (size_t ch = 0; ch < scales.size(); ++ch) scales[ch] = sx * w.scales[ch];
        context_.value_quant[out] =
            Info(QDType::kQInt32, std::move(scales), OutputChannelAxis(node, schema));
        continue;
      }
      OPENBPU_RETURN_IF_ERROR(AssignActivation(node, out));
    }
    return absl::OkStatus();
  }
};

class QuantizeConstantsPass : public ConvertPass {
 public:
  using ConvertPass::ConvertPass;
  absl::string_view name() const override { return "quantize-constants"; }

  absl::StatusOr<bool> Run(ir::Graph& graph) override {
    for (const auto& [key, info] : context_.constant_quant) {
      ir::Node* node = const_cast<ir::Node*>(key.first);
      const int i = key.second;
      ir::Value* in = node->input(i);
      absl::StatusOr<Tensor> q = QuantizeTensor(in->constant(), info);
      if (!q.ok()) {
        return NodeError(q.status().code(), *node,
                         absl::StrCat("constant '", in->name(), "': ", q.status().message()));
      }
      ir::Value* target = in;
      const std::vector<ir::Node*> users = graph.Users(in);
      bool graph_output = false;
      for (const ir::Value* o : graph.outputs()) graph_output = graph_output || o == in;
      if (users.size() != 1 || graph_output) {
        OPENBPU_ASSIGN_OR_RETURN(
            target, graph.AddValue(graph.UniqueValueName(absl::StrCat(in->name(), "_q"))));
        node->set_input(i, target);
      }
      target->set_constant(*std::move(q));
      target->mutable_type().quant = info;
    }
    return !context_.constant_quant.empty();
  }
};

class InsertBordersPass : public ConvertPass {
 public:
  using ConvertPass::ConvertPass;
  absl::string_view name() const override { return "insert-borders"; }

  absl::StatusOr<bool> Run(ir::Graph& graph) override {
    std::vector<ir::Node*> nodes;
    for (const auto& n : graph.nodes()) nodes.push_back(n.get());
    OPENBPU_RETURN_IF_ERROR(QuantizeInputs(graph, nodes));
    for (ir::Node* node : nodes) {
      if (!context_.qnodes.count(node)) continue;
      for (ir::Value* out : node->outputs()) {
        if (!context_.value_quant.count(out)) continue;
        const ir::QuantInfo& q = context_.value_quant.at(out);
        out->mutable_type().dtype = q.storage;
        out->mutable_type().quant = q;
      }
    }
    OPENBPU_RETURN_IF_ERROR(DequantizeOutputs(graph, nodes));
    OPENBPU_RETURN_IF_ERROR(graph.TopologicalSort());
    return !context_.qnodes.empty();
  }

 private:
  // A QuantizeLinear in front of every float value a quantized node reads from a float producer
  // (or a graph input); one per value, shared by its quantized users.
  absl::Status QuantizeInputs(ir::Graph& graph, const std::vector<ir::Node*>& nodes) {
    std::map<const ir::Value*, ir::Value*> quantized_of;  // float value -> QuantizeLinear output
    for (ir::Node* node : nodes) {
      if (!context_.qnodes.count(node)) continue;
      for (int i = 0; i < node->num_inputs(); ++i) {
        ir::Value* in = node->input(i);
        if (in == nullptr || in->is_constant() || !context_.value_quant.count(in)) continue;
        if (in->producer() != nullptr && context_.qnodes.count(in->producer())) continue;
        auto it = quantized_of.find(in);
        if (it == quantized_of.end()) {
          OPENBPU_ASSIGN_OR_RETURN(
              ir::Value * q,
              AddBorder(graph, "QuantizeLinear", in, context_.value_quant.at(in), "_quantized"));
          it = quantized_of.emplace(in, q).first;
        }
        node->set_input(i, it->second);
      }
    }
    return absl::OkStatus();
  }

  // A DequantizeLinear after every quantized value that a float node reads or that is a graph
  // output.
  absl::Status DequantizeOutputs(ir::Graph& graph, const std::vector<ir::Node*>& nodes) {
    std::vector<ir::Value*> outputs = graph.outputs();
    for (ir::Node* node : nodes) {
      if (!context_.qnodes.count(node)) continue;
      for (ir::Value* out : node->outputs()) {
        if (!out->type().quant.has_value()) continue;
        bool needs = false;
        std::vector<std::pair<ir::Node*, int>> float_uses;
        for (ir::Node* user : graph.Users(out)) {
          if (context_.qnodes.count(user)) continue;
          for (int i = 0; i < user->num_inputs(); ++i) {
            if (user->input(i) == out) float_uses.push_back({user, i});
          }
        }
        for (ir::Value* o : outputs) needs = needs || o == out;
        if (float_uses.empty() && !needs) continue;
        OPENBPU_ASSIGN_OR_RETURN(ir::Value * dq, AddBorder(graph, "DequantizeLinear", out,
                                                           *out->type().quant, "_dequantized"));
        for (auto& [user, i] : float_uses) user->set_input(i, dq);
        for (ir::Value*& o : outputs) {
          if (o == out) o = dq;
        }
      }
    }
    graph.SetOutputs(std::move(outputs));
    return absl::OkStatus();
  }

  // A QuantizeLinear or DequantizeLinear of `in` with q's scales and a zero zero point; returns
  // its output (typed) and counts it in the report.
  absl::StatusOr<ir::Value*> AddBorder(ir::Graph& graph, absl::string_view op, ir::Value* in,
                                       const ir::QuantInfo& q, absl::string_view suffix) {
    Tensor scale =
        q.axis < 0 ? Tensor::Scalar<float>(q.scales[0])
                   : Tensor::FromVector<float>({static_cast<int64_t>(q.scales.size())}, q.scales);
    OPENBPU_ASSIGN_OR_RETURN(ir::Value * s,
                             graph.AddConstant(graph.UniqueValueName("scale"), std::move(scale)));
    Tensor zero(q.storage, q.axis < 0 ? Shape{} : Shape{static_cast<int64_t>(q.scales.size())});
    OPENBPU_ASSIGN_OR_RETURN(
        ir::Value * zp, graph.AddConstant(graph.UniqueValueName("zero_point"), std::move(zero)));
    OPENBPU_ASSIGN_OR_RETURN(
        ir::Value * out, graph.AddValue(graph.UniqueValueName(absl::StrCat(in->name(), suffix))));
    ir::AttributeMap attrs;
    if (q.axis >= 0) attrs.Set("axis", static_cast<int64_t>(q.axis));
    OPENBPU_RETURN_IF_ERROR(graph
                                .AddNode(graph.UniqueNodeName(absl::StrCat(in->name(), suffix)), op,
                                         {in, s, zp}, {out}, std::move(attrs))
                                .status());
    ir::TensorType t;
    t.shape = in->type().shape;
    if (op == "QuantizeLinear") {
      t.dtype = q.storage;
      t.quant = q;
      ++context_.report.quantize_inserted;
    } else {
      t.dtype = DType::kFloat32;
      ++context_.report.dequantize_inserted;
    }
    out->set_type(std::move(t));
    return out;
  }
};

class PrepareQParamsPass : public ConvertPass {
 public:
  using ConvertPass::ConvertPass;
  absl::string_view name() const override { return "prepare-qparams"; }

  absl::StatusOr<bool> Run(ir::Graph& graph) override {
    const ir::QuantOpContext ctx{std::string(march::MarchName(context_.march))};
    bool changed = false;
    for (const auto& node : graph.nodes()) {
      if (!context_.qnodes.count(node.get())) continue;
      const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node->op());
      if (!schema->qprepare) continue;
      if (absl::Status s = schema->qprepare(*node, ctx); !s.ok()) {
        // Most qprepare errors already name the node.
        return absl::StrContains(s.message(), node->name()) ? s : NodeError(*node, s);
      }
      changed = true;
    }
    return changed;
  }
};

class CheckInt16AccumulationPass : public ConvertPass {
 public:
  using ConvertPass::ConvertPass;
  absl::string_view name() const override { return "check-int16-accumulation"; }

  absl::StatusOr<bool> Run(ir::Graph& graph) override {
    for (const auto& node : graph.nodes()) {
      if (!context_.qnodes.count(node.get())) continue;
      const ir::Value* x = node->input(0);
      const ir::Value* w = node->input(1);
      if (x == nullptr || w == nullptr || x->type().dtype != DType::kInt16 || !w->is_constant() ||
          !w->type().quant.has_value() || w->type().quant->axis < 0) {
        continue;
      }
      const int axis = w->type().quant->axis;
      const int64_t k = w->constant().num_elements() / std::max<int64_t>(1, w->type().shape[axis]);
      int64_t max_bias = 0;
      const ir::Value* b = node->input(2);
      if (b != nullptr && b->is_constant() && b->type().dtype == DType::kInt32) {
        for (int32_t v : b->constant().span<int32_t>()) {
          max_bias = std::max<int64_t>(max_bias, std::llabs(static_cast<int64_t>(v)));
        }
      }
      const int64_t worst = WorstCaseAccumulation(k, max_bias);
      if (worst > std::numeric_limits<int32_t>::max()) {
        context_.report.warnings.push_back(absl::StrCat(
            node->Describe(), ": int16 input, worst-case accumulation ", worst, " (K=", k,
            " x 32767 x 127 + |bias| ", max_bias, ") exceeds int32; the march requires the ",
            "accumulation to stay within int32"));
      }
    }
    return false;
  }
};

class RemoveDeadValuesPass : public passes::GraphPass {
 public:
  absl::string_view name() const override { return "remove-dead-values"; }

  absl::StatusOr<bool> Run(ir::Graph& graph) override {
    const size_t before = graph.values().size();
    graph.RemoveDeadValues();
    return graph.values().size() != before;
  }
};

}  // namespace

void AddConvertPasses(passes::PassPipeline& pipeline, ConvertContext& context) {
  pipeline.AddPass<SelectQuantizedNodesPass>(context);
  pipeline.AddPass<AssignQuantInfoPass>(context);
  pipeline.AddPass<QuantizeConstantsPass>(context);
  pipeline.AddPass<InsertBordersPass>(context);
  pipeline.AddPass<PrepareQParamsPass>(context);
  pipeline.AddPass<CheckInt16AccumulationPass>(context);
  pipeline.AddPass<RemoveDeadValuesPass>();
}

}  // namespace openbpu::quantization
