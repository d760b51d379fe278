// Transpose (ONNX Transpose-13): permutes dimensions of a tensor of any dtype;
// `perm` defaults to reversing them.
#include <cstring>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

// The permutation, validated; shared by shape inference and the kernel.
absl::StatusOr<std::vector<int>> Permutation(const ir::Node& node, int rank) {
  std::vector<int> perm(rank);
  if (!node.attrs().Has("perm")) {
    for (int i = 0; i < rank; ++i) perm[i] = rank - 1 - i;
    return perm;
  }
  const std::vector<int64_t> given = node.attrs().GetInts("perm");
  if (static_cast<int>(given.size()) != rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("attribute 'perm' has ", given.size(), " values for rank ", rank));
  }
  std::vector<bool> seen(rank, false);
  for (int i = 0; i < rank; ++i) {
    if (given[i] < 0 || given[i] >= rank || seen[given[i]]) {
      return absl::InvalidArgumentError(
          absl::StrCat("attribute 'perm' is not a permutation of 0..", rank - 1));
    }
    seen[given[i]] = true;
    perm[i] = static_cast<int>(given[i]);
  }
  return perm;
}

Shape PermutedShape(const Shape& in, const std::vector<int>& perm) {
  Shape out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = in[perm[i]];
  return out;
}

// Walks the output in order; `Word` is an unsigned integer as wide as the
// dtype, so every dtype moves bit-exactly.
template <typename Word>
void TransposeCopy(const Tensor& in, const std::vector<int>& perm, Tensor& out) {
  const int rank = in.rank();
  const int64_t n = out.num_elements();
  if (n == 0) return;
  const std::vector<int64_t> in_strides = RowMajorStrides(in.shape());
  std::vector<int64_t> delta(rank);
  for (int d = 0; d < rank; ++d) delta[d] = in_strides[perm[d]];
  const Word* src = reinterpret_cast<const Word*>(in.raw());
  Word* dst = reinterpret_cast<Word*>(out.raw());
  std::vector<int64_t> coord(rank, 0);
  int64_t offset = 0;
  for (int64_t i = 0; i < n; ++i) {
    dst[i] = src[offset];
    for (int d = rank - 1; d >= 0; --d) {
      offset += delta[d];
      if (++coord[d] < out.dim(d)) break;
      offset -= delta[d] * coord[d];
      coord[d] = 0;
    }
  }
}

ir::OpSchema TransposeSchema() {
  ir::OpSchema s;
  s.name = "Transpose";
  s.attrs = {{"perm", ir::AttrKind::kInts}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const Shape& in = InputType(node, 0).shape;
    absl::StatusOr<std::vector<int>> perm = Permutation(node, static_cast<int>(in.size()));
    if (!perm.ok()) return perm.status();
    outputs[0].dtype = InputType(node, 0).dtype;
    outputs[0].shape = PermutedShape(in, *perm);
    return absl::OkStatus();
  };
  s.kernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& in = *inputs[0];
    absl::StatusOr<std::vector<int>> perm = Permutation(node, in.rank());
    if (!perm.ok()) return perm.status();
    Tensor out(in.dtype(), PermutedShape(in.shape(), *perm));
    if (absl::Status st = WithElementWord(
            in.dtype(), [&](auto word) { TransposeCopy<decltype(word)>(in, *perm, out); });
        !st.ok()) {
      return st;
    }
    outputs.push_back(std::move(out));
    return absl::OkStatus();
  };
  // Quantized: the same integers move, so the output keeps the input's
  // quantization (docs/NUMERICS.md, "Exact ops").
  s.qkind = ir::QuantKind::kExact;
  s.qinherit_input = 0;
  s.qkernel = s.kernel;
  return s;
}

OPENBPU_REGISTER_OP(Transpose, TransposeSchema());

}  // namespace
}  // namespace openbpu::ops
