// Tensor quantize / dequantize with per-tensor or per-channel scales.
#include "compiler/quantization/quant_tensor.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "compiler/quantization/fake_quant.h"

namespace openbpu::quantization {
namespace {

struct Layout {
  int64_t inner = 1;
  int64_t channels = 1;
  int64_t Channel(int64_t i) const { return channels == 1 ? 0 : (i / inner) % channels; }
};

absl::StatusOr<Layout> MakeLayout(const Shape& shape, const ir::QuantInfo& quant) {
  Layout l;
  if (quant.scales.empty()) return absl::InvalidArgumentError("quant info has no scales");
  for (float s : quant.scales) {
    if (!(s > 0.0f) || !std::isfinite(s) || !std::isfinite(1.0f / s)) {
      return absl::InvalidArgumentError(absl::StrCat("scale ", s, " is not finite and > 0"));
    }
  }
  if (quant.axis < 0) {
    if (quant.scales.size() != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("per-tensor quant info with ", quant.scales.size(), " scales"));
    }
    return l;
  }
  if (quant.axis >= static_cast<int>(shape.size()) ||
      shape[quant.axis] != static_cast<int64_t>(quant.scales.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("per-channel quant info (axis ", quant.axis, ", ", quant.scales.size(),
                     " scales) does not fit shape ", ShapeToString(shape)));
  }
  l.channels = static_cast<int64_t>(quant.scales.size());
  for (size_t d = quant.axis + 1; d < shape.size(); ++d) l.inner *= shape[d];
  return l;
}

}  // namespace

absl::StatusOr<QDType> QDTypeOfStorage(DType storage) {
  switch (storage) {
    case DType::kInt8:
      return QDType::kQInt8;
    case DType::kInt16:
      return QDType::kQInt16;
    case DType::kInt32:
      return QDType::kQInt32;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("storage dtype ", DTypeName(storage), " is not int8/int16/int32"));
  }
}

absl::StatusOr<Tensor> QuantizeTensor(const Tensor& x, const ir::QuantInfo& quant,
                                      Rounding rounding) {
  if (x.dtype() != DType::kFloat32) {
    return absl::InvalidArgumentError(
        absl::StrCat("quantizing a ", DTypeName(x.dtype()), " tensor; expected float32"));
  }
  OPENBPU_ASSIGN_OR_RETURN(const QDType qd, QDTypeOfStorage(quant.storage));
  OPENBPU_ASSIGN_OR_RETURN(const Layout layout, MakeLayout(x.shape(), quant));
  Tensor out(quant.storage, x.shape());
  const float* px = x.data<float>();
  const int64_t n = x.num_elements();
  if (qd == QDType::kQInt32) {
    int32_t* po = out.data<int32_t>();
    for (int64_t i = 0; i < n; ++i) {
      double q = std::nearbyint(static_cast<double>(px[i]) /
                                static_cast<double>(quant.scales[layout.Channel(i)]));
      if (std::isnan(q)) q = 0;
      q = std::min(std::max(q, -2147483648.0), 2147483647.0);
      po[i] = static_cast<int32_t>(q);
    }
    return out;
  }
  const float lo = static_cast<float>(QMin(qd));
  const float hi = static_cast<float>(QMax(qd));
  std::vector<float> inv(quant.scales.size());
  for (size_t c = 0; c < inv.size(); ++c) inv[c] = 1.0f / quant.scales[c];
  for (int64_t i = 0; i < n; ++i) {
    float q = RoundQuant(px[i] * inv[layout.Channel(i)], rounding);
    if (std::isnan(q)) q = 0;
    q = std::min(std::max(q, lo), hi);
    if (qd == QDType::kQInt8) {
      out.data<int8_t>()[i] = static_cast<int8_t>(q);
    } else {
      out.data<int16_t>()[i] = static_cast<int16_t>(q);
    }
  }
  return out;
}

absl::StatusOr<Tensor> DequantizeTensor(const Tensor& q, const ir::QuantInfo& quant) {
  if (q.dtype() != quant.storage) {
    return absl::InvalidArgumentError(absl::StrCat("dequantizing a ", DTypeName(q.dtype()),
                                                   " tensor with ", DTypeName(quant.storage),
                                                   " quant info"));
  }
  OPENBPU_ASSIGN_OR_RETURN(const Layout layout, MakeLayout(q.shape(), quant));
  Tensor out(DType::kFloat32, q.shape());
  float* po = out.data<float>();
  for (int64_t i = 0; i < q.num_elements(); ++i) {
    po[i] = static_cast<float>(q.GetAsInt64(i)) * quant.scales[layout.Channel(i)];
  }
  return out;
}

std::string QuantInfoToString(const ir::QuantInfo& quant) {
  if (quant.axis < 0 && quant.scales.size() == 1) {
    return absl::StrCat(DTypeName(quant.storage), " s=", quant.scales[0]);
  }
  return absl::StrCat(DTypeName(quant.storage), " per-channel(axis ", quant.axis, ", ",
                      quant.scales.size(), " scales)");
}

}  // namespace openbpu::quantization
