// Observer placement and the calibration loop.
#include "compiler/quantization/calibration.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "compiler/ir/node_error.h"
#include "compiler/ir/op_registry.h"
#include "compiler/passes/fusion.h"
#include "compiler/quantization/progress.h"
#include "compiler/reference/float_interpreter.h"

namespace openbpu::quantization {

bool IsQuantizable(const ir::Node& node, const std::optional<QConfig>& qconfig) {
  if (!qconfig.has_value()) return false;
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node.op());
  if (schema == nullptr || schema->qkind == ir::QuantKind::kNone) return false;
  for (const ir::Value* out : node.outputs()) {
    if (out->type().dtype == DType::kFloat32) return true;
  }
  // Index / mask results of float data (ArgMax, TopK indices, comparisons).
  for (const ir::Value* in : node.inputs()) {
    if (in != nullptr && !in->is_constant() && in->type().dtype == DType::kFloat32) return true;
  }
  return false;
}

const ir::Value* ConstantWeight(const ir::Node& node) {
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node.op());
  if (schema == nullptr || schema->weight_input < 0) return nullptr;
  const ir::Value* w = node.input(schema->weight_input);
  return w != nullptr && w->is_constant() && w->type().dtype == DType::kFloat32 ? w : nullptr;
}

absl::StatusOr<std::vector<float>> CalibrationState::ActivationScales(
    const std::string& value) const {
  auto it = activations_.find(value);
  if (it == activations_.end()) {
    return absl::NotFoundError(absl::StrCat("value '", value, "' has no observer"));
  }
  if (it->second.fixed.has_value()) return it->second.fixed->scales;
  if (it->second.selected_scale.has_value()) return std::vector<float>{*it->second.selected_scale};
  if (it->second.observer == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("value '", value, "' is ", QDTypeName(it->second.dtype), " and not observed"));
  }
  return it->second.observer->ComputeScales();
}

absl::Status CalibrationState::ObserveSample(absl::Span<const Tensor> sample) {
  OPENBPU_ASSIGN_OR_RETURN(const auto values, RunSample(sample));
  return ObserveValues(values);
}

absl::StatusOr<std::map<std::string, Tensor>> CalibrationState::RunSample(
    absl::Span<const Tensor> sample) const {
  return reference::RunFloatAllValues(*graph_, sample);
}

absl::Status CalibrationState::ObserveValues(const std::map<std::string, Tensor>& values) {
  // std::map: a fixed order, so the run is reproducible whatever the observers do.
  for (auto& [name, entry] : activations_) {
    if (entry.observer == nullptr) continue;
    auto it = values.find(name);
    if (it == values.end()) continue;  // constants are handled as weights or at convert
    if (absl::Status s = entry.observer->Observe(it->second); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("value '", name, "': ", s.message()));
    }
  }
  for (auto& [name, sums] : channel_sums_) {
    auto it = values.find(name);
    if (it == values.end() || it->second.dtype() != DType::kFloat32) continue;
    const Tensor& x = it->second;
    const Shape& shape = x.shape();
    if (shape.size() < 2) continue;
    const int64_t n = shape[0], c = shape[1],
                  inner = x.num_elements() / std::max<int64_t>(1, n * c);
    if (sums.sum.empty()) sums.sum.assign(static_cast<size_t>(c), 0.0);
    if (static_cast<int64_t>(sums.sum.size()) != c) continue;
    const float* d = x.data<float>();
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t ch = 0; ch < c; ++ch) {
        double acc = 0;
        const float* row = d + (b * c + ch) * inner;
        for (int64_t i = 0; i < inner; ++i) acc += row[i];
        sums.sum[static_cast<size_t>(ch)] += acc;
      }
    }
    sums.count += n * inner;
  }
  for (auto& [name, patches] : patches_) {
    const ir::Node* node = graph_->FindNode(name);
    if (node == nullptr) continue;
    auto it = values.find(node->input(0)->name());
    if (it == values.end()) continue;
    if (absl::Status s = CollectPatches(*node, it->second, samples_seen_, patch_sampling_, patches);
        !s.ok()) {
      return ir::NodeError(s.code(), *node, absl::StrCat("learned rounding: ", s.message()));
    }
  }
  ++samples_seen_;
  return absl::OkStatus();
}

std::optional<std::vector<double>> CalibrationState::ChannelMean(const std::string& value) const {
  auto it = channel_sums_.find(value);
  if (it == channel_sums_.end() || it->second.count == 0) return std::nullopt;
  std::vector<double> mean;
  for (double v : it->second.sum) mean.push_back(v / static_cast<double>(it->second.count));
  return mean;
}

