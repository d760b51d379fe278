// Quantized FusedLinear, MatMul and Gemm of the arithmetic family (docs/NUMERICS.md, "Conv and
// linear"): exact integer row dot products, then the shared epilogue of quant_util.cc.
#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/kernels/gemm.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"
#include "compiler/ops/quant_util_internal.h"

namespace openbpu::ops::qarith {
namespace {

// acc[r, o] += sum_k a[r, k] * b[o, k] for a [rows, k], bt [cols, k].
void IntDotRows(const int16_t* a, int64_t rows, const int16_t* bt, int64_t cols, int64_t k,
                int64_t a_bound, int64_t b_bound, int64_t* acc) {
  const bool narrow = k * a_bound * b_bound < (int64_t{1} << 31);
  for (int64_t r = 0; r < rows; ++r) {
    const int16_t* ar = a + r * k;
    for (int64_t o = 0; o < cols; ++o) {
      const int16_t* br = bt + o * k;
      if (narrow) {
        int32_t s = 0;
        for (int64_t i = 0; i < k; ++i) s += static_cast<int32_t>(ar[i]) * br[i];
        acc[r * cols + o] += s;
      } else {
        int64_t s = 0;
        for (int64_t i = 0; i < k; ++i) s += static_cast<int64_t>(ar[i]) * br[i];
        acc[r * cols + o] += s;
      }
    }
  }
}

}  // namespace

// ------------------------------------------------------------------ linear

absl::Status PrepareLinear(ir::Node& node, const ir::QuantOpContext&) {
  if (absl::Status st = CheckActivationInput(node); !st.ok()) return st;
  const Shape& w = node.input(1)->type().shape;
  if (w.size() != 2) return NodeError(node, "the weight must be 2-D");
  absl::StatusOr<std::vector<double>> acc = AccScales(node, 0, w[0]);
  if (!acc.ok()) return acc.status();
  if (absl::Status st = CheckBias(node, 2, *acc); !st.ok()) return st;
  const int rank = static_cast<int>(node.output(0)->type().shape.size());
  return PrepareEpilogue(node, *acc, node.num_inputs() > 3 ? node.input(3) : nullptr, rank - 1);
}

absl::Status LinearKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs) {
  if (absl::Status st = RequireIntTensor(inputs[0], "input X", false); !st.ok()) return st;
  if (inputs[1] == nullptr || inputs[1]->dtype() != DType::kInt8 || inputs[1]->rank() != 2) {
    return NodeError(node, "the weight must be a 2-D int8 tensor");
  }
  const Tensor& x = *inputs[0];
  const Tensor& w = *inputs[1];
  const int64_t n = w.dim(0), k = w.dim(1);
  if (x.rank() < 1 || x.shape().back() != k) return NodeError(node, "X and W disagree on K");
  const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  if (bias != nullptr && (bias->dtype() != DType::kInt32 || bias->shape() != Shape{n})) {
    return NodeError(node, "the bias must be an int32 tensor of the output features");
  }
  Shape shape = x.shape();
  shape.back() = n;
  const int64_t rows = x.num_elements() / std::max<int64_t>(1, k);
  std::vector<int64_t> acc(rows * n, 0);
  if (bias != nullptr) {
    for (int64_t o = 0; o < rows * n; ++o) acc[o] = bias->data<int32_t>()[o % n];
  }
  const std::vector<int16_t> xv = ToVector<int16_t>(x);
  const std::vector<int16_t> wv = ToVector<int16_t>(w);
  IntDotRows(xv.data(), rows, wv.data(), n, k, Bound(x.dtype()), 128, acc.data());
  const Tensor* sumin = inputs.size() > 3 ? inputs[3] : nullptr;
  absl::StatusOr<Tensor> y = ApplyEpilogue(node, acc, shape, n, 1, sumin);
  if (!y.ok()) return y.status();
  outputs.push_back(*std::move(y));
  return absl::OkStatus();
}

absl::Status PrepareMatMul(ir::Node& node, const ir::QuantOpContext&) {
  if (absl::Status st = CheckActivationInput(node); !st.ok()) return st;
  const ir::Value* b = node.input(1);
  if (b->type().dtype != DType::kInt8 && b->type().dtype != DType::kInt16) {
    return NodeError(node, "input B must be int8 or int16");
  }
  absl::StatusOr<float> sa = TensorScale(node, node.input(0), "input A");
  if (!sa.ok()) return sa.status();
  const Shape& bs = b->type().shape;
  const int64_t cols = bs.size() == 1 ? 1 : bs.back();
  absl::StatusOr<std::vector<double>> sb =
      ChannelScales(node, b, "input B", static_cast<int>(bs.size()) - 1, cols);
  if (!sb.ok()) return sb.status();
  std::vector<double> acc(cols);
  for (int64_t c = 0; c < cols; ++c) acc[c] = static_cast<double>(*sa) * (*sb)[c];
  const int rank = static_cast<int>(node.output(0)->type().shape.size());
  return PrepareEpilogue(node, acc, nullptr, std::max(0, rank - 1));
}

