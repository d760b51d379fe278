// Resize: per-dimension source indices and weights are computed once, then
// each output row combines the outer dimensions' taps with the last one's.
#include "common/kernels/resize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace openbpu::kernels {
namespace {

// One interpolation tap of a dimension: input index and weight.
struct Tap {
  int64_t index;
  double weight;
};

// Up to two taps per output index of one dimension (one when the coordinate
// is integral or both neighbours clamp to the same edge element).
struct AxisTaps {
  std::vector<Tap> taps;    // 2 per output index
  std::vector<int> counts;  // 1 or 2 per output index
};

AxisTaps LinearTaps(int64_t in_size, int64_t out_size, double scale,
                    ResizeCoordinates coordinates) {
  AxisTaps a;
  a.taps.resize(2 * out_size);
  a.counts.resize(out_size);
  for (int64_t o = 0; o < out_size; ++o) {
    const double x = ResizeSourceCoordinate(coordinates, o, scale, in_size, out_size);
    const double f = std::floor(x);
    const double frac = x - f;
    // Clamp in floating point first: x may be far outside int64.
    const int64_t i0 = static_cast<int64_t>(std::clamp(f, 0.0, static_cast<double>(in_size - 1)));
    const int64_t i1 =
        static_cast<int64_t>(std::clamp(f + 1, 0.0, static_cast<double>(in_size - 1)));
    if (frac == 0 || i0 == i1) {
      a.taps[2 * o] = {i0, 1.0};
      a.counts[o] = 1;
    } else {
      a.taps[2 * o] = {i0, 1.0 - frac};
      a.taps[2 * o + 1] = {i1, frac};
      a.counts[o] = 2;
    }
  }
  return a;
}

std::vector<int64_t> NearestIndices(int64_t in_size, int64_t out_size, double scale,
                                    ResizeCoordinates coordinates, NearestRounding rounding) {
  std::vector<int64_t> idx(out_size);
  for (int64_t o = 0; o < out_size; ++o) {
    idx[o] = NearestSourceIndex(
        rounding, ResizeSourceCoordinate(coordinates, o, scale, in_size, out_size), in_size);
  }
  return idx;
}

template <typename Word>
void NearestCopy(const Word* src, const std::vector<int64_t>& in_shape,
                 const std::vector<int64_t>& out_shape,
                 const std::vector<std::vector<int64_t>>& index, Word* dst) {
  const int rank = static_cast<int>(out_shape.size());
  int64_t n = 1;
  for (int64_t d : out_shape) n *= d;
  if (n == 0) return;
  if (rank == 0) {
    dst[0] = src[0];
    return;
  }
  std::vector<int64_t> strides(rank, 1);
  for (int d = rank - 2; d >= 0; --d) strides[d] = strides[d + 1] * in_shape[d + 1];
  const int64_t row = out_shape[rank - 1];
  const std::vector<int64_t>& inner = index[rank - 1];
  std::vector<int64_t> coord(rank - 1, 0);
  for (int64_t r = 0; r < n / row; ++r) {
    int64_t base = 0;
    for (int d = 0; d < rank - 1; ++d) base += index[d][coord[d]] * strides[d];
    Word* out_row = dst + r * row;
    for (int64_t o = 0; o < row; ++o) out_row[o] = src[base + inner[o]];
    for (int d = rank - 2; d >= 0; --d) {
      if (++coord[d] < out_shape[d]) break;
      coord[d] = 0;
    }
  }
}

}  // namespace

double ResizeSourceCoordinate(ResizeCoordinates coordinates, int64_t x, double scale,
                              int64_t in_size, int64_t out_size) {
  const double xd = static_cast<double>(x);
  const double resized = scale * static_cast<double>(in_size);
  switch (coordinates) {
    case ResizeCoordinates::kAlignCorners:
      return resized == 1 ? 0.0 : xd * static_cast<double>(in_size - 1) / (resized - 1);
    case ResizeCoordinates::kAsymmetric:
      return xd / scale;
    case ResizeCoordinates::kPytorchHalfPixel:
      return resized == 1 ? -0.5 : (xd + 0.5) / scale - 0.5;
    case ResizeCoordinates::kHalfPixel:
      return (xd + 0.5) / scale - 0.5;
    case ResizeCoordinates::kHalfPixelSymmetric: {
      const double adjustment = static_cast<double>(out_size) / resized;
      const double center = static_cast<double>(in_size) / 2;
      return center * (1 - adjustment) + (xd + 0.5) / scale - 0.5;
    }
    case ResizeCoordinates::kTfHalfPixelForNearest:
      return (xd + 0.5) / scale;
  }
  return xd;
}

