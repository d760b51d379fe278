// LeakyRelu: x for x >= 0, alpha * x below (alpha defaults to 0.01).
// Quantized (arithmetic): records "positive" (s_in / s_out) and "negative"
// (|alpha| * s_in / s_out) with sign qparam "negative_sign" (docs/NUMERICS.md,
// "Max/min/compare").
#include <cmath>

#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

absl::Status PrepareLeakyRelu(ir::Node& node, const ir::QuantOpContext&) {
  absl::StatusOr<float> s_in = qexact::InputScale(node, 0);
  if (!s_in.ok()) return s_in.status();
  absl::StatusOr<float> s_out = qexact::OutputScale(node, 0);
  if (!s_out.ok()) return s_out.status();
  const double alpha = node.attrs().GetFloat("alpha", 0.01f);
  const double ratio = static_cast<double>(*s_in) / static_cast<double>(*s_out);
  absl::StatusOr<numerics::RequantizeRecord> pos = qexact::MakeRecord(node, ratio);
  if (!pos.ok()) return pos.status();
  absl::StatusOr<numerics::RequantizeRecord> neg =
      qexact::MakeRecord(node, std::fabs(alpha) * ratio);
  if (!neg.ok()) return neg.status();
  qexact::SetRecords(node, "positive", {*pos});
  qexact::SetRecords(node, "negative", {*neg});
  qexact::SetInt(node, "negative_sign", alpha < 0 ? -1 : 1);
  return absl::OkStatus();
}

absl::Status LeakyReluKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                             std::vector<Tensor>& outputs) {
  absl::StatusOr<std::vector<numerics::RequantizeRecord>> pos =
      qexact::GetRecords(node, "positive", 1);
  if (!pos.ok()) return pos.status();
  absl::StatusOr<std::vector<numerics::RequantizeRecord>> neg =
      qexact::GetRecords(node, "negative", 1);
  if (!neg.ok()) return neg.status();
  absl::StatusOr<int64_t> sign = qexact::GetInt(node, "negative_sign");
  if (!sign.ok()) return sign.status();
  absl::StatusOr<DType> storage = qexact::OutputStorage(node, 0);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<std::pair<int64_t, int64_t>> range = qexact::StorageRange(*storage);
  if (!range.ok()) return range.status();
  const std::vector<int64_t> q = inputs[0]->ToInt64Vector();
  std::vector<int64_t> y(q.size());
  for (size_t i = 0; i < q.size(); ++i) {
    y[i] = q[i] >= 0 ? numerics::Requantize(q[i], (*pos)[0], range->first, range->second)
                     : numerics::Requantize(*sign * q[i], (*neg)[0], range->first, range->second);
  }
  outputs.push_back(qexact::IntTensor(*storage, inputs[0]->shape(), y));
  return absl::OkStatus();
}

ir::OpSchema LeakyReluSchema() {
  ir::OpSchema s =
      UnaryFloatSchemaBound("LeakyRelu", {{"alpha", ir::AttrKind::kFloat}},
                            [](const ir::Node& node) -> std::function<float(float)> {
                              const float alpha = node.attrs().GetFloat("alpha", 0.01f);
                              return [alpha](float x) { return x >= 0.f ? x : alpha * x; };
                            });
  s.qkind = ir::QuantKind::kArithmetic;
  s.qprepare = PrepareLeakyRelu;
  s.qkernel = LeakyReluKernel;
  return s;
}

OPENBPU_REGISTER_OP(LeakyRelu, LeakyReluSchema());

}  // namespace
}  // namespace openbpu::ops
