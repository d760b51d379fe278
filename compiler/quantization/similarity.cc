// Per-layer statistics between float and dequantized integer values.
#include "compiler/quantization/similarity.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "compiler/quantization/quant_tensor.h"
#include "compiler/reference/float_interpreter.h"
#include "compiler/reference/quantized_interpreter.h"

namespace openbpu::quantization {
namespace {

struct Acc {
  double ff = 0, qq = 0, fq = 0, noise = 0, max_lsb = 0;
  int64_t n = 0;
};

}  // namespace

std::string SimilarityReport::ToString() const {
  // Columns as wide as their longest entry, so long ONNX value names keep the table aligned.
  size_t wv = 5, wo = 2, wq = 5;
  for (const LayerSimilarity& l : layers) {
    wv = std::max(wv, l.value.size());
    wo = std::max(wo, l.op.size());
    wq = std::max(wq, l.quant.size());
  }
  const int v = static_cast<int>(wv), o = static_cast<int>(wo), q = static_cast<int>(wq);
  std::string s = absl::StrFormat("%-*s  %-*s  %-*s %9s %9s %11s\n", v, "layer", o, "op", q,
                                  "quant", "cosine", "sqnr_db", "max_err_lsb");
  for (const LayerSimilarity& l : layers) {
    absl::StrAppend(&s, absl::StrFormat("%-*s  %-*s  %-*s %9.6f %9.2f %11.3f\n", v, l.value, o,
                                        l.op, q, l.quant, l.cosine, l.sqnr_db, l.max_error_lsb));
  }
  return s;
}

absl::StatusOr<SimilarityReport> CompareLayers(const ir::Graph& float_graph,
                                               const ir::Graph& quantized_graph,
                                               const Dataset& inputs) {
  // Values to compare, in quantized graph order.
  std::vector<const ir::Value*> values;
  for (const ir::Value* in : quantized_graph.inputs()) {
    if (in->type().quant.has_value()) values.push_back(in);
  }
  for (const auto& node : quantized_graph.nodes()) {
    if (node->op() == "QuantizeLinear") continue;  // the float input itself is compared instead
    for (const ir::Value* out : node->outputs()) {
      if (out->type().quant.has_value() && float_graph.FindValue(out->name()) != nullptr) {
        values.push_back(out);
      }
    }
  }
  std::vector<Acc> acc(values.size());
  for (int s = 0; s < inputs.num_samples(); ++s) {
    OPENBPU_ASSIGN_OR_RETURN(const auto f,
                             reference::RunFloatAllValues(float_graph, inputs.sample(s)));
    OPENBPU_ASSIGN_OR_RETURN(const auto q,
                             reference::RunQuantizedAllValues(quantized_graph, inputs.sample(s)));
    for (size_t k = 0; k < values.size(); ++k) {
      auto fit = f.find(values[k]->name());
      auto qit = q.find(values[k]->name());
      if (fit == f.end() || qit == q.end()) continue;
      const Tensor& ft = fit->second;
      if (ft.dtype() != DType::kFloat32 || ft.shape() != qit->second.tensor.shape()) {
        return absl::InvalidArgumentError(
            absl::StrCat("value '", values[k]->name(), "' is ", DTypeName(ft.dtype()),
                         ShapeToString(ft.shape()), " in the float graph but ",
                         ShapeToString(qit->second.tensor.shape()), " in the quantized graph"));
      }
      const ir::QuantInfo& info = *qit->second.quant;
      OPENBPU_ASSIGN_OR_RETURN(const Tensor dq, DequantizeTensor(qit->second.tensor, info));
      int64_t inner = 1;
      if (info.axis >= 0) {
        for (size_t d = info.axis + 1; d < ft.shape().size(); ++d) inner *= ft.shape()[d];
      }
      const float* pf = ft.data<float>();
      const float* pq = dq.data<float>();
      Acc& a = acc[k];
      for (int64_t i = 0; i < ft.num_elements(); ++i) {
        const double x = pf[i], y = pq[i];
        a.ff += x * x;
        a.qq += y * y;
        a.fq += x * y;
        a.noise += (x - y) * (x - y);
        const float scale =
            info.axis < 0 ? info.scales[0] : info.scales[(i / inner) % info.scales.size()];
        a.max_lsb = std::max(a.max_lsb, std::abs(x - y) / scale);
      }
      a.n += ft.num_elements();
    }
  }
  SimilarityReport report;
  report.samples = inputs.num_samples();
  for (size_t k = 0; k < values.size(); ++k) {
    const Acc& a = acc[k];
    if (a.n == 0) continue;
    LayerSimilarity l;
    l.value = values[k]->name();
    if (const ir::Node* p = values[k]->producer(); p != nullptr) {
      l.node = p->name();
      l.op = p->op();
    }
    l.quant = QuantInfoToString(*values[k]->type().quant);
    l.cosine = (a.ff == 0 && a.qq == 0)   ? 1.0
               : (a.ff == 0 || a.qq == 0) ? 0.0
                                          : a.fq / std::sqrt(a.ff * a.qq);
    l.sqnr_db =
        a.noise == 0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(a.ff / a.noise);
    l.max_error_lsb = a.max_lsb;
    l.elements = a.n;
    report.layers.push_back(std::move(l));
  }
  return report;
}

}  // namespace openbpu::quantization
