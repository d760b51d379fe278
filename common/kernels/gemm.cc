// Blocked GEMM: B is packed into 8-column panels per (k, n) block that stays in
// L2, and a 4x8 register-tile micro-kernel written with GCC vector extensions
// (SSE without -march flags) accumulates over k. Rows that do not fill a 4-row
// tile use vectorized axpy over whole rows, which also suits depthwise convs.
#include "common/kernels/gemm.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace openbpu::kernels {
namespace {

using V4 = float __attribute__((vector_size(16)));

inline V4 Load4(const float* p) {
  V4 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline void Store4(float* p, V4 v) { std::memcpy(p, &v, sizeof(v)); }
inline V4 Splat(float x) { return V4{x, x, x, x}; }

constexpr int64_t kMr = 4;
constexpr int64_t kNr = 8;
constexpr int64_t kKc = 256;
constexpr int64_t kNc = 256;

// y[i] += a * x[i]; elementwise, so vectorizing does not change rounding.
inline void Axpy(int64_t n, float a, const float* x, float* y) {
  const V4 va = Splat(a);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    Store4(y + i, Load4(y + i) + va * Load4(x + i));
    Store4(y + i + 4, Load4(y + i + 4) + va * Load4(x + i + 4));
  }
  for (; i < n; ++i) y[i] += a * x[i];
}

// Packs b[0:kc, 0:nc] into consecutive kc x 8 panels, zero-padding the last one.
void PackB(const float* b, int64_t ldb, int64_t kc, int64_t nc, float* packed) {
  for (int64_t j = 0; j < nc; j += kNr) {
    const int64_t cols = std::min(kNr, nc - j);
    float* dst = packed + j * kc;
    for (int64_t k = 0; k < kc; ++k) {
      const float* src = b + k * ldb + j;
      int64_t jj = 0;
      for (; jj < cols; ++jj) dst[jj] = src[jj];
      for (; jj < kNr; ++jj) dst[jj] = 0.f;
      dst += kNr;
    }
  }
}

// c[0:4, 0:cols] += a[0:4, 0:kc] * panel (kc x 8).
void Micro4x8(int64_t kc, const float* a, int64_t lda, const float* panel, float* c, int64_t ldc,
              int64_t cols) {
  float tile[kMr * kNr];
  float* ct = c;
  int64_t ldt = ldc;
  if (cols < kNr) {
    for (int64_t r = 0; r < kMr; ++r) {
      for (int64_t j = 0; j < kNr; ++j) tile[r * kNr + j] = j < cols ? c[r * ldc + j] : 0.f;
    }
    ct = tile;
    ldt = kNr;
  }
  V4 c00 = Load4(ct), c01 = Load4(ct + 4);
  V4 c10 = Load4(ct + ldt), c11 = Load4(ct + ldt + 4);
  V4 c20 = Load4(ct + 2 * ldt), c21 = Load4(ct + 2 * ldt + 4);
  V4 c30 = Load4(ct + 3 * ldt), c31 = Load4(ct + 3 * ldt + 4);
  const float* a0 = a;
  const float* a1 = a + lda;
  const float* a2 = a + 2 * lda;
  const float* a3 = a + 3 * lda;
  for (int64_t k = 0; k < kc; ++k) {
    const V4 b0 = Load4(panel);
    const V4 b1 = Load4(panel + 4);
    panel += kNr;
    const V4 x0 = Splat(a0[k]);
    c00 += x0 * b0;
    c01 += x0 * b1;
    const V4 x1 = Splat(a1[k]);
    c10 += x1 * b0;
    c11 += x1 * b1;
    const V4 x2 = Splat(a2[k]);
    c20 += x2 * b0;
    c21 += x2 * b1;
    const V4 x3 = Splat(a3[k]);
    c30 += x3 * b0;
    c31 += x3 * b1;
  }
  Store4(ct, c00);
  Store4(ct + 4, c01);
  Store4(ct + ldt, c10);
  Store4(ct + ldt + 4, c11);
  Store4(ct + 2 * ldt, c20);
  Store4(ct + 2 * ldt + 4, c21);
  Store4(ct + 3 * ldt, c30);
  Store4(ct + 3 * ldt + 4, c31);
  if (ct == tile) {
    for (int64_t r = 0; r < kMr; ++r) {
      for (int64_t j = 0; j < cols; ++j) c[r * ldc + j] = tile[r * kNr + j];
    }
  }
}

// numpy broadcast of two batch shapes (already known to be compatible or not).
bool BroadcastBatch(const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                    std::vector<int64_t>* out) {
  const size_t rank = std::max(a.size(), b.size());
  out->assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) return false;
    (*out)[i] = da == 1 ? db : da;
  }
  return true;
}

