// ConvertOptions::bias_correction: each convolution's bias absorbs the expected output shift its
// weight rounding introduces (docs/QUANTIZATION.md "Bias correction").
//
// For output channel o of a convolution y = W * x + b, quantizing W to Wq adds
// sum_{c,k} (Wq - W)[o, c, k] x[c, ...] to y. Its expectation over the data, ignoring the zero
// padding at the borders, is sum_c E[x_c] sum_k (Wq - W)[o, c, k], with E[x_c] the calibration
// data's mean of input channel c (grouped and depthwise convolutions: the channels of o's group).
// Subtracting it from b keeps the quantized layer's mean output on the float one's.
#include "absl/strings/str_cat.h"
#include "compiler/quantization/convert_passes.h"
#include "compiler/quantization/quant_tensor.h"

namespace openbpu::quantization {

absl::Status CorrectBiases(ir::Graph& graph, ConvertContext& context) {
  for (const auto& [node_ptr, qconfig] : context.qnodes) {
    ir::Node* node = const_cast<ir::Node*>(node_ptr);
    if (node->op() != "Conv" && node->op() != "FusedConv") continue;
    auto wq = context.constant_quant.find({node, 1});
    auto bq = context.constant_quant.find({node, 2});
    if (wq == context.constant_quant.end() || bq == context.constant_quant.end()) continue;
    const ir::Value* x = node->input(0);
    const std::optional<std::vector<double>> mean = context.state.ChannelMean(x->name());
    if (!mean.has_value()) continue;
    auto original = context.float_weights.find(node);
    if (context.bias_correction_from_nearest && original == context.float_weights.end()) continue;
    const Tensor& w =
        original != context.float_weights.end() ? original->second : node->input(1)->constant();
    const Tensor& b = node->input(2)->constant();
    const Shape& ws = w.shape();
    if (ws.size() < 2 || b.dtype() != DType::kFloat32) continue;
    const int64_t m = ws[0], per_group = ws[1], k = w.num_elements() / (m * per_group);
    const int64_t channels = static_cast<int64_t>(mean->size());
    if (per_group == 0 || channels % per_group != 0 || b.num_elements() != m) continue;
    const int64_t groups = channels / per_group;
    if (m % groups != 0) continue;
    absl::StatusOr<Tensor> q = QuantizeTensor(node->input(1)->constant(), wq->second);
    if (!q.ok()) return q.status();
    absl::StatusOr<Tensor> dq = DequantizeTensor(*q, wq->second);
    if (!dq.ok()) return dq.status();
    Tensor corrected(DType::kFloat32, b.shape());
    // The reference the shift is measured from: the float weights, or their nearest grid values.
    Tensor nearest;
    if (context.bias_correction_from_nearest) {
      absl::StatusOr<Tensor> nq = QuantizeTensor(w, wq->second);
      if (!nq.ok()) return nq.status();
      absl::StatusOr<Tensor> nd = DequantizeTensor(*nq, wq->second);
      if (!nd.ok()) return nd.status();
      nearest = *std::move(nd);
    }
    const float* wf =
        context.bias_correction_from_nearest ? nearest.data<float>() : w.data<float>();
    const float* wd = dq->data<float>();
    for (int64_t o = 0; o < m; ++o) {
      const int64_t first = (o / (m / groups)) * per_group;
      double shift = 0;
      for (int64_t c = 0; c < per_group; ++c) {
        double dw = 0;
        const int64_t at = (o * per_group + c) * k;
        for (int64_t i = 0; i < k; ++i) dw += static_cast<double>(wd[at + i]) - wf[at + i];
        shift += dw * (*mean)[static_cast<size_t>(first + c)];
      }
      corrected.data<float>()[o] = static_cast<float>(b.data<float>()[o] - shift);
    }
    absl::StatusOr<ir::Value*> v =
        graph.AddValue(graph.UniqueValueName(absl::StrCat(node->input(2)->name(), "_corrected")));
    if (!v.ok()) return v.status();
    (*v)->set_constant(std::move(corrected));
    node->set_input(2, *v);
    ++context.report.corrected_biases;
  }
  return absl::OkStatus();
}

}  // namespace openbpu::quantization