namespace {

ObserverConfig DefaultWeightObserver() { return ObserverConfig::MovingAveragePerChannelMinMax(); }

int Width(QDType d) { return d == QDType::kQInt8 ? 8 : d == QDType::kQInt16 ? 16 : 32; }

}  // namespace

absl::StatusOr<std::unique_ptr<CalibrationState>> PrepareCalibration(
    ir::Graph& graph, const QConfigMap& qconfig_map, const PrepareOptions& options) {
  if (options.fixed_input_scale.has_value() &&
      !(*options.fixed_input_scale > 0.0f && std::isfinite(*options.fixed_input_scale))) {
    return absl::InvalidArgumentError(
        absl::StrCat("fixed input scale ", *options.fixed_input_scale, " is not finite and > 0"));
  }
  for (const auto& v : graph.values()) {
    if (v->type().quant.has_value()) {
      return absl::FailedPreconditionError(
          absl::StrCat("value '", v->name(), "' is already quantized; calibrate a float graph"));
    }
  }
  if (options.fuse) OPENBPU_RETURN_IF_ERROR(passes::FuseFx(graph).status());
  QConfigMap qmap = qconfig_map;
  if (options.high_precision_output) {
    OPENBPU_ASSIGN_OR_RETURN(const QConfig out, GetDefaultQatOutQConfig());
    for (const auto& node : graph.nodes()) {
      if (node->num_outputs() != 1 || node->output(0) == nullptr ||
          ConstantWeight(*node) == nullptr || !graph.Users(node->output(0)).empty()) {
        continue;
      }
      const bool is_output = std::find(graph.outputs().begin(), graph.outputs().end(),
                                       node->output(0)) != graph.outputs().end();
      std::optional<QConfig> qc = qmap.Resolve(*node);
      // Not where the user decided: a rule naming the node, or a QDQ pair's fixed scale.
      if (!is_output || !IsQuantizable(*node, qc) || qmap.NamesNode(node->name()) ||
          options.fixed_scales.count(node->output(0)->name()) != 0) {
        continue;
      }
      if (options.high_precision_output_allowed && !options.high_precision_output_allowed(*node)) {
        continue;
      }
      qmap.SetNodeOverride(node->name(), out);
    }
  }
  auto state = std::make_unique<CalibrationState>(&graph, std::move(qmap));

  // Per value: the dtype and observer of its producer when that is quantized, else of its widest
  // quantized consumer (first in node order among equals).
  struct Choice {
    const ir::Node* node = nullptr;
    QConfig qconfig;
    bool from_producer = false;
  };
  std::map<const ir::Value*, Choice> choice;
  std::vector<const ir::Value*> order;  // first-seen order, for deterministic construction
  for (const auto& node : graph.nodes()) {
    std::optional<QConfig> qc = qconfig_map.Resolve(*node);
    if (!IsQuantizable(*node, qc)) continue;
    OPENBPU_RETURN_IF_ERROR(ValidateQConfig(*node, *qc));
    for (int i = 0; i < node->num_inputs(); ++i) {
      const ir::Value* in = node->input(i);
      if (in == nullptr || in->is_constant() || in->type().dtype != DType::kFloat32) continue;
      auto it = choice.find(in);
      if (it == choice.end()) {
        choice[in] = {node.get(), *qc, false};
        order.push_back(in);
      } else if (!it->second.from_producer &&
                 Width(qc->activation.dtype) > Width(it->second.qconfig.activation.dtype) &&
                 qc->activation.dtype != QDType::kQInt32) {
        it->second = {node.get(), *qc, false};
      }
    }
    for (const ir::Value* out : node->outputs()) {
      if (out->type().dtype != DType::kFloat32) continue;
      if (!choice.count(out)) order.push_back(out);
      choice[out] = {node.get(), *qc, true};
    }
    if (const ir::Value* w = ConstantWeight(*node); w != nullptr) {
      if (state->weights().count(w->name())) continue;
      WeightEntry entry;
      OPENBPU_ASSIGN_OR_RETURN(entry.axis, WeightChannelAxis(*node));
      if (auto f = options.fixed_scales.find(w->name()); f != options.fixed_scales.end()) {
        entry.fixed = f->second;
      }
      const ObserverConfig config =
          qc->weight.has_value() ? qc->weight->observer : DefaultWeightObserver();
      absl::StatusOr<std::unique_ptr<Observer>> obs =
          MakeObserver(config, QDType::kQInt8, entry.axis);
      if (!obs.ok()) {
        return ir::NodeError(obs.status().code(), *node,
                             absl::StrCat("weight observer: ", obs.status().message()));
      }
      if (absl::Status s = (*obs)->Observe(w->constant()); !s.ok()) {
        return ir::NodeError(s.code(), *node,
                             absl::StrCat("weight '", w->name(), "': ", s.message()));
      }
      entry.observer = *std::move(obs);
      state->weights()[w->name()] = std::move(entry);
    }
  }
  std::map<const ir::Value*, bool> is_input;
  for (const ir::Value* in : graph.inputs()) is_input[in] = true;
  for (const ir::Value* v : order) {
    const Choice& c = choice[v];
    ActivationEntry entry;
    entry.dtype = c.qconfig.activation.dtype;
    if (!c.from_producer && entry.dtype == QDType::kQInt32) entry.dtype = QDType::kQInt8;
    entry.observer_config = c.qconfig.activation.observer;
    if (auto f = options.fixed_scales.find(v->name()); f != options.fixed_scales.end()) {
      entry.fixed = f->second;
      entry.dtype = f->second.dtype;
    } else if (is_input.count(v) && options.fixed_input_scale.has_value()) {
      entry.fixed = FixedQuant{entry.dtype, {*options.fixed_input_scale}, -1};
      entry.observer_config = ObserverConfig::FixedScale(*options.fixed_input_scale);
    }
    if (entry.dtype != QDType::kQInt32) {
      absl::StatusOr<std::unique_ptr<Observer>> obs =
          MakeObserver(entry.observer_config, entry.dtype);
      if (!obs.ok()) {
        return ir::NodeError(
            obs.status().code(), *c.node,
            absl::StrCat("observer for '", v->name(), "': ", obs.status().message()));
      }
      entry.observer = *std::move(obs);
    }
    state->activations()[v->name()] = std::move(entry);
  }
  if (options.bias_correction) {
    for (const auto& node : graph.nodes()) {
      if ((node->op() == "Conv" || node->op() == "FusedConv") && ConstantWeight(*node) != nullptr &&
          node->num_inputs() > 2 && node->input(2) != nullptr && node->input(2)->is_constant() &&
          node->input(0) != nullptr && !node->input(0)->is_constant()) {
        state->TrackChannelMean(node->input(0)->name());
      }
    }
  }
  if (options.adaround.has_value()) {
    for (const auto& node : graph.nodes()) {
      if (AdaRoundable(*node) && IsQuantizable(*node, qconfig_map.Resolve(*node))) {
        state->TrackPatches(node->name(), *options.adaround);
      }
    }
  }
  return state;
}

