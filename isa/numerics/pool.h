// Integer pooling windows shared by the quantized reference and the simulator
// (docs/NUMERICS.md, "Exact ops"): max pooling and int64 window sums over
// row-major [channels, spatial...] buffers of any integer storage type.
#ifndef OPENBPU_ISA_NUMERICS_POOL_H_
#define OPENBPU_ISA_NUMERICS_POOL_H_

#include <cstdint>
#include <limits>
#include <vector>

namespace openbpu::numerics {

// Window placement along every spatial dimension (ONNX pooling): window `o` of
// dimension d covers input positions o * strides[d] - pads_begin[d] +
// j * dilations[d], j in [0, kernel[d]). Every vector has one entry per
// spatial dimension; kernel, strides and dilations are >= 1, pads >= 0.
struct PoolWindows {
  std::vector<int64_t> input;
  std::vector<int64_t> output;
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads_begin;
  std::vector<int64_t> pads_end;
};

// The taps of one output position along one dimension that fall inside the
// input: first input index, how many (stepping by the dilation), and how many
// window positions lie inside begin pad + input + end pad (count_include_pad).
struct AxisWindow {
  int64_t first = 0;
  int64_t count = 0;
  int64_t padded = 0;
};

// Per dimension, per output index.
std::vector<std::vector<AxisWindow>> PlanPoolWindows(const PoolWindows& g);

// Calls fn(output index within a channel, input offsets of the window's
// in-input taps as a list) for every output position, row-major.
template <typename Fn>
void ForEachPoolWindow(const PoolWindows& g, Fn fn) {
  const std::vector<std::vector<AxisWindow>> axes = PlanPoolWindows(g);
  const int rank = static_cast<int>(g.input.size());
  std::vector<int64_t> in_strides(rank, 1);
  for (int d = rank - 2; d >= 0; --d) in_strides[d] = in_strides[d + 1] * g.input[d + 1];
  int64_t out_size = 1;
  for (int64_t o : g.output) out_size *= o;
  if (out_size == 0) return;
  std::vector<int64_t> coord(rank, 0), taps, next;
  for (int64_t o = 0; o < out_size; ++o) {
    taps.assign(1, 0);
    for (int d = 0; d < rank; ++d) {
      const AxisWindow& w = axes[d][coord[d]];
      next.clear();
      for (int64_t base : taps) {
        for (int64_t t = 0; t < w.count; ++t) {
          next.push_back(base + (w.first + t * g.dilations[d]) * in_strides[d]);
        }
      }
      taps.swap(next);
    }
    fn(o, taps);
    for (int d = rank - 1; d >= 0; --d) {
      if (++coord[d] < g.output[d]) break;
      coord[d] = 0;
    }
  }
}

// out[c, o] = max of the window's in-input elements; padding never wins, and a
// window holding no input element gives the lowest value of T (the float
// reference gives -inf, which saturates to the same value).
template <typename T>
void MaxPool(const T* in, int64_t channels, const PoolWindows& g, T* out) {
  int64_t in_size = 1, out_size = 1;
  for (int64_t v : g.input) in_size *= v;
  for (int64_t v : g.output) out_size *= v;
  // Plan once, then reuse the tap lists for every channel.
  std::vector<std::vector<int64_t>> windows(out_size);
  ForEachPoolWindow(g, [&](int64_t o, const std::vector<int64_t>& taps) { windows[o] = taps; });
  for (int64_t c = 0; c < channels; ++c) {
    const T* src = in + c * in_size;
    T* dst = out + c * out_size;
    for (int64_t o = 0; o < out_size; ++o) {
      T m = std::numeric_limits<T>::lowest();
      for (int64_t t : windows[o]) m = src[t] > m ? src[t] : m;
      dst[o] = m;
    }
  }
}

// sums[c, o] = exact int64 sum of the window's in-input elements (average
// pooling's accumulator; padding contributes 0).
template <typename T>
void SumPool(const T* in, int64_t channels, const PoolWindows& g, int64_t* sums) {
  int64_t in_size = 1, out_size = 1;
  for (int64_t v : g.input) in_size *= v;
  for (int64_t v : g.output) out_size *= v;
  std::vector<std::vector<int64_t>> windows(out_size);
  ForEachPoolWindow(g, [&](int64_t o, const std::vector<int64_t>& taps) { windows[o] = taps; });
  for (int64_t c = 0; c < channels; ++c) {
    const T* src = in + c * in_size;
    for (int64_t o = 0; o < out_size; ++o) {
      int64_t s = 0;
      for (int64_t t : windows[o]) s += src[t];
      sums[c * out_size + o] = s;
    }
  }
}

// Per output position: the number of window taps inside the input, or with
// count_include_pad inside begin pad + input + end pad (ONNX AveragePool).
std::vector<int64_t> PoolDivisors(const PoolWindows& g, bool count_include_pad);

}  // namespace openbpu::numerics

#endif  // OPENBPU_ISA_NUMERICS_POOL_H_
