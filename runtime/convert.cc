// Float tensors <-> the stored integers of a model's inputs and outputs (runtime.h QuantizeInput,
// DequantizeOutput): QuantizeLinear / DequantizeLinear with the descriptor's scales, between the
// model's dimension order and the descriptor's layout.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "runtime/runtime.h"

namespace openbpu::runtime {
namespace {

// The index in `layout` order of element (image i, channel ch, pixel p) of a value with n images,
// c channels and hw pixels (the dimensions after C flattened).
int64_t ElementAt(Layout layout, int64_t i, int64_t ch, int64_t p, int64_t c, int64_t hw) {
  return layout == Layout::kNCHW ? (i * c + ch) * hw + p : (i * hw + p) * c + ch;
}

struct Geometry {
  int64_t n = 1, c = 1, hw = 1;
};
Geometry GeometryOf(const Shape& shape) {
  Geometry g;
  g.n = shape.empty() ? 1 : shape[0];
  g.c = shape.size() > 1 ? shape[1] : 1;
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  g.hw = count / std::max<int64_t>(1, g.n * g.c);
  return g;
}

float ScaleOf(const TensorInfo& info, int64_t ch) {
  if (info.scales.empty()) return 1.f;
  if (info.scales.size() == 1) return info.scales[0];
  return info.scales[static_cast<size_t>(ch)];
}

}  // namespace

absl::StatusOr<std::vector<uint8_t>> PackTensor(const Tensor& x, const TensorInfo& info) {
  if (x.dtype() != info.dtype || x.shape() != info.valid_shape) {
    return absl::InvalidArgumentError(
        absl::StrCat("tensor '", info.name, "' must be ", DTypeName(info.dtype), " ",
                     ShapeToString(info.valid_shape), ", got ", DTypeName(x.dtype()), " ",
                     ShapeToString(x.shape())));
  }
  const Geometry g = GeometryOf(info.valid_shape);
  const int64_t es = static_cast<int64_t>(DTypeSize(info.dtype));
  std::vector<uint8_t> out(static_cast<size_t>(x.num_elements() * es));
  if (out.size() != info.bytes) {
    return absl::InvalidArgumentError(absl::StrCat("tensor '", info.name, "': ", out.size(),
                                                   " bytes, the model stores ", info.bytes));
  }
  if (info.layout == Layout::kNCHW || g.c == 1 || g.hw == 1) {
    if (!out.empty()) std::memcpy(out.data(), x.raw(), out.size());
    return out;
  }
  for (int64_t i = 0; i < g.n; ++i)
    for (int64_t ch = 0; ch < g.c; ++ch)
      for (int64_t p = 0; p < g.hw; ++p) {
        std::memcpy(&out[static_cast<size_t>(ElementAt(info.layout, i, ch, p, g.c, g.hw) * es)],
                    x.raw() + ((i * g.c + ch) * g.hw + p) * es, static_cast<size_t>(es));
      }
  return out;
}

absl::StatusOr<Tensor> UnpackTensor(absl::Span<const uint8_t> raw, const TensorInfo& info) {
  Tensor y(info.dtype, info.valid_shape);
  if (raw.size() != info.bytes || y.num_bytes() != raw.size()) {
    return absl::InvalidArgumentError(absl::StrCat("tensor '", info.name, "': ", raw.size(),
                                                   " bytes, the model stores ", info.bytes, " for ",
                                                   ShapeToString(info.valid_shape)));
  }
  const Geometry g = GeometryOf(info.valid_shape);
  const int64_t es = static_cast<int64_t>(DTypeSize(info.dtype));
  if (info.layout == Layout::kNCHW || g.c == 1 || g.hw == 1) {
    if (!raw.empty()) std::memcpy(y.raw(), raw.data(), raw.size());
    return y;
  }
  for (int64_t i = 0; i < g.n; ++i)
    for (int64_t ch = 0; ch < g.c; ++ch)
      for (int64_t p = 0; p < g.hw; ++p) {
        std::memcpy(y.raw() + ((i * g.c + ch) * g.hw + p) * es,
                    &raw[static_cast<size_t>(ElementAt(info.layout, i, ch, p, g.c, g.hw) * es)],
                    static_cast<size_t>(es));
      }
  return y;
}

absl::StatusOr<std::vector<uint8_t>> QuantizeInput(const Tensor& x, const TensorInfo& info) {
  const bool unquantized = info.quant_type == QuantType::kNone;
  const DType want = unquantized ? info.dtype : DType::kFloat32;
  if (x.dtype() != want || x.shape() != info.valid_shape) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input '", info.name, "' must be ", DTypeName(want), " ", ShapeToString(info.valid_shape),
        ", got ", DTypeName(x.dtype()), " ", ShapeToString(x.shape())));
  }
  if (unquantized) return PackTensor(x, info);  // BOOL / INT64 / FLOAT32: as they are
  return QuantizeInputFrom(x.data<float>(), {}, info);
}

