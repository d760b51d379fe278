// Integer resize shared by the quantized reference and the simulator
// (docs/NUMERICS.md, "Resize"): ONNX coordinate transformations, nearest index
// tables, and linear (bilinear) interpolation with Q16 weights, an int64
// accumulator and one requantize.
#ifndef OPENBPU_ISA_NUMERICS_RESIZE_H_
#define OPENBPU_ISA_NUMERICS_RESIZE_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "isa/numerics/requantize.h"

namespace openbpu::numerics {

enum class ResizeCoordinateMode {
  kHalfPixel,
  kHalfPixelSymmetric,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNearest,
};

enum class NearestMode { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };

// Source coordinate of output index x of a dimension resized from in_size to
// out_size with `scale`, in double, exactly the ONNX reference formulas (the
// float reference, common/kernels/resize, computes the same expression).
double ResizeSourceCoordinate(ResizeCoordinateMode mode, int64_t x, double scale, int64_t in_size,
                              int64_t out_size);

// Nearest input index of source coordinate x, clamped to [0, in_size - 1].
int64_t NearestIndex(NearestMode mode, double x, int64_t in_size);

// Per output index of one dimension, the input index it copies.
std::vector<int64_t> NearestIndexTable(ResizeCoordinateMode mode, NearestMode rounding,
                                       int64_t in_size, int64_t out_size, double scale);

// Nearest resize = a gather by one index table per dimension; elements are
// moved as opaque words (exact for every storage type).
template <typename Word>
void ResizeNearestCopy(const Word* in, const std::vector<int64_t>& in_shape,
                       const std::vector<int64_t>& out_shape,
                       const std::vector<std::vector<int64_t>>& tables, Word* out) {
  const int rank = static_cast<int>(out_shape.size());
  int64_t n = 1;
  for (int64_t d : out_shape) n *= d;
  if (n == 0) return;
  std::vector<int64_t> strides(rank, 1);
  for (int d = rank - 2; d >= 0; --d) strides[d] = strides[d + 1] * in_shape[d + 1];
  std::vector<int64_t> coord(rank, 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t offset = 0;
    for (int d = 0; d < rank; ++d) offset += tables[d][coord[d]] * strides[d];
    out[i] = in[offset];
    for (int d = rank - 1; d >= 0; --d) {
      if (++coord[d] < out_shape[d]) break;
      coord[d] = 0;
    }
  }
}

// Linear weights are unsigned Q16: w1 = round_half_up(frac * 2^16) from the
// double fraction of the source coordinate, w0 = 2^16 - w1 (they sum to 2^16
// exactly).
inline constexpr int kResizeWeightBits = 16;

// One output index of one dimension: taps i0 (weight 2^16 - w1) and i1 (weight
// w1). A dimension is "interpolated" when any of its entries has w1 != 0.
struct LinearTap {
  int64_t i0 = 0;
  int64_t i1 = 0;
  int32_t w1 = 0;
};

std::vector<LinearTap> LinearTapTable(ResizeCoordinateMode mode, int64_t in_size, int64_t out_size,
                                      double scale);

// Whether any entry has a nonzero w1.
bool IsInterpolated(const std::vector<LinearTap>& taps);

// Linear resize supports at most this many interpolated dimensions: with
// int16 data and Q16 weights the accumulator stays below 2^15 * 2^32 * 4 = 2^49.
inline constexpr int kMaxInterpolatedDims = 2;

// acc = sum over taps of q * product of the interpolated dimensions' weights
// (int64, exact), carrying kResizeWeightBits fractional bits per interpolated
// dimension; out = Requantize(acc, record, lo, hi) with the record of
// s_in / (s_out * 2^(16 * interpolated dims)). Non-interpolated dimensions take
// tap i0 with weight 1. Errors if more than kMaxInterpolatedDims dimensions
// are interpolated.
template <typename TIn, typename TOut>
absl::Status ResizeLinear(const TIn* in, const std::vector<int64_t>& in_shape,
                          const std::vector<int64_t>& out_shape,
                          const std::vector<std::vector<LinearTap>>& taps,
                          const RequantizeRecord& record, int64_t lo, int64_t hi, TOut* out) {
  const int rank = static_cast<int>(out_shape.size());
  std::vector<bool> interp(rank);
  int interpolated = 0;
  for (int d = 0; d < rank; ++d) {
    interp[d] = IsInterpolated(taps[d]);
    interpolated += interp[d] ? 1 : 0;
  }
  if (interpolated > kMaxInterpolatedDims) {
    return absl::UnimplementedError("linear resize over more than 2 interpolated dimensions");
  }
  int64_t n = 1;
  for (int64_t d : out_shape) n *= d;
  if (n == 0) return absl::OkStatus();
  std::vector<int64_t> strides(rank, 1);
  for (int d = rank - 2; d >= 0; --d) strides[d] = strides[d + 1] * in_shape[d + 1];
  constexpr int64_t kOne = int64_t{1} << kResizeWeightBits;
  std::vector<int64_t> coord(rank, 0);
  // (offset, weight) pairs of the current output element.
  std::vector<std::pair<int64_t, int64_t>> acc_taps, next;
  for (int64_t i = 0; i < n; ++i) {
    acc_taps.assign(1, {0, 1});
    for (int d = 0; d < rank; ++d) {
      const LinearTap& t = taps[d][coord[d]];
      if (!interp[d]) {
        for (auto& p : acc_taps) p.first += t.i0 * strides[d];
        continue;
      }
      next.clear();
      for (const auto& p : acc_taps) {
        next.push_back({p.first + t.i0 * strides[d], p.second * (kOne - t.w1)});
        next.push_back({p.first + t.i1 * strides[d], p.second * t.w1});
      }
      acc_taps.swap(next);
    }
    int64_t acc = 0;
    for (const auto& p : acc_taps) acc += static_cast<int64_t>(in[p.first]) * p.second;
    out[i] = static_cast<TOut>(Requantize(acc, record, lo, hi));
    for (int d = rank - 1; d >= 0; --d) {
      if (++coord[d] < out_shape[d]) break;
      coord[d] = 0;
    }
  }
  return absl::OkStatus();
}

}  // namespace openbpu::numerics

#endif  // OPENBPU_ISA_NUMERICS_RESIZE_H_