int64_t NearestSourceIndex(NearestRounding rounding, double x, int64_t in_size) {
  const double f = std::floor(x);
  const double frac = x - f;
  double i = f;
  if (frac != 0) {
    switch (rounding) {
      case NearestRounding::kRoundPreferFloor:
        i = frac <= 0.5 ? f : f + 1;
        break;
      case NearestRounding::kRoundPreferCeil:
        i = frac < 0.5 ? f : f + 1;
        break;
      case NearestRounding::kFloor:
        i = f;
        break;
      case NearestRounding::kCeil:
        i = f + 1;
        break;
    }
  }
  return static_cast<int64_t>(std::clamp(i, 0.0, static_cast<double>(in_size - 1)));
}

void ResizeNearest(const void* in, size_t element_size, const std::vector<int64_t>& in_shape,
                   const std::vector<int64_t>& out_shape, const std::vector<double>& scales,
                   ResizeCoordinates coordinates, NearestRounding rounding, void* out) {
  std::vector<std::vector<int64_t>> index;
  for (size_t d = 0; d < out_shape.size(); ++d) {
    index.push_back(NearestIndices(in_shape[d], out_shape[d], scales[d], coordinates, rounding));
  }
  switch (element_size) {
    case 1:
      NearestCopy(static_cast<const uint8_t*>(in), in_shape, out_shape, index,
                  static_cast<uint8_t*>(out));
      break;
    case 2:
      NearestCopy(static_cast<const uint16_t*>(in), in_shape, out_shape, index,
                  static_cast<uint16_t*>(out));
      break;
    case 4:
      NearestCopy(static_cast<const uint32_t*>(in), in_shape, out_shape, index,
                  static_cast<uint32_t*>(out));
      break;
    case 8:
      NearestCopy(static_cast<const uint64_t*>(in), in_shape, out_shape, index,
                  static_cast<uint64_t*>(out));
      break;
    default:
      break;
  }
}

void ResizeLinear(const float* in, const std::vector<int64_t>& in_shape,
                  const std::vector<int64_t>& out_shape, const std::vector<double>& scales,
                  ResizeCoordinates coordinates, float* out) {
  const int rank = static_cast<int>(out_shape.size());
  int64_t n = 1;
  for (int64_t d : out_shape) n *= d;
  if (n == 0) return;
  if (rank == 0) {
    out[0] = in[0];
    return;
  }
  std::vector<AxisTaps> axes;
  for (int d = 0; d < rank; ++d) {
    axes.push_back(LinearTaps(in_shape[d], out_shape[d], scales[d], coordinates));
  }
  std::vector<int64_t> strides(rank, 1);
  for (int d = rank - 2; d >= 0; --d) strides[d] = strides[d + 1] * in_shape[d + 1];
  const int64_t row = out_shape[rank - 1];
  const AxisTaps& inner = axes[rank - 1];
  std::vector<int64_t> coord(rank - 1, 0);
  std::vector<Tap> outer, next;  // combined taps of the outer dimensions
  for (int64_t r = 0; r < n / row; ++r) {
    outer.assign(1, Tap{0, 1.0});
    for (int d = 0; d < rank - 1; ++d) {
      next.clear();
      const Tap* t = &axes[d].taps[2 * coord[d]];
      for (const Tap& o : outer) {
        for (int k = 0; k < axes[d].counts[coord[d]]; ++k) {
          next.push_back({o.index + t[k].index * strides[d], o.weight * t[k].weight});
        }
      }
      outer.swap(next);
    }
    float* out_row = out + r * row;
    for (int64_t x = 0; x < row; ++x) {
      const Tap* t = &inner.taps[2 * x];
      const int count = inner.counts[x];
      double sum = 0;
      for (const Tap& o : outer) {
        const float* p = in + o.index;
        double s = t[0].weight * p[t[0].index];
        if (count == 2) s += t[1].weight * p[t[1].index];
        sum += o.weight * s;
      }
      out_row[x] = static_cast<float>(sum);
    }
    for (int d = rank - 2; d >= 0; --d) {
      if (++coord[d] < out_shape[d]) break;
      coord[d] = 0;
    }
  }
}

}  // namespace openbpu::kernels
