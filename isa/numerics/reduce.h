// Integer reductions shared by the quantized reference and the simulator
// (docs/NUMERICS.md, "Exact ops", "Max/min/compare"): max over axes, argmax
// and top-k order over one axis, for any integer storage type.
#ifndef OPENBPU_ISA_NUMERICS_REDUCE_H_
#define OPENBPU_ISA_NUMERICS_REDUCE_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

namespace openbpu::numerics {

// `in` has row-major `shape`; `reduced[d]` marks the reduced dimensions. `out`
// holds the kept dimensions in row-major order (keepdims does not change the
// layout). An empty reduction gives the lowest value of T.
template <typename T>
void ReduceMax(const T* in, const std::vector<int64_t>& shape, const std::vector<bool>& reduced,
               T* out) {
  const int rank = static_cast<int>(shape.size());
  int64_t in_size = 1, out_size = 1;
  for (int d = 0; d < rank; ++d) {
    in_size *= shape[d];
    if (!reduced[d]) out_size *= shape[d];
  }
  std::fill(out, out + out_size, std::numeric_limits<T>::lowest());
  // Output stride of each input dimension (0 when reduced).
  std::vector<int64_t> out_stride(rank, 0);
  int64_t s = 1;
  for (int d = rank - 1; d >= 0; --d) {
    if (!reduced[d]) {
      out_stride[d] = s;
      s *= shape[d];
    }
  }
  std::vector<int64_t> coord(rank, 0);
  int64_t o = 0;
  for (int64_t i = 0; i < in_size; ++i) {
    if (in[i] > out[o]) out[o] = in[i];
    for (int d = rank - 1; d >= 0; --d) {
      o += out_stride[d];
      if (++coord[d] < shape[d]) break;
      o -= out_stride[d] * coord[d];
      coord[d] = 0;
    }
  }
}

// For a [outer, n, inner] view (n >= 1): the index along n of the largest
// element; the first one on ties, or the last with `select_last`.
template <typename T>
void ArgMax(const T* in, int64_t outer, int64_t n, int64_t inner, bool select_last, int64_t* out) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const T* p = in + o * n * inner + i;
      int64_t best = 0;
      for (int64_t k = 1; k < n; ++k) {
        const T v = p[k * inner];
        const T b = p[best * inner];
        if (select_last ? v >= b : v > b) best = k;
      }
      out[o * inner + i] = best;
    }
  }
}

// For a [outer, n, inner] view: the k largest (or smallest) elements along n,
// sorted, equal values in increasing index order; values and int64 indices are
// [outer, k, inner]. 0 <= k <= n.
template <typename T>
void TopK(const T* in, int64_t outer, int64_t n, int64_t inner, int64_t k, bool largest, T* values,
          int64_t* indices) {
  std::vector<int64_t> order(n);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const T* p = in + o * n * inner + i;
      std::iota(order.begin(), order.end(), int64_t{0});
      std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
        const T va = p[a * inner];
        const T vb = p[b * inner];
        if (va != vb) return largest ? va > vb : va < vb;
        return a < b;
      });
      for (int64_t j = 0; j < k; ++j) {
        values[(o * k + j) * inner + i] = p[order[j] * inner];
        indices[(o * k + j) * inner + i] = order[j];
      }
    }
  }
}

}  // namespace openbpu::numerics

#endif  // OPENBPU_ISA_NUMERICS_REDUCE_H_