// Per-batch-element matrix offsets of an operand with batch dims `in` inside
// the broadcast batch shape `out`.
std::vector<int64_t> BatchOffsets(const std::vector<int64_t>& in, const std::vector<int64_t>& out,
                                  int64_t matrix_size) {
  const int rank = static_cast<int>(out.size());
  const int offset = rank - static_cast<int>(in.size());
  std::vector<int64_t> strides(rank, 0);
  int64_t stride = matrix_size;
  for (int i = rank - 1; i >= offset; --i) {
    strides[i] = in[i - offset] == 1 ? 0 : stride;
    stride *= in[i - offset];
  }
  int64_t count = 1;
  for (int64_t d : out) count *= d;
  std::vector<int64_t> result(count);
  std::vector<int64_t> coord(rank, 0);
  int64_t flat = 0;
  for (int64_t i = 0; i < count; ++i) {
    result[i] = flat;
    for (int d = rank - 1; d >= 0; --d) {
      ++coord[d];
      flat += strides[d];
      if (coord[d] < out[d]) break;
      flat -= strides[d] * coord[d];
      coord[d] = 0;
    }
  }
  return result;
}

}  // namespace

void MatMulRowMajor(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                    int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  if (m <= 0 || n <= 0) return;
  if (!accumulate) {
    for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.f);
  }
  if (k <= 0) return;
  const int64_t m4 = m / kMr * kMr;
  if (m4 > 0) {
    std::vector<float> packed(kKc * ((std::min(kNc, n) + kNr - 1) / kNr * kNr));
    for (int64_t j0 = 0; j0 < n; j0 += kNc) {
      const int64_t nc = std::min(kNc, n - j0);
      for (int64_t k0 = 0; k0 < k; k0 += kKc) {
        const int64_t kc = std::min(kKc, k - k0);
        PackB(b + k0 * ldb + j0, ldb, kc, nc, packed.data());
        for (int64_t i = 0; i < m4; i += kMr) {
          for (int64_t j = 0; j < nc; j += kNr) {
            Micro4x8(kc, a + i * lda + k0, lda, packed.data() + j * kc, c + i * ldc + j0 + j, ldc,
                     std::min(kNr, nc - j));
          }
        }
      }
    }
  }
  for (int64_t i = m4; i < m; ++i) {
    for (int64_t kk = 0; kk < k; ++kk) Axpy(n, a[i * lda + kk], b + kk * ldb, c + i * ldc);
  }
}

void Transpose2D(const float* src, int64_t rows, int64_t cols, float* dst) {
  constexpr int64_t kBlock = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock) {
    const int64_t r1 = std::min(rows, r0 + kBlock);
    for (int64_t c0 = 0; c0 < cols; c0 += kBlock) {
      const int64_t c1 = std::min(cols, c0 + kBlock);
      for (int64_t r = r0; r < r1; ++r) {
        for (int64_t c = c0; c < c1; ++c) dst[c * rows + r] = src[r * cols + c];
      }
    }
  }
}

