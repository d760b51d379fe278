// Relu: max(x, 0). Quantized: max(q, 0) on the input's grid (exact).
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema ReluSchema() {
  ir::OpSchema s = UnaryKernelSchema("Relu", {});
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = [](const ir::Node&, absl::Span<const Tensor* const> inputs,
                 std::vector<Tensor>& outputs) -> absl::Status {
    absl::StatusOr<Tensor> y =
        qexact::MapStorage(*inputs[0], [](int64_t q) { return q > 0 ? q : int64_t{0}; });
    if (!y.ok()) return y.status();
    outputs.push_back(*std::move(y));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(Relu, ReluSchema());

}  // namespace
}  // namespace openbpu::ops
