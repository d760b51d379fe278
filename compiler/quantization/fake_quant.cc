// FakeQuantize, LSQ and PACT kernels. Plain float32 arithmetic in torch's CPU kernel order
// (inv = 1.0f / scale; p = x * inv; q = nearbyint(p); clamp; q * scale), no FMA contraction.
#include "compiler/quantization/fake_quant.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace openbpu::quantization {
namespace {

// Per-element scale lookup: element i uses scale (i / inner) % channels.
struct ScaleLayout {
  int64_t channels = 1;
  int64_t inner = 1;
  int64_t ScaleIndex(int64_t i) const { return channels == 1 ? 0 : (i / inner) % channels; }
};

absl::Status CheckScale(float scale) {
  if (!(std::isfinite(scale) && scale > 0.0f) || !std::isfinite(1.0f / scale)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "fake quant scale ", scale, " must be finite, > 0 and have a finite float32 reciprocal"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ScaleLayout> CheckParams(const Tensor& x, const FakeQuantParams& params) {
  if (x.dtype() != DType::kFloat32) {
    return absl::InvalidArgumentError(
        absl::StrCat("fake quant input must be float32, got ", DTypeName(x.dtype())));
  }
  if (params.dtype != QDType::kQInt8 && params.dtype != QDType::kQInt16) {
    return absl::InvalidArgumentError(
        absl::StrCat("fake quant dtype must be qint8 or qint16, got ", QDTypeName(params.dtype)));
  }
  for (float s : params.scales) {
    OPENBPU_RETURN_IF_ERROR(CheckScale(s));
  }
  ScaleLayout layout;
  if (params.axis == -1) {
    if (params.scales.size() != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("per-tensor fake quant needs 1 scale, got ", params.scales.size()));
    }
    return layout;
  }
  if (params.axis < 0 || params.axis >= x.rank()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "fake quant axis ", params.axis, " is out of range for shape ", ShapeToString(x.shape())));
  }
  layout.channels = x.dim(params.axis);
  if (static_cast<int64_t>(params.scales.size()) != layout.channels) {
    return absl::InvalidArgumentError(absl::StrCat(
        "per-channel fake quant on axis ", params.axis, " of ", ShapeToString(x.shape()), " needs ",
        layout.channels, " scales, got ", params.scales.size()));
  }
  for (int i = params.axis + 1; i < x.rank(); ++i) layout.inner *= x.dim(i);
  // One channel behaves exactly like per tensor; keep ScaleIndex's fast path correct.
  if (layout.channels == 1) layout.inner = 1;
  return layout;
}

absl::Status CheckGradient(const Tensor& x, const Tensor& dy) {
  if (dy.dtype() != DType::kFloat32 || dy.shape() != x.shape()) {
    return absl::InvalidArgumentError(
        absl::StrCat("gradient must be float32", ShapeToString(x.shape()), ", got ",
                     DTypeName(dy.dtype()), ShapeToString(dy.shape())));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Tensor> FakeQuantize(const Tensor& x, const FakeQuantParams& params) {
  OPENBPU_ASSIGN_OR_RETURN(const ScaleLayout layout, CheckParams(x, params));
  const float qmin = static_cast<float>(QMin(params.dtype));
  const float qmax = static_cast<float>(QMax(params.dtype));
  std::vector<float> inv(params.scales.size());
  for (size_t c = 0; c < inv.size(); ++c) inv[c] = 1.0f / params.scales[c];
  Tensor out(DType::kFloat32, x.shape());
  const float* in = x.data<float>();
  float* dst = out.data<float>();
  const int64_t n = x.num_elements();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = layout.ScaleIndex(i);
    const float p = in[i] * inv[c];
    float q = RoundQuant(p, params.rounding);
    if (std::isnan(q)) {
      dst[i] = q;
      continue;
    }
    q = std::min(std::max(q, qmin), qmax);
    if (q == 0.0f) q = 0.0f;  // -0 -> +0
    dst[i] = q * params.scales[c];
  }
  return out;
}

absl::StatusOr<Tensor> FakeQuantizeGrad(const Tensor& x, const Tensor& dy,
                                        const FakeQuantParams& params, bool saturate) {
  OPENBPU_ASSIGN_OR_RETURN(const ScaleLayout layout, CheckParams(x, params));
  OPENBPU_RETURN_IF_ERROR(CheckGradient(x, dy));
  const float qmin = static_cast<float>(QMin(params.dtype));
  const float qmax = static_cast<float>(QMax(params.dtype));
  std::vector<float> inv(params.scales.size());
  for (size_t c = 0; c < inv.size(); ++c) inv[c] = 1.0f / params.scales[c];
  Tensor dx(DType::kFloat32, x.shape());
  const float* in = x.data<float>();
  const float* g = dy.data<float>();
  float* dst = dx.data<float>();
  const int64_t n = x.num_elements();
  for (int64_t i = 0; i < n; ++i) {
    const float q = RoundQuant(in[i] * inv[layout.ScaleIndex(i)], params.rounding);
    const bool inside = q >= qmin && q <= qmax;
    // dy * mask as torch computes it: a negative dy outside the range gives -0.
    dst[i] = inside || !saturate ? g[i] : g[i] * 0.0f;
  }
  return dx;
}

absl::StatusOr<LsqGradients> LsqGrad(const Tensor& x, const Tensor& dy,
                                     const FakeQuantParams& params,
                                     std::optional<double> grad_scale) {
  OPENBPU_ASSIGN_OR_RETURN(const ScaleLayout layout, CheckParams(x, params));
  OPENBPU_RETURN_IF_ERROR(CheckGradient(x, dy));
  const float qmin = static_cast<float>(QMin(params.dtype));
  const float qmax = static_cast<float>(QMax(params.dtype));
  const int64_t n = x.num_elements();
  const double g_scale =
      grad_scale.has_value()
          ? *grad_scale
          : 1.0 / std::sqrt(static_cast<double>(std::max<int64_t>(n, 1)) * QMax(params.dtype));
  std::vector<float> inv(params.scales.size());
  for (size_t c = 0; c < inv.size(); ++c) inv[c] = 1.0f / params.scales[c];
  std::vector<double> sums(params.scales.size(), 0.0);
  LsqGradients grads;
  grads.dx = Tensor(DType::kFloat32, x.shape());
  const float* in = x.data<float>();
  const float* g = dy.data<float>();
  float* dst = grads.dx.data<float>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = layout.ScaleIndex(i);
    const float p = in[i] * inv[c];
    const float q = RoundQuant(p, params.rounding);
    double dq_ds;
    if (q < qmin) {
      dq_ds = qmin;
      dst[i] = g[i] * 0.0f;
    } else if (q > qmax) {
      dq_ds = qmax;
      dst[i] = g[i] * 0.0f;
    } else {
      dq_ds = static_cast<double>(q) - static_cast<double>(p);
      dst[i] = g[i];
    }
    sums[c] += static_cast<double>(g[i]) * dq_ds;
  }
  grads.dscale.resize(sums.size());
  for (size_t c = 0; c < sums.size(); ++c) {
    grads.dscale[c] = static_cast<float>(sums[c] * g_scale);
  }
  return grads;
}