absl::Status Calibrate(CalibrationState& state, const Dataset& dataset,
                       const CalibrateOptions& options) {
  const int n = dataset.num_samples();
  Progress progress(options.progress, "calibrate", "samples", n);
  const int jobs = std::max(1, options.jobs);
  std::vector<absl::StatusOr<std::map<std::string, Tensor>>> window;
  for (int i = 0; i < n; ++i) {
    // The float runs of samples [i, i + jobs) at once; observed below one by one, in order.
    if (jobs > 1 && (i % jobs) == 0) {
      const int count = std::min(jobs, n - i);
      window.assign(static_cast<size_t>(count), absl::UnknownError("not run"));
      std::vector<std::thread> threads;
      for (int k = 1; k < count; ++k) {
        threads.emplace_back([&, k] { window[k] = state.RunSample(dataset.sample(i + k)); });
      }
      window[0] = state.RunSample(dataset.sample(i));
      for (std::thread& t : threads) t.join();
    }
    absl::Status s;
    if (jobs > 1) {
      absl::StatusOr<std::map<std::string, Tensor>>& values = window[i % jobs];
      s = values.ok() ? state.ObserveValues(*values) : values.status();
      values = absl::UnknownError("observed");  // free the sample's values
    } else {
      s = state.ObserveSample(dataset.sample(i));
    }
    if (!s.ok()) {
      progress.Finish();
      return absl::Status(
          s.code(), absl::StrCat("calibration sample ", dataset.origin(i), ": ", s.message()));
    }
    progress.Update(i + 1);
  }
  return absl::OkStatus();
}

}  // namespace openbpu::quantization
