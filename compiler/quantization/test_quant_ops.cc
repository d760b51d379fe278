// Test-only quantized ops (TestQRelu: exact, inherits its input's scale; TestQDouble: y = 2x,
// arithmetic, with a typed parameter) so convert and the quantized interpreter can be tested end to
// end without depending on the real ops' integer kernels.
#include <cmath>

#include "common/kernels/registry.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/qparams.h"
#include "isa/numerics/requantize.h"

namespace openbpu::quantization {
namespace {

template <typename Fn>
Tensor MapInt(const Tensor& in, DType out_dtype, Fn fn) {
  Tensor out(out_dtype, in.shape());
  for (int64_t i = 0; i < in.num_elements(); ++i) {
    const int64_t v = fn(in.GetAsInt64(i));
    if (out_dtype == DType::kInt8) {
      out.data<int8_t>()[i] =
          static_cast<int8_t>(std::min<int64_t>(127, std::max<int64_t>(-128, v)));
    } else {
      out.data<int16_t>()[i] =
          static_cast<int16_t>(std::min<int64_t>(32767, std::max<int64_t>(-32768, v)));
    }
  }
  return out;
}

// Their float kernels, in the registry like every op's (common/kernels/registry.h).
kernels::FloatKernel Elementwise(float (*fn)(float)) {
  return [fn](const AttributeMap&, absl::Span<const Tensor* const> inputs,
              std::vector<Tensor>& outputs) -> absl::Status {
    Tensor y(DType::kFloat32, inputs[0]->shape());
    for (int64_t i = 0; i < y.num_elements(); ++i)
      y.data<float>()[i] = fn(inputs[0]->data<float>()[i]);
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
}
OPENBPU_REGISTER_FLOAT_KERNEL(TestQRelu, "TestQRelu",
                              Elementwise([](float x) { return x > 0.f ? x : 0.f; }));
OPENBPU_REGISTER_FLOAT_KERNEL(TestQDouble, "TestQDouble",
                              Elementwise([](float x) { return 2.f * x; }));

ir::OpSchema TestQRelu() {
  ir::OpSchema s = ops::UnaryKernelSchema("TestQRelu", {});
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                 std::vector<Tensor>& outputs) -> absl::Status {
    outputs.push_back(
        MapInt(*inputs[0], node.output(0)->type().dtype, [](int64_t q) { return q > 0 ? q : 0; }));
    return absl::OkStatus();
  };
  return s;
}

ir::OpSchema TestQDouble() {
  ir::OpSchema s = ops::UnaryKernelSchema("TestQDouble", {});
  s.qkind = ir::QuantKind::kArithmetic;
  // One record (qparams::InputRecords): 2 s_in / s_out.
  s.qprepare = [](ir::Node& node, const ir::QuantOpContext&) -> absl::Status {
    const double ratio =
        2.0 * node.input(0)->type().quant->scales[0] / node.output(0)->type().quant->scales[0];
    absl::StatusOr<numerics::RequantizeRecord> r = numerics::MakeRequantizeRecord(ratio);
    if (!r.ok()) return r.status();
    return ops::qparams::Store(node, ops::qparams::InputRecords{{*r}});
  };
  s.qcheck = ops::qparams::CheckFn<ops::qparams::InputRecords>();
  s.qkernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                 std::vector<Tensor>& outputs) -> absl::Status {
    absl::StatusOr<ops::qparams::InputRecords> p =
        ops::qparams::Load<ops::qparams::InputRecords>(node);
    if (!p.ok()) return p.status();
    const numerics::RequantizeRecord r = p->records[0];
    outputs.push_back(MapInt(*inputs[0], node.output(0)->type().dtype, [&](int64_t q) {
      return numerics::Requantize(q, r, INT32_MIN, INT32_MAX);
    }));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(TestQRelu, TestQRelu());
OPENBPU_REGISTER_OP(TestQDouble, TestQDouble());

}  // namespace
}  // namespace openbpu::quantization