absl::StatusOr<float> PactScale(float alpha, QDType dtype) {
  if (!(std::isfinite(alpha) && alpha > 0.0f)) {
    return absl::InvalidArgumentError(
        absl::StrCat("PACT clip value ", alpha, " must be finite and > 0"));
  }
  if (dtype != QDType::kQInt8 && dtype != QDType::kQInt16) {
    return absl::InvalidArgumentError(
        absl::StrCat("PACT dtype must be qint8 or qint16, got ", QDTypeName(dtype)));
  }
  const float half_range = static_cast<float>(static_cast<double>(QMax(dtype) - QMin(dtype)) / 2);
  const float scale = alpha / half_range;
  OPENBPU_RETURN_IF_ERROR(CheckScale(scale));
  return scale;
}

absl::StatusOr<Tensor> PactForward(const Tensor& x, float alpha, QDType dtype, Rounding rounding) {
  OPENBPU_ASSIGN_OR_RETURN(const float scale, PactScale(alpha, dtype));
  if (x.dtype() != DType::kFloat32) {
    return absl::InvalidArgumentError(
        absl::StrCat("PACT input must be float32, got ", DTypeName(x.dtype())));
  }
  Tensor clipped(DType::kFloat32, x.shape());
  const float* in = x.data<float>();
  float* dst = clipped.data<float>();
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    dst[i] = std::isnan(in[i]) ? in[i] : std::min(std::max(in[i], -alpha), alpha);
  }
  FakeQuantParams params;
  params.scales = {scale};
  params.dtype = dtype;
  params.rounding = rounding;
  return FakeQuantize(clipped, params);
}

absl::StatusOr<PactGradients> PactGrad(const Tensor& x, const Tensor& dy, float alpha) {
  if (!(std::isfinite(alpha) && alpha > 0.0f)) {
    return absl::InvalidArgumentError(
        absl::StrCat("PACT clip value ", alpha, " must be finite and > 0"));
  }
  if (x.dtype() != DType::kFloat32) {
    return absl::InvalidArgumentError(
        absl::StrCat("PACT input must be float32, got ", DTypeName(x.dtype())));
  }
  OPENBPU_RETURN_IF_ERROR(CheckGradient(x, dy));
  PactGradients grads;
  grads.dx = Tensor(DType::kFloat32, x.shape());
  const float* in = x.data<float>();
  const float* g = dy.data<float>();
  float* dst = grads.dx.data<float>();
  double dalpha = 0.0;
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    if (in[i] >= alpha) {
      dalpha += g[i];
      dst[i] = g[i] * 0.0f;
    } else if (in[i] <= -alpha) {
      dalpha -= g[i];
      dst[i] = g[i] * 0.0f;
    } else {
      dst[i] = std::isnan(in[i]) ? g[i] * 0.0f : g[i];
    }
  }
  grads.dalpha = static_cast<float>(dalpha);
  return grads;
}

}  // namespace openbpu::quantization