absl::Status MatMulKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs) {
  for (int i = 0; i < 2; ++i) {
    if (absl::Status st = RequireIntTensor(inputs[i], "input", false); !st.ok()) return st;
  }
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  absl::StatusOr<Shape> out_shape = kernels::MatMulShape(a.shape(), b.shape());
  if (!out_shape.ok()) return out_shape.status();
  Shape as = a.shape(), bs = b.shape();
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t rows = as[as.size() - 2], k = as.back(), cols = bs.back();
  const Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  absl::StatusOr<Shape> batch = BroadcastShapes(ab, bb);
  if (!batch.ok()) return batch.status();
  const std::vector<int64_t> ia = BroadcastIndex(ab, *batch);
  const std::vector<int64_t> ib = BroadcastIndex(bb, *batch);
  const std::vector<int16_t> av = ToVector<int16_t>(a);
  const std::vector<int16_t> bv = ToVector<int16_t>(b);
  const int64_t nb = static_cast<int64_t>(ia.size());
  std::vector<int64_t> acc(nb * rows * cols, 0);
  std::vector<int16_t> bt(cols * k);
  for (int64_t i = 0; i < nb; ++i) {
    const int16_t* bm = bv.data() + ib[i] * k * cols;
    for (int64_t r = 0; r < k; ++r) {
      for (int64_t c = 0; c < cols; ++c) bt[c * k + r] = bm[r * cols + c];
    }
    IntDotRows(av.data() + ia[i] * rows * k, rows, bt.data(), cols, k, Bound(a.dtype()),
               Bound(b.dtype()), acc.data() + i * rows * cols);
  }
  absl::StatusOr<Tensor> y = ApplyEpilogue(node, acc, *out_shape, cols, 1, nullptr);
  if (!y.ok()) return y.status();
  outputs.push_back(*std::move(y));
  return absl::OkStatus();
}

absl::Status PrepareGemm(ir::Node& node, const ir::QuantOpContext&) {
  if (absl::Status st = CheckActivationInput(node); !st.ok()) return st;
  if (node.attrs().GetFloat("alpha", 1.0f) != 1.0f || node.attrs().GetFloat("beta", 1.0f) != 1.0f) {
    return absl::UnimplementedError(
        absl::StrCat(node.Describe(), ": quantized Gemm needs alpha = beta = 1"));
  }
  const Shape& w = node.input(1)->type().shape;
  if (w.size() != 2) return NodeError(node, "B must be 2-D");
  const bool trans_b = node.attrs().GetInt("transB", 0) != 0;
  const int axis = trans_b ? 0 : 1;
  const int64_t n = w[axis];
  absl::StatusOr<std::vector<double>> acc = AccScales(node, axis, n);
  if (!acc.ok()) return acc.status();
  const ir::Value* c = node.input(2);
  if (c != nullptr) {
    if (c->type().dtype != DType::kInt32) return NodeError(node, "C must be int32");
    absl::StatusOr<const ir::QuantInfo*> q = QuantOf(node, c, "C");
    if (!q.ok()) return q.status();
    const std::vector<float>& s = (*q)->scales;
    if (s.size() != 1 && static_cast<int64_t>(s.size()) != n) {
      return NodeError(node, "C must have one scale or one per output");
    }
    for (int64_t j = 0; j < n; ++j) {
      const double sc = s.size() == 1 ? s[0] : s[j];
      if (std::fabs(sc - (*acc)[j]) > 1e-6 * (*acc)[j]) {
        return NodeError(node, absl::StrCat("bias scale ", sc, " of output ", j,
                                            " is not s_a * s_b = ", (*acc)[j]));
      }
    }
  }
  return PrepareEpilogue(node, *acc, nullptr, 1);
}

absl::Status GemmKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                        std::vector<Tensor>& outputs) {
  if (absl::Status st = RequireIntTensor(inputs[0], "input A", false); !st.ok()) return st;
  if (inputs[1] == nullptr || inputs[1]->dtype() != DType::kInt8 || inputs[1]->rank() != 2 ||
      inputs[0]->rank() != 2) {
    return NodeError(node, "A must be 2-D and B a 2-D int8 tensor");
  }
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  const bool ta = node.attrs().GetInt("transA", 0) != 0;
  const bool tb = node.attrs().GetInt("transB", 0) != 0;
  const int64_t m = ta ? a.dim(1) : a.dim(0), k = ta ? a.dim(0) : a.dim(1);
  const int64_t n = tb ? b.dim(0) : b.dim(1);
  if ((tb ? b.dim(1) : b.dim(0)) != k) return NodeError(node, "A and B disagree on K");
  const std::vector<int16_t> av = ToVector<int16_t>(a);
  const std::vector<int16_t> bv = ToVector<int16_t>(b);
  std::vector<int16_t> arows(m * k), bt(n * k);
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t i = 0; i < k; ++i) arows[r * k + i] = ta ? av[i * m + r] : av[r * k + i];
  }
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < k; ++i) bt[j * k + i] = tb ? bv[j * k + i] : bv[i * n + j];
  }
  std::vector<int64_t> acc(m * n, 0);
  const Tensor* c = inputs.size() > 2 ? inputs[2] : nullptr;
  if (c != nullptr) {
    if (c->dtype() != DType::kInt32) return NodeError(node, "C must be an int32 tensor");
    const Shape out = {m, n};
    if (!BroadcastShapes(c->shape(), out).ok() || *BroadcastShapes(c->shape(), out) != out) {
      return NodeError(node, "C does not broadcast to the output");
    }
    const std::vector<int64_t> ic = BroadcastIndex(c->shape(), out);
    for (int64_t o = 0; o < m * n; ++o) acc[o] = c->data<int32_t>()[ic[o]];
  }
  IntDotRows(arows.data(), m, bt.data(), n, k, Bound(a.dtype()), 128, acc.data());
  absl::StatusOr<Tensor> y = ApplyEpilogue(node, acc, {m, n}, n, 1, nullptr);
  if (!y.ok()) return y.status();
  outputs.push_back(*std::move(y));
  return absl::OkStatus();
}

}  // namespace openbpu::ops::qarith
