// Fake quantization kernels (docs/NUMERICS.md "Fake quantization"): FakeQuantize forward and
// straight-through gradient, bit-identical to torch's fake_quantize_per_{tensor,channel}_affine in
// half-to-even mode, plus the LSQ and PACT learnable variants' forward and gradient formulas.
#ifndef OPENBPU_COMPILER_QUANTIZATION_FAKE_QUANT_H_
#define OPENBPU_COMPILER_QUANTIZATION_FAKE_QUANT_H_

#include <cmath>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/tensor.h"
#include "compiler/quantization/qconfig.h"

namespace openbpu::quantization {

// Rounds p = x * inv to an integer-valued float: nearbyint (half to even, the default FP
// environment) or the exact round half up of p. p - floor(p) is exact in float32, so comparing it
// with 0.5 decides ties without the double rounding of floor(p + 0.5f) (which maps 0.49999997 to
// 1).
inline float RoundQuant(float p, Rounding rounding) {
  if (rounding == Rounding::kHalfToEven) return std::nearbyint(p);
  const float f = std::floor(p);
  return p - f >= 0.5f ? f + 1.0f : f;
}

// How a tensor is quantized: one scale (axis -1) or one per index of `axis`, as in ir::QuantInfo.
struct FakeQuantParams {
  std::vector<float> scales;
  int axis = -1;
  QDType dtype = QDType::kQInt8;  // qint8 or qint16
  Rounding rounding = Rounding::kHalfToEven;
};

// out = clamp(R(x * (1 / s)), qmin, qmax) * s in float32, R = RoundQuant; a zero result is +0 (as
// torch, which rounds through int64). NaN stays NaN. Errors (InvalidArgument): x not float32, a
// scale not finite and > 0 or whose float32 reciprocal overflows, axis out of range, scale count
// not 1 / dim(axis), dtype not qint8/qint16.
absl::StatusOr<Tensor> FakeQuantize(const Tensor& x, const FakeQuantParams& params);

// Straight-through gradient: dx = dy where qmin <= R(x * (1 / s)) <= qmax; outside that range
// dx = dy * 0 (a signed zero, as torch's dy * mask) if `saturate`, else dy. NaN inputs count as
// outside. dy must be float32 of x's shape. LSQ and PACT zero gradients the same way.
absl::StatusOr<Tensor> FakeQuantizeGrad(const Tensor& x, const Tensor& dy,
                                        const FakeQuantParams& params, bool saturate);

// LSQ (Esser et al., "Learned Step Size Quantization"): the forward is FakeQuantize. Gradients,
// with p = x * (1 / s), q = R(p):
//   dx = dy if qmin <= q <= qmax else 0
//   ds = g * sum(dy * (q - p if inside, qmin if q < qmin, qmax if q > qmax)), per scale
// g defaults to 1 / sqrt(N * qmax), N = x's element count (torch's _LearnableFakeQuantize uses
// the whole tensor's count for per-channel scales too). Sums run in double in element order.
struct LsqGradients {
  Tensor dx;
  std::vector<float> dscale;  // one per scale
};
absl::StatusOr<LsqGradients> LsqGrad(const Tensor& x, const Tensor& dy,
                                     const FakeQuantParams& params,
                                     std::optional<double> grad_scale = std::nullopt);

// PACT (Choi et al.), symmetric: a learnable clip value alpha > 0 sets the scale
// s = alpha / ((qmax - qmin) / 2) (float32) and y = FakeQuantize(clamp(x, -alpha, alpha), s).
// Gradients (straight-through inside the clip):
//   dx = dy if |x| < alpha else 0
//   dalpha = sum(dy * sign(x) over |x| >= alpha), in double in element order.
absl::StatusOr<float> PactScale(float alpha, QDType dtype);
absl::StatusOr<Tensor> PactForward(const Tensor& x, float alpha, QDType dtype,
                                   Rounding rounding = Rounding::kHalfToEven);
struct PactGradients {
  Tensor dx;
  float dalpha = 0.0f;
};
absl::StatusOr<PactGradients> PactGrad(const Tensor& x, const Tensor& dy, float alpha);

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_FAKE_QUANT_H_
