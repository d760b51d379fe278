// The elementwise float32 ops of one input (and their attributes): activations, transcendental
// functions, rounding. Each is y[i] = f(x[i]) in the form that keeps float32 precision (expm1,
// log1p, a sigmoid that cannot overflow exp).
#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/strings/str_cat.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {
namespace {

// A kernel applying the function `bind(attrs)` to every element of its float32 input.
FloatKernel Unary(std::function<std::function<float(float)>(const AttributeMap&)> bind) {
  return [bind](const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    if (inputs.empty() || inputs[0] == nullptr || inputs[0]->dtype() != DType::kFloat32) {
      return absl::InvalidArgumentError("expects one float32 input");
    }
    const std::function<float(float)> fn = bind(attrs);
    const Tensor& x = *inputs[0];
    Tensor y(DType::kFloat32, x.shape());
    const float* in = x.data<float>();
    float* out = y.data<float>();
    for (int64_t i = 0; i < x.num_elements(); ++i) out[i] = fn(in[i]);
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
}
FloatKernel Unary(float (*fn)(float)) {
  return Unary([fn](const AttributeMap&) { return std::function<float(float)>(fn); });
}

float Atan(float x) { return std::atan(x); }
float Ceil(float x) { return std::ceil(x); }
float Cos(float x) { return std::cos(x); }
float Erf(float x) { return std::erf(x); }
float Exp(float x) { return std::exp(x); }
float Floor(float x) { return std::floor(x); }
float HardSwish(float x) { return x * std::max(0.f, std::min(1.f, x * (1.f / 6.f) + 0.5f)); }
float Log(float x) { return std::log(x); }
float Reciprocal(float x) { return 1.f / x; }
float Relu(float x) { return x > 0.f ? x : 0.f; }
float Sigmoid(float x) {
  return x >= 0.f ? 1.f / (1.f + std::exp(-x)) : std::exp(x) / (1.f + std::exp(x));
}
// x * sigmoid(x) with Sigmoid's float32 result: bit for bit the Sigmoid -> Mul pair it replaces.
float Silu(float x) { return x * Sigmoid(x); }
float Sin(float x) { return std::sin(x); }
float Softplus(float x) { return (x > 0.f ? x : 0.f) + std::log1p(std::exp(-std::fabs(x))); }
float Sqrt(float x) { return std::sqrt(x); }
float Tanh(float x) { return std::tanh(x); }

OPENBPU_REGISTER_FLOAT_KERNEL(Atan, "Atan", Unary(Atan));
OPENBPU_REGISTER_FLOAT_KERNEL(Ceil, "Ceil", Unary(Ceil));
OPENBPU_REGISTER_FLOAT_KERNEL(Cos, "Cos", Unary(Cos));
OPENBPU_REGISTER_FLOAT_KERNEL(Erf, "Erf", Unary(Erf));
OPENBPU_REGISTER_FLOAT_KERNEL(Exp, "Exp", Unary(Exp));
OPENBPU_REGISTER_FLOAT_KERNEL(Floor, "Floor", Unary(Floor));
OPENBPU_REGISTER_FLOAT_KERNEL(HardSwish, "HardSwish", Unary(HardSwish));
OPENBPU_REGISTER_FLOAT_KERNEL(Log, "Log", Unary(Log));
OPENBPU_REGISTER_FLOAT_KERNEL(Reciprocal, "Reciprocal", Unary(Reciprocal));
OPENBPU_REGISTER_FLOAT_KERNEL(Relu, "Relu", Unary(Relu));
OPENBPU_REGISTER_FLOAT_KERNEL(Sigmoid, "Sigmoid", Unary(Sigmoid));
OPENBPU_REGISTER_FLOAT_KERNEL(SiLU, "SiLU", Unary(Silu));
OPENBPU_REGISTER_FLOAT_KERNEL(Sin, "Sin", Unary(Sin));
OPENBPU_REGISTER_FLOAT_KERNEL(Softplus, "Softplus", Unary(Softplus));
OPENBPU_REGISTER_FLOAT_KERNEL(Sqrt, "Sqrt", Unary(Sqrt));
OPENBPU_REGISTER_FLOAT_KERNEL(Tanh, "Tanh", Unary(Tanh));

// expm1 keeps precision for small negative x.
OPENBPU_REGISTER_FLOAT_KERNEL(Elu, "Elu", Unary([](const AttributeMap& a) {
                                const float alpha = a.GetFloat("alpha", 1.f);
                                return std::function<float(float)>([alpha](float x) {
                                  return x > 0.f ? x : alpha * std::expm1(x);
                                });
                              }));
OPENBPU_REGISTER_FLOAT_KERNEL(HardSigmoid, "HardSigmoid", Unary([](const AttributeMap& a) {
                                const float alpha = a.GetFloat("alpha", 0.2f);
                                const float beta = a.GetFloat("beta", 0.5f);
                                return std::function<float(float)>([alpha, beta](float x) {
                                  return std::max(0.f, std::min(1.f, alpha * x + beta));
                                });
                              }));
OPENBPU_REGISTER_FLOAT_KERNEL(LeakyRelu, "LeakyRelu", Unary([](const AttributeMap& a) {
                                const float alpha = a.GetFloat("alpha", 0.01f);
                                return std::function<float(float)>(
                                    [alpha](float x) { return x >= 0.f ? x : alpha * x; });
                              }));

}  // namespace
}  // namespace openbpu::kernels
