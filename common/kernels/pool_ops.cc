// Float kernels of AveragePool (float32), MaxPool (float32, int8, uint8), GlobalAveragePool and
// GlobalMaxPool (float32) with their planning (pool.h); the math is pool.cc's.
#include "absl/strings/str_cat.h"
#include "common/kernels/pool.h"
#include "common/kernels/registry.h"

namespace openbpu::kernels {
namespace {

absl::Status RequirePoolRank(const Shape& shape) {
  if (shape.size() < 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("input must have rank >= 3, got ", ShapeToString(shape)));
  }
  return absl::OkStatus();
}

absl::Status Unsupported(DType dtype) {
  return absl::UnimplementedError(absl::StrCat("dtype ", DTypeName(dtype), " is not supported"));
}

}  // namespace

absl::StatusOr<PoolGeometry> PlanWindowPool(const AttributeMap& attrs, const Shape& shape) {
  if (absl::Status st = RequirePoolRank(shape); !st.ok()) return st;
  absl::StatusOr<AutoPad> auto_pad = ParseAutoPad(attrs.GetString("auto_pad", "NOTSET"));
  if (!auto_pad.ok()) return auto_pad.status();
  if (!attrs.Has("kernel_shape")) {
    return absl::InvalidArgumentError("attribute 'kernel_shape' is required");
  }
  return PlanPool(Shape(shape.begin() + 2, shape.end()), attrs.GetInts("kernel_shape"),
                  attrs.GetInts("strides"), attrs.GetInts("dilations"), attrs.GetInts("pads"),
                  *auto_pad, attrs.GetInt("ceil_mode", 0) != 0);
}

Shape PooledShape(const Shape& in, const std::vector<int64_t>& spatial) {
  Shape out = {in[0], in[1]};
  out.insert(out.end(), spatial.begin(), spatial.end());
  return out;
}

absl::StatusOr<Shape> GlobalPoolShape(const Shape& shape) {
  if (absl::Status st = RequirePoolRank(shape); !st.ok()) return st;
  return PooledShape(shape, std::vector<int64_t>(shape.size() - 2, 1));
}

namespace {

// Fills `y` ([N, C, g.output...], of x's dtype) from `x` ([N, C, g.input...]).
using WindowPoolFn = absl::Status (*)(const AttributeMap& attrs, const Tensor& x,
                                      const PoolGeometry& g, Tensor& y);

template <WindowPoolFn pool>
absl::Status WindowPool(const AttributeMap& attrs, absl::Span<const Tensor* const> inputs,
                        std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  absl::StatusOr<PoolGeometry> g = PlanWindowPool(attrs, x.shape());
  if (!g.ok()) return g.status();
  Tensor y(x.dtype(), PooledShape(x.shape(), g->output));
  if (absl::Status st = pool(attrs, x, *g, y); !st.ok()) return st;
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

absl::Status AveragePoolInto(const AttributeMap& attrs, const Tensor& x, const PoolGeometry& g,
                             Tensor& y) {
  if (x.dtype() != DType::kFloat32) return Unsupported(x.dtype());
  AveragePool(x.data<float>(), x.dim(0) * x.dim(1), g, attrs.GetInt("count_include_pad", 0) != 0,
              y.data<float>());
  return absl::OkStatus();
}

absl::Status MaxPoolInto(const AttributeMap&, const Tensor& x, const PoolGeometry& g, Tensor& y) {
  const int64_t channels = x.dim(0) * x.dim(1);
  switch (x.dtype()) {
    case DType::kFloat32:
      MaxPool(x.data<float>(), channels, g, y.data<float>());
      return absl::OkStatus();
    case DType::kInt8:
      MaxPool(x.data<int8_t>(), channels, g, y.data<int8_t>());
      return absl::OkStatus();
    case DType::kUInt8:
      MaxPool(x.data<uint8_t>(), channels, g, y.data<uint8_t>());
      return absl::OkStatus();
    default:
      return Unsupported(x.dtype());
  }
}

// in: [channels, spatial], out: [channels].
using GlobalPoolFn = void (*)(const float* in, int64_t channels, int64_t spatial, float* out);

template <GlobalPoolFn pool>
absl::Status GlobalPool(const AttributeMap&, absl::Span<const Tensor* const> inputs,
                        std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  absl::StatusOr<Shape> shape = GlobalPoolShape(x.shape());
  if (!shape.ok()) return shape.status();
  if (x.dtype() != DType::kFloat32) return Unsupported(x.dtype());
  Tensor y(DType::kFloat32, *shape);
  const int64_t channels = x.dim(0) * x.dim(1);
  const int64_t spatial = channels == 0 ? 0 : x.num_elements() / channels;
  pool(x.data<float>(), channels, spatial, y.data<float>());
  outputs.push_back(std::move(y));
  return absl::OkStatus();
}

OPENBPU_REGISTER_FLOAT_KERNEL(AveragePool, "AveragePool", WindowPool<AveragePoolInto>);
OPENBPU_REGISTER_FLOAT_KERNEL(MaxPool, "MaxPool", WindowPool<MaxPoolInto>);
OPENBPU_REGISTER_FLOAT_KERNEL(GlobalAveragePool, "GlobalAveragePool",
                              GlobalPool<GlobalAveragePool>);
OPENBPU_REGISTER_FLOAT_KERNEL(GlobalMaxPool, "GlobalMaxPool", GlobalPool<GlobalMaxPool>);

}  // namespace
}  // namespace openbpu::kernels
