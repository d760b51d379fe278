// Convert: scales -> QuantInfo, constants -> integers, border nodes, qprepare, march checks.
#include "compiler/quantization/convert.h"

#include <cstdlib>
#include <limits>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "compiler/ir/op_registry.h"
#include "compiler/march/op_table.h"
#include "compiler/passes/fusion.h"
#include "compiler/quantization/quant_tensor.h"

namespace openbpu::quantization {
namespace {

bool IsBiasInput(const ir::Node& node, int i) {
  return i == 2 && HasConstantWeight(node) && node.op() != "MatMul";
}

// The output axis holding output channels, for qint32 accumulator outputs.
int OutputChannelAxis(const ir::Node& node) {
  const std::string& op = node.op();
  if (op == "Conv" || op == "FusedConv" || op == "ConvTranspose") return 1;
  return static_cast<int>(node.output(0)->type().shape.size()) - 1;
}

absl::Status NodeError(const ir::Node& node, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(node.Describe(), ": ", what));
}

absl::Status WithNode(const ir::Node& node, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat(node.Describe(), ": ", s.message()));
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
    return NodeError(node, "march bernoulli2 supports int8 activations only; qint16 requested");
  }
  return absl::OkStatus();
}

}  // namespace

int64_t WorstCaseAccumulation(int64_t k, int64_t max_abs_bias) {
  return k * 32767 * 127 + max_abs_bias;
}

std::string ConvertReport::ToString() const {
  std::string s = absl::StrCat("convert: ", quantized_nodes.size(), " quantized nodes, ",
                               float_nodes.size(), " float nodes, ", quantize_inserted,
                               " QuantizeLinear, ", dequantize_inserted, " DequantizeLinear");
  if (!float_nodes.empty()) absl::StrAppend(&s, "\n  float: ", absl::StrJoin(float_nodes, ", "));
  for (const std::string& w : warnings) absl::StrAppend(&s, "\n  warning: ", w);
  return s;
}

