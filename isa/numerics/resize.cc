// Resize index and weight tables (docs/NUMERICS.md, "Resize").
#include "isa/numerics/resize.h"

#include <algorithm>
#include <cmath>

namespace openbpu::numerics {

double ResizeSourceCoordinate(ResizeCoordinateMode mode, int64_t x, double scale, int64_t in_size,
                              int64_t out_size) {
  const double xd = static_cast<double>(x);
  const double resized = scale * static_cast<double>(in_size);
  switch (mode) {
    case ResizeCoordinateMode::kAlignCorners:
      return resized == 1 ? 0.0 : xd * static_cast<double>(in_size - 1) / (resized - 1);
    case ResizeCoordinateMode::kAsymmetric:
      return xd / scale;
    case ResizeCoordinateMode::kPytorchHalfPixel:
      return resized == 1 ? -0.5 : (xd + 0.5) / scale - 0.5;
    case ResizeCoordinateMode::kHalfPixel:
      return (xd + 0.5) / scale - 0.5;
    case ResizeCoordinateMode::kHalfPixelSymmetric: {
      const double adjustment = static_cast<double>(out_size) / resized;
      const double center = static_cast<double>(in_size) / 2;
      return center * (1 - adjustment) + (xd + 0.5) / scale - 0.5;
    }
    case ResizeCoordinateMode::kTfHalfPixelForNearest:
      return (xd + 0.5) / scale;
  }
  return xd;
}

int64_t NearestIndex(NearestMode mode, double x, int64_t in_size) {
  const double f = std::floor(x);
  const double frac = x - f;
  double i = f;
  if (frac != 0) {
    switch (mode) {
      case NearestMode::kRoundPreferFloor:
        i = frac <= 0.5 ? f : f + 1;
        break;
      case NearestMode::kRoundPreferCeil:
        i = frac < 0.5 ? f : f + 1;
        break;
      case NearestMode::kFloor:
        i = f;
        break;
      case NearestMode::kCeil:
        i = f + 1;
        break;
    }
  }
  return static_cast<int64_t>(std::clamp(i, 0.0, static_cast<double>(in_size - 1)));
}

std::vector<int64_t> NearestIndexTable(ResizeCoordinateMode mode, NearestMode rounding,
                                       int64_t in_size, int64_t out_size, double scale) {
  std::vector<int64_t> table(out_size);
  for (int64_t o = 0; o < out_size; ++o) {
    table[o] =
        NearestIndex(rounding, ResizeSourceCoordinate(mode, o, scale, in_size, out_size), in_size);
  }
  return table;
}

std::vector<LinearTap> LinearTapTable(ResizeCoordinateMode mode, int64_t in_size, int64_t out_size,
                                      double scale) {
  std::vector<LinearTap> taps(out_size);
  const double last = static_cast<double>(in_size - 1);
  for (int64_t o = 0; o < out_size; ++o) {
    const double x = ResizeSourceCoordinate(mode, o, scale, in_size, out_size);
    const double f = std::floor(x);
    const double frac = x - f;
    // Clamp in floating point first: x may be far outside int64.
    LinearTap& t = taps[o];
    t.i0 = static_cast<int64_t>(std::clamp(f, 0.0, last));
    t.i1 = static_cast<int64_t>(std::clamp(f + 1, 0.0, last));
    // frac * 2^16 < 2^16 is exact in double, and so is adding 0.5.
    t.w1 = t.i0 == t.i1 ? 0 : static_cast<int32_t>(std::floor(frac * 65536.0 + 0.5));
    if (t.w1 == 0) t.i1 = t.i0;
  }
  return taps;
}

bool IsInterpolated(const std::vector<LinearTap>& taps) {
  for (const LinearTap& t : taps) {
    if (t.w1 != 0) return true;
  }
  return false;
}

}  // namespace openbpu::numerics