absl::StatusOr<std::vector<uint8_t>> QuantizeInputFrom(const float* data,
                                                       absl::Span<const int64_t> strides,
                                                       const TensorInfo& info) {
  if (info.quant_type != QuantType::kScale) {
    return absl::InvalidArgumentError(
        absl::StrCat("input '", info.name, "' is not quantized (", DTypeName(info.dtype), ")"));
  }
  const Shape& shape = info.valid_shape;
  const int rank = static_cast<int>(shape.size());
  if (!strides.empty() && static_cast<int>(strides.size()) != rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("input '", info.name, "': ", strides.size(), " strides for rank ", rank));
  }
  const Geometry g = GeometryOf(shape);
  if (info.scales.size() != 1 &&
      (info.axis != 1 || static_cast<int64_t>(info.scales.size()) != g.c)) {
    return absl::UnimplementedError(
        absl::StrCat("input '", info.name, "': per-channel scales along axis ", info.axis));
  }
  const int64_t es = static_cast<int64_t>(DTypeSize(info.dtype));
  const int64_t count = g.n * g.c * g.hw;
  std::vector<uint8_t> out(static_cast<size_t>(count * es));
  if (out.size() != info.bytes) {
    return absl::InvalidArgumentError(absl::StrCat("input '", info.name, "': ", out.size(),
                                                   " bytes of elements, the model stores ",
                                                   info.bytes));
  }
  const double lo = es == 1 ? -128.0 : es == 2 ? -32768.0 : -2147483648.0;
  const double hi = es == 1 ? 127.0 : es == 2 ? 32767.0 : 2147483647.0;
  // Walk the valid shape in row-major order; `offset` follows the strides.
  std::vector<int64_t> index(static_cast<size_t>(rank), 0);
  int64_t offset = 0;
  for (int64_t f = 0; f < count; ++f) {
    const int64_t i = f / (g.c * g.hw), ch = (f / g.hw) % g.c, p = f % g.hw;
    const float v = data[strides.empty() ? f : offset] / ScaleOf(info, ch);
    const double q = std::isnan(v) ? 0.0 : std::clamp<double>(std::nearbyint(v), lo, hi);
    const int32_t qi = static_cast<int32_t>(q);
    std::memcpy(&out[static_cast<size_t>(ElementAt(info.layout, i, ch, p, g.c, g.hw) * es)], &qi,
                static_cast<size_t>(es));
    if (strides.empty()) continue;
    for (int k = rank - 1; k >= 0; --k) {  // next index, carrying
      offset += strides[static_cast<size_t>(k)];
      if (++index[static_cast<size_t>(k)] < shape[static_cast<size_t>(k)]) break;
      offset -= strides[static_cast<size_t>(k)] * shape[static_cast<size_t>(k)];
      index[static_cast<size_t>(k)] = 0;
    }
  }
  return out;
}

absl::StatusOr<Tensor> DequantizeOutput(absl::Span<const uint8_t> raw, const TensorInfo& info) {
  if (raw.size() != info.bytes) {
    return absl::InvalidArgumentError(absl::StrCat("output '", info.name, "': ", raw.size(),
                                                   " bytes, the model stores ", info.bytes));
  }
  const bool unquantized = info.quant_type == QuantType::kNone;
  if (unquantized) return UnpackTensor(raw, info);
  Tensor y(DType::kFloat32, info.valid_shape);
  const int64_t es = static_cast<int64_t>(DTypeSize(info.dtype));
  if (y.num_elements() * es != static_cast<int64_t>(raw.size())) {
    return absl::InvalidArgumentError(absl::StrCat("output '", info.name, "': shape ",
                                                   ShapeToString(info.valid_shape),
                                                   " does not match its ", raw.size(), " bytes"));
  }
  const Geometry g = GeometryOf(info.valid_shape);
  for (int64_t i = 0; i < g.n; ++i) {
    for (int64_t ch = 0; ch < g.c; ++ch) {
      const float s = ScaleOf(info, ch);
      for (int64_t p = 0; p < g.hw; ++p) {
        const int64_t at = (i * g.c + ch) * g.hw + p;
        const uint8_t* src =
            &raw[static_cast<size_t>(ElementAt(info.layout, i, ch, p, g.c, g.hw) * es)];
        int32_t q = 0;
        if (es == 1) q = static_cast<int8_t>(src[0]);
        if (es == 2) {
          int16_t v = 0;
          std::memcpy(&v, src, 2);
          q = v;
        }
        if (es == 4) std::memcpy(&q, src, 4);
        y.data<float>()[at] = static_cast<float>(q) * s;
      }
    }
  }
  return y;
}

}  // namespace openbpu::runtime