absl::StatusOr<ConvertReport> Convert(CalibrationState& state, const ConvertOptions& options) {
  absl::StatusOr<march::March> march_id = march::ParseMarch(options.march);
  if (!march_id.ok()) return march_id.status();
  ir::Graph& graph = state.graph();
  for (const auto& v : graph.values()) {
    if (v->type().quant.has_value()) {
      return absl::FailedPreconditionError(
          absl::StrCat("value '", v->name(), "' is already quantized"));
    }
  }
  if (options.fuse) {
    absl::StatusOr<passes::FusionReport> fused = passes::FuseFx(graph);
    if (!fused.ok()) return fused.status();
  }
  ConvertReport report;

  // 1. Which nodes are quantized, with their qconfigs.
  std::map<const ir::Node*, QConfig> qnodes;
  for (const auto& node : graph.nodes()) {
    std::optional<QConfig> qc = state.qconfig_map().Resolve(*node);
    if (!IsQuantizable(*node, qc)) {
      report.float_nodes.push_back(node->name());
      continue;
    }
    if (absl::Status s = ValidateQConfig(*node, *qc); !s.ok()) return s;
    if (absl::Status s = CheckMarch(*node, *march_id, qc->activation.dtype); !s.ok()) return s;
    qnodes[node.get()] = *qc;
    report.quantized_nodes.push_back(node->name());
  }

  // 2. QuantInfo of every float value a quantized node touches (constants per use).
  std::map<const ir::Value*, ir::QuantInfo> vq;
  std::map<std::pair<const ir::Node*, int>, ir::QuantInfo> cq;  // constant inputs
  auto activation_info = [&](const ir::Node& node, const ir::Value* v) -> absl::Status {
    if (vq.count(v)) return absl::OkStatus();
    auto it = state.activations().find(v->name());
    if (it == state.activations().end()) {
      return NodeError(node, absl::StrCat("value '", v->name(),
                                          "' has no observer; run PrepareCalibration on this "
                                          "graph (with the same qconfig map)"));
    }
    if (it->second.dtype == QDType::kQInt32) {
      return NodeError(node,
                       absl::StrCat("value '", v->name(), "' is a qint32 accumulator output; ",
                                    "only float nodes or graph outputs may consume it"));
    }
    if (absl::Status s = CheckMarch(node, *march_id, it->second.dtype); !s.ok()) return s;
    absl::StatusOr<std::vector<float>> scales = state.ActivationScales(v->name());
    if (!scales.ok()) return WithNode(node, scales.status());
    const int axis = it->second.fixed.has_value() ? it->second.fixed->axis : -1;
    vq[v] = Info(it->second.dtype, *scales, axis);
    return absl::OkStatus();
  };
  for (const auto& node_ptr : graph.nodes()) {
    const ir::Node* node = node_ptr.get();
    auto qit = qnodes.find(node);
    if (qit == qnodes.end()) continue;
    const QConfig& qc = qit->second;
    const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node->op());
    const QDType act =
        qc.activation.dtype == QDType::kQInt32 ? QDType::kQInt8 : qc.activation.dtype;
    std::set<int> param_inputs(schema->constant_inputs.begin(), schema->constant_inputs.end());
    param_inputs.insert(schema->qfloat_inputs.begin(), schema->qfloat_inputs.end());
    // Non-constant inputs first: the bias scale needs s_x.
    for (int i = 0; i < node->num_inputs(); ++i) {
      const ir::Value* in = node->input(i);
      if (in == nullptr || in->is_constant() || in->type().dtype != DType::kFloat32) continue;
      if (absl::Status s = activation_info(*node, in); !s.ok()) return s;
    }
    for (int i = 0; i < node->num_inputs(); ++i) {
      const ir::Value* in = node->input(i);
      if (in == nullptr || !in->is_constant() || in->type().dtype != DType::kFloat32 ||
          param_inputs.count(i)) {
        continue;
      }
      if (i == 1 && HasConstantWeight(*node)) {
        absl::StatusOr<int> axis = WeightChannelAxis(*node);
        if (!axis.ok()) return axis.status();
        std::vector<float> scales;
        auto wit = state.weights().find(in->name());
        if (wit != state.weights().end() && wit->second.fixed.has_value()) {
          scales = wit->second.fixed->scales;
        } else if (wit != state.weights().end() && wit->second.axis == *axis) {
          scales = wit->second.observer->ComputeScales();
        } else {
          // A weight fusion made after calibration: observe the constant now.
          const ObserverConfig config = qc.weight.has_value()
                                            ? qc.weight->observer
                                            : ObserverConfig::MovingAveragePerChannelMinMax();
          absl::StatusOr<std::unique_ptr<Observer>> obs =
              MakeObserver(config, QDType::kQInt8, *axis);
          if (!obs.ok()) return WithNode(*node, obs.status());
          if (absl::Status s = (*obs)->Observe(in->constant()); !s.ok()) return WithNode(*node, s);
          scales = (*obs)->ComputeScales();
        }
        if (static_cast<int64_t>(scales.size()) != in->type().shape[*axis]) {
          return NodeError(*node,
                           absl::StrCat("weight '", in->name(), "' has ", in->type().shape[*axis],
                                        " output channels but ", scales.size(), " scales"));
        }
        cq[{node, i}] = Info(QDType::kQInt8, std::move(scales), *axis);
      } else if (IsBiasInput(*node, i)) {
        const ir::QuantInfo& w = cq.at({node, 1});
        const ir::QuantInfo& x = vq.at(node->input(0));
        if (x.scales.size() != 1) return NodeError(*node, "per-channel input scales");
        const int64_t n = in->constant().num_elements();
        if (n != static_cast<int64_t>(w.scales.size())) {
          return absl::UnimplementedError(absl::StrCat(
              node->Describe(), ": bias '", in->name(), "' has ", n,
              " elements; a per-output-channel bias of ", w.scales.size(), " is required"));
        }
        std::vector<float> scales(n);
        for (int64_t c = 0; c < n; ++c) scales[c] = x.scales[0] * w.scales[c];
        const int rank = static_cast<int>(in->type().shape.size());
        cq[{node, i}] = Info(QDType::kQInt32, std::move(scales), rank == 0 ? -1 : rank - 1);
      } else {
        cq[{node, i}] = ConstantInfo(in->constant(), act);
      }
    }
    for (int o = 0; o < node->num_outputs(); ++o) {
      const ir::Value* out = node->output(o);
      if (out->type().dtype != DType::kFloat32) continue;
      if (schema->qinherit_input >= 0) {
        const int src = schema->qinherit_input;
        const ir::Value* in = node->input(src);
        if (in == nullptr) return NodeError(*node, "the inherited input is missing");
        if (in->is_constant()) {
          if (!cq.count({node, src})) return NodeError(*node, "the inherited input is not data");
          vq[out] = cq.at({node, src});
        } else if (vq.count(in)) {
          vq[out] = vq.at(in);
        } else {
          return NodeError(*node,
                           absl::StrCat("inherited input '", in->name(), "' has no quantization"));
        }
        continue;
      }
      if (qc.activation.dtype == QDType::kQInt32) {
        if (!cq.count({node, 1}) || !vq.count(node->input(0))) {
          return NodeError(*node, "a qint32 output needs a constant weight and a quantized input");
        }
        const ir::QuantInfo& w = cq.at({node, 1});
        const float sx = vq.at(node->input(0)).scales[0];
        std::vector<float> scales(w.scales.size());
        for (size_t c = 0; c < scales.size(); ++c) scales[c] = sx * w.scales[c];
        vq[out] = Info(QDType::kQInt32, std::move(scales), OutputChannelAxis(*node));
        continue;
      }
      if (absl::Status s = activation_info(*node, out); !s.ok()) return s;
    }
  }

  // 3. Integer constants (a fresh value when a constant has other users).
  for (const auto& [key, info] : cq) {
    ir::Node* node = const_cast<ir::Node*>(key.first);
    const int i = key.second;
    ir::Value* in = node->input(i);
    absl::StatusOr<Tensor> q = QuantizeTensor(in->constant(), info);
    if (!q.ok()) {
      return WithNode(
          *node, absl::Status(q.status().code(),
                              absl::StrCat("constant '", in->name(), "': ", q.status().message())));
    }
    ir::Value* target = in;
    const std::vector<ir::Node*> users = graph.Users(in);
    bool graph_output = false;
    for (const ir::Value* o : graph.outputs()) graph_output = graph_output || o == in;
    if (users.size() != 1 || graph_output) {
      absl::StatusOr<ir::Value*> fresh =
          graph.AddValue(graph.UniqueValueName(absl::StrCat(in->name(), "_q")));
      if (!fresh.ok()) return fresh.status();
      target = *fresh;
      node->set_input(i, target);
    }
    target->set_constant(*std::move(q));
    target->mutable_type().quant = info;
  }

  // 4. Border nodes and integer value types.
  std::map<const ir::Value*, ir::Value*> quantized_of;    // float value -> QuantizeLinear output
  std::map<const ir::Value*, ir::Value*> dequantized_of;  // int value -> DequantizeLinear output
  auto zero_point = [&](const ir::QuantInfo& q) -> absl::StatusOr<ir::Value*> {
    Tensor zp(q.storage, q.axis < 0 ? Shape{} : Shape{static_cast<int64_t>(q.scales.size())});
    return graph.AddConstant(graph.UniqueValueName("zero_point"), std::move(zp));
  };
  auto scale_const = [&](const ir::QuantInfo& q) -> absl::StatusOr<ir::Value*> {
    Tensor s = q.axis < 0
                   ? Tensor::Scalar<float>(q.scales[0])
                   : Tensor::FromVector<float>({static_cast<int64_t>(q.scales.size())}, q.scales);
    return graph.AddConstant(graph.UniqueValueName("scale"), std::move(s));
  };
  auto border = [&](absl::string_view op, ir::Value* in, const ir::QuantInfo& q,
                    absl::string_view suffix) -> absl::StatusOr<ir::Value*> {
    absl::StatusOr<ir::Value*> s = scale_const(q);
    if (!s.ok()) return s.status();
    absl::StatusOr<ir::Value*> zp = zero_point(q);
    if (!zp.ok()) return zp.status();
    absl::StatusOr<ir::Value*> out =
        graph.AddValue(graph.UniqueValueName(absl::StrCat(in->name(), suffix)));
    if (!out.ok()) return out.status();
    ir::AttributeMap attrs;
    if (q.axis >= 0) attrs.Set("axis", static_cast<int64_t>(q.axis));
    absl::StatusOr<ir::Node*> n =
        graph.AddNode(graph.UniqueNodeName(absl::StrCat(in->name(), suffix)), op, {in, *s, *zp},
                      {*out}, std::move(attrs));
    if (!n.ok()) return n.status();
    ir::TensorType t;
    t.shape = in->type().shape;
    if (op == "QuantizeLinear") {
      t.dtype = q.storage;
      t.quant = q;
      ++report.quantize_inserted;
    } else {
      t.dtype = DType::kFloat32;
      ++report.dequantize_inserted;
    }
    (*out)->set_type(std::move(t));
    return *out;
  };
  std::vector<ir::Node*> nodes;
  for (const auto& n : graph.nodes()) nodes.push_back(n.get());
  for (ir::Node* node : nodes) {
    if (!qnodes.count(node)) continue;
    for (int i = 0; i < node->num_inputs(); ++i) {
      ir::Value* in = node->input(i);
      if (in == nullptr || in->is_constant() || !vq.count(in)) continue;
      if (in->producer() != nullptr && qnodes.count(in->producer())) continue;
      auto it = quantized_of.find(in);
      if (it == quantized_of.end()) {
        absl::StatusOr<ir::Value*> q = border("QuantizeLinear", in, vq.at(in), "_quantized");
        if (!q.ok()) return q.status();
        it = quantized_of.emplace(in, *q).first;
      }
      node->set_input(i, it->second);
    }
  }
  for (ir::Node* node : nodes) {
    if (!qnodes.count(node)) continue;
    for (ir::Value* out : node->outputs()) {
      if (!vq.count(out)) continue;
      const ir::QuantInfo& q = vq.at(out);
      out->mutable_type().dtype = q.storage;
      out->mutable_type().quant = q;
    }
  }
  std::vector<ir::Value*> outputs = graph.outputs();
  for (ir::Node* node : nodes) {
    if (!qnodes.count(node)) continue;
    for (ir::Value* out : node->outputs()) {
      if (!out->type().quant.has_value()) continue;
      bool needs = false;
      std::vector<std::pair<ir::Node*, int>> float_uses;
      for (ir::Node* user : graph.Users(out)) {
        if (qnodes.count(user)) continue;
        for (int i = 0; i < user->num_inputs(); ++i) {
          if (user->input(i) == out) float_uses.push_back({user, i});
        }
      }
      for (ir::Value* o : outputs) needs = needs || o == out;
      if (float_uses.empty() && !needs) continue;
      absl::StatusOr<ir::Value*> dq =
          border("DequantizeLinear", out, *out->type().quant, "_dequantized");
      if (!dq.ok()) return dq.status();
      for (auto& [user, i] : float_uses) user->set_input(i, *dq);
      for (ir::Value*& o : outputs) {
        if (o == out) o = *dq;
      }
    }
  }
  graph.SetOutputs(std::move(outputs));
  if (absl::Status s = graph.TopologicalSort(); !s.ok()) return s;

  // 5. Integer parameters, once per node.
  const ir::QuantOpContext ctx{std::string(march::MarchName(*march_id))};
  for (const auto& node : graph.nodes()) {
    if (!qnodes.count(node.get())) continue;
    const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node->op());
    if (!schema->qprepare) continue;
    if (absl::Status s = schema->qprepare(*node, ctx); !s.ok()) {
      return absl::Status(s.code(), absl::StrContains(s.message(), node->name())
                                        ? std::string(s.message())
                                        : absl::StrCat(node->Describe(), ": ", s.message()));
    }
  }

  // 6. int16-input conv/linear whose worst-case accumulation exceeds int32.
  for (const auto& node : graph.nodes()) {
    if (!qnodes.count(node.get())) continue;
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
      report.warnings.push_back(absl::StrCat(
          node->Describe(), ": int16 input, worst-case accumulation ", worst, " (K=", k,
          " x 32767 x 127 + |bias| ", max_bias, ") exceeds int32; the march requires the ",
          "accumulation to stay within int32"));
    }
  }
  graph.RemoveDeadValues();
  return report;
}

}  // namespace openbpu::quantization
