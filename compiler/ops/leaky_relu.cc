// LeakyRelu: x for x >= 0, alpha * x below (alpha defaults to 0.01).
// Quantized (arithmetic): records "positive" (s_in / s_out) and "negative"
// (|alpha| * s_in / s_out) with sign qparam "negative_sign" (docs/NUMERICS.md,
// "Max/min/compare").
#include <cmath>

#include "compiler/ir/node_error.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/qparams.h"
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
  return qparams::Store(node, qparams::Slope{*pos, {*neg}, {alpha < 0 ? -1 : 1}});
}

absl::Status LeakyReluKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                             std::vector<Tensor>& outputs) {
  absl::StatusOr<qparams::Slope> p = qparams::Load<qparams::Slope>(node);
  if (!p.ok()) return p.status();
  if (p->negative.size() != 1) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                         "'slope' parameters must have one negative record");
  }
  absl::StatusOr<DType> storage = qexact::OutputStorage(node, 0);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<std::pair<int64_t, int64_t>> range = qexact::StorageRange(*storage);
  if (!range.ok()) return range.status();
  const std::vector<int64_t> q = inputs[0]->ToInt64Vector();
  std::vector<int64_t> y(q.size());
  for (size_t i = 0; i < q.size(); ++i) {
    y[i] = q[i] >= 0 ? numerics::Requantize(q[i], p->positive, range->first, range->second)
                     : numerics::Requantize(p->negative_sign[0] * q[i], p->negative[0],
                                            range->first, range->second);
  }
  outputs.push_back(qexact::IntTensor(*storage, inputs[0]->shape(), y));
  return absl::OkStatus();
}

ir::OpSchema LeakyReluSchema() {
  ir::OpSchema s = UnaryKernelSchema("LeakyRelu", {{"alpha", ir::AttrKind::kFloat}});
  s.qkind = ir::QuantKind::kArithmetic;
  s.qprepare = PrepareLeakyRelu;
  s.qcheck = qparams::CheckFn<qparams::Slope>();
  s.qkernel = LeakyReluKernel;
  return s;
}

OPENBPU_REGISTER_OP(LeakyRelu, LeakyReluSchema());

}  // namespace
}  // namespace openbpu::ops
