// Expand (ONNX Expand-13): broadcasts a tensor of any dtype against a constant
// int64 shape (bidirectionally: the shape's 1s keep larger input dimensions).
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 31;

// Shared by shape inference and the kernel.
absl::StatusOr<Shape> ExpandShape(const Shape& in, const Tensor& spec) {
  if (spec.dtype() != DType::kInt64) {
    return absl::InvalidArgumentError(
        absl::StrCat("input 'shape' must be int64, got ", DTypeName(spec.dtype())));
  }
  if (spec.rank() != 1) return absl::InvalidArgumentError("input 'shape' must be 1-D");
  const Shape target = spec.ToInt64Vector();
  for (int64_t d : target) {
    if (d < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("input 'shape' ", ShapeToString(target), " has a negative dimension"));
    }
  }
  absl::StatusOr<Shape> out = BroadcastShapes(in, target);
  if (!out.ok()) return out.status();
  int64_t count = 1;
  for (int64_t d : *out) {
    // Each factor is capped first, so the product stays below 2^62.
    if (d > kMaxElements || (count *= d) > kMaxElements) {
      return absl::InvalidArgumentError(
          absl::StrCat("output shape ", ShapeToString(*out), " has too many elements"));
    }
  }
  return out;
}

template <typename Word>
void ExpandCopy(const Tensor& in, Tensor& out) {
  const std::vector<int64_t> index = BroadcastIndex(in.shape(), out.shape());
  const Word* src = reinterpret_cast<const Word*>(in.raw());
  Word* dst = reinterpret_cast<Word*>(out.raw());
  for (size_t i = 0; i < index.size(); ++i) dst[i] = src[index[i]];
}

absl::Status Expand(const Tensor& in, Tensor& out) {
  return WithElementWord(in.dtype(), [&](auto word) { ExpandCopy<decltype(word)>(in, out); });
}

ir::OpSchema ExpandSchema() {
  ir::OpSchema s = ConstantArgCopySchema("Expand", ExpandShape, Expand);
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Expand, ExpandSchema());

}  // namespace
}  // namespace openbpu::ops