void Gemm(const GemmParams& params, int64_t m, int64_t n, int64_t k, const float* a, const float* b,
          const float* c, const std::vector<int64_t>& c_shape, float* y) {
  std::vector<float> at;
  std::vector<float> bt;
  if (params.trans_a) {
    at.resize(m * k);
    Transpose2D(a, k, m, at.data());
    a = at.data();
  }
  if (params.trans_b) {
    bt.resize(k * n);
    Transpose2D(b, n, k, bt.data());
    b = bt.data();
  }
  MatMulRowMajor(m, n, k, a, k, b, n, y, n, /*accumulate=*/false);
  // C broadcasts from the right: [N] or [1] is a row, [M,1] a column, [] a scalar.
  int64_t c_row_stride = 0;
  int64_t c_col_stride = 0;
  if (c != nullptr) {
    const size_t rank = c_shape.size();
    if (rank >= 1 && c_shape[rank - 1] != 1) c_col_stride = 1;
    if (rank == 2 && c_shape[0] != 1) c_row_stride = c_shape[1];
  }
  for (int64_t i = 0; i < m; ++i) {
    float* row = y + i * n;
    for (int64_t j = 0; j < n; ++j) {
      row[j] *= params.alpha;
      if (c != nullptr) row[j] += params.beta * c[i * c_row_stride + j * c_col_stride];
    }
  }
}

absl::StatusOr<std::vector<int64_t>> MatMulShape(const std::vector<int64_t>& a_shape,
                                                 const std::vector<int64_t>& b_shape) {
  if (a_shape.empty() || b_shape.empty()) {
    return absl::InvalidArgumentError("MatMul operands must have rank >= 1");
  }
  const size_t ra = a_shape.size();
  const size_t rb = b_shape.size();
  const int64_t ka = a_shape[ra - 1];
  const int64_t kb = rb == 1 ? b_shape[0] : b_shape[rb - 2];
  if (ka != kb) {
    return absl::InvalidArgumentError(
        absl::StrCat("MatMul inner dimensions differ: ", ka, " and ", kb));
  }
  const std::vector<int64_t> batch_a(a_shape.begin(), a_shape.end() - std::min<size_t>(ra, 2));
  const std::vector<int64_t> batch_b(b_shape.begin(), b_shape.end() - std::min<size_t>(rb, 2));
  std::vector<int64_t> out;
  if (!BroadcastBatch(batch_a, batch_b, &out)) {
    return absl::InvalidArgumentError("MatMul batch dimensions do not broadcast");
  }
  if (ra >= 2) out.push_back(a_shape[ra - 2]);
  if (rb >= 2) out.push_back(b_shape[rb - 1]);
  return out;
}

void MatMul(const float* a, const std::vector<int64_t>& a_shape, const float* b,
            const std::vector<int64_t>& b_shape, float* y) {
  const size_t ra = a_shape.size();
  const size_t rb = b_shape.size();
  const int64_t m = ra >= 2 ? a_shape[ra - 2] : 1;
  const int64_t k = a_shape[ra - 1];
  const int64_t n = rb >= 2 ? b_shape[rb - 1] : 1;
  const std::vector<int64_t> batch_a(a_shape.begin(), a_shape.end() - std::min<size_t>(ra, 2));
  const std::vector<int64_t> batch_b(b_shape.begin(), b_shape.end() - std::min<size_t>(rb, 2));
  std::vector<int64_t> batch;
  BroadcastBatch(batch_a, batch_b, &batch);
  int64_t batch_a_count = 1;
  for (int64_t d : batch_a) batch_a_count *= d;
  const bool b_shared =
      std::all_of(batch_b.begin(), batch_b.end(), [](int64_t d) { return d == 1; });
  if (b_shared && batch_a == batch) {
    // One shared right operand: a's batch rows are one tall matrix.
    MatMulRowMajor(batch_a_count * m, n, k, a, k, b, n, y, n, /*accumulate=*/false);
    return;
  }
  const std::vector<int64_t> off_a = BatchOffsets(batch_a, batch, m * k);
  const std::vector<int64_t> off_b = BatchOffsets(batch_b, batch, k * n);
  for (size_t i = 0; i < off_a.size(); ++i) {
    MatMulRowMajor(m, n, k, a + off_a[i], k, b + off_b[i], n, y + i * m * n, n,
                   /*accumulate=*/false);
  }
}

}  // namespace openbpu::kernels
