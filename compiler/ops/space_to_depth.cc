// SpaceToDepth (ONNX SpaceToDepth-13): moves blocksize x blocksize spatial
// blocks of a 4-D tensor of any dtype into channels (block row, block column,
// channel order: the inverse of DepthToSpace DCR).
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

absl::StatusOr<Shape> SpaceToDepthShape(const ir::Node& node, const Shape& in) {
  if (!node.attrs().Has("blocksize")) {
    return absl::InvalidArgumentError("attribute 'blocksize' is required");
  }
  const int64_t b = node.attrs().GetInt("blocksize", 0);
  if (b < 1 || b > (int64_t{1} << 15)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid blocksize ", b));
  }
  if (in.size() != 4) {
    return absl::InvalidArgumentError(absl::StrCat("input must be 4-D, got ", ShapeToString(in)));
  }
  if (in[2] % b != 0 || in[3] % b != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("spatial dims of ", ShapeToString(in), " are not multiples of blocksize ", b));
  }
  return Shape{in[0], in[1] * b * b, in[2] / b, in[3] / b};
}

template <typename Word>
void SpaceToDepthCopy(const Tensor& x, int64_t b, Tensor& y) {
  const Word* src = reinterpret_cast<const Word*>(x.raw());
  Word* dst = reinterpret_cast<Word*>(y.raw());
  const int64_t n = x.dim(0), c_in = x.dim(1), h = x.dim(2), w = x.dim(3);
  const int64_t oh_size = h / b, ow_size = w / b;
  for (int64_t in_n = 0; in_n < n; ++in_n) {
    for (int64_t ch = 0; ch < c_in * b * b; ++ch) {
      const int64_t i = ch / (b * c_in), j = ch / c_in % b, c = ch % c_in;
      for (int64_t oh = 0; oh < oh_size; ++oh) {
        for (int64_t ow = 0; ow < ow_size; ++ow) {
          *dst++ = src[((in_n * c_in + c) * h + oh * b + i) * w + ow * b + j];
        }
      }
    }
  }
}

ir::OpSchema SpaceToDepthSchema() {
  ir::OpSchema s;
  s.name = "SpaceToDepth";
  s.attrs = {{"blocksize", ir::AttrKind::kInt}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const DType dtype = InputType(node, 0).dtype;
    if (DTypeSize(dtype) == 0) return RequireDType(node, 0, {});
    absl::StatusOr<Shape> shape = SpaceToDepthShape(node, InputType(node, 0).shape);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = dtype;
    outputs[0].shape = *std::move(shape);
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& x = *inputs[0];
    absl::StatusOr<Shape> shape = SpaceToDepthShape(node, x.shape());
    if (!shape.ok()) return shape.status();
    Tensor y(x.dtype(), *shape);
    const int64_t b = node.attrs().GetInt("blocksize", 1);
    if (absl::Status st = WithElementWord(
            x.dtype(), [&](auto word) { SpaceToDepthCopy<decltype(word)>(x, b, y); });
        !st.ok()) {
      return st;
    }
    outputs.push_back(std::move(y));
    return absl::OkStatus();
  };
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(SpaceToDepth, SpaceToDepthSchema());

}  // namespace
}  // namespace openbpu::ops
