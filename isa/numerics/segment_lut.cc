// SegmentLUT evaluation (plain integer code shared with the simulator) and its fit
// (docs/NUMERICS.md, "SegmentLUT").
#include "isa/numerics/segment_lut.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "isa/numerics/lut.h"
#include "isa/numerics/requantize.h"

namespace openbpu::numerics {
namespace {

int16_t EvaluateHalf(const SegmentLutRecord& record, const int16_t* tables, int32_t x) {
  int k = 0;
  while (k < kSegmentCount - 1 && x > record.segments[k].upper) ++k;
  const SegmentLutSegment& seg = record.segments[k];
  const int32_t origin = k == 0 ? seg.upper : record.segments[k - 1].upper + 1;
  const int64_t p = static_cast<int64_t>(x - origin) * seg.slope +
                    static_cast<int64_t>(seg.bias) * (int64_t{1} << seg.bias_shift);
  const int64_t v = p >> seg.shift;
  if (k == 0 || k == kSegmentCount - 1) return SaturateInt16(v);
  const int64_t index = Saturate(v, 0, (kSegmentTableEntries - 1) * 256);
  const int i = static_cast<int>(index >> 8);
  const int64_t r = index & 255;
  const int16_t* table = tables + (k - 1) * kSegmentTableEntries;
  const int64_t a = table[i];
  const int64_t b = i < kSegmentTableEntries - 1 ? table[i + 1] : a;
  return SaturateInt16(a + (((b - a) * r + 128) >> 8));
}

// g clamped to the int16 range, NaN as 0: what the fit approximates.
double Clamp16(double v) {
  if (std::isnan(v)) return 0.0;
  return std::min(32767.0, std::max(-32768.0, v));
}

struct Fitter {
  const std::function<double(double)>& f;
  double s_in;
  double s_out;
  int32_t x0;              // first fitted input (0 when mirrored)
  std::vector<double> g;   // Clamp16(g(x)) for x in [x0, 32767]
  std::vector<int64_t> q;  // the integer targets

  double G(int32_t x) const { return g[x - x0]; }
  int64_t Q(int32_t x) const { return q[x - x0]; }
  double GReal(double x) const { return Clamp16(f(x * s_in) / s_out); }

  // The line through the ends of [lo, hi] stays within 1/4 LSB of g on it.
  bool Linear(int32_t lo, int32_t hi) const {
    const double slope = hi == lo ? 0.0 : (G(hi) - G(lo)) / (hi - lo);
    for (int32_t x = lo; x <= hi; ++x) {
      if (std::fabs(G(lo) + slope * (x - lo) - G(x)) > 0.25) return false;
    }
    return true;
  }

  // The line segment over [min(origin, end), max(origin, end)] with the smallest error.
  SegmentLutSegment Line(int32_t origin, int32_t end, int16_t upper) const {
    const double slope = end == origin ? 0.0 : (G(end) - G(origin)) / (end - origin);
    const int32_t lo = std::min(origin, end);
    const int32_t hi = std::max(origin, end);
    SegmentLutSegment best;
    best.upper = upper;
    int64_t best_error = -1;
    for (int s = 0; s <= 31; ++s) {
      const double scaled = std::ldexp(slope, s);
      if (std::fabs(scaled) > 32767.0) break;
      const double b_real =
          s == 0 ? std::floor(G(origin) + 0.5) : std::ldexp(G(origin), s) + std::ldexp(1.0, s - 1);
      int bs = 0;
      while (bs < 15 && std::fabs(std::round(std::ldexp(b_real, -bs))) > 32767.0) ++bs;
      const double bias = std::round(std::ldexp(b_real, -bs));
      if (std::fabs(bias) > 32767.0) continue;
      SegmentLutSegment seg;
      seg.upper = upper;
      seg.slope = static_cast<int16_t>(std::llround(scaled));
      seg.bias = static_cast<int16_t>(bias);
      seg.bias_shift = static_cast<uint8_t>(bs);
      seg.shift = static_cast<uint8_t>(s);
      int64_t error = 0;
      for (int32_t x = lo; x <= hi; ++x) {
        const int64_t p = static_cast<int64_t>(x - origin) * seg.slope +
                          static_cast<int64_t>(seg.bias) * (int64_t{1} << seg.bias_shift);
        error = std::max(error, std::abs(SaturateInt16(p >> seg.shift) - Q(x)));
      }
      if (best_error < 0 || error < best_error) {
        best_error = error;
        best = seg;
      }
      if (slope == 0.0) break;
    }
    return best;
  }

  // Table segment over [lo, hi]: the index map and its 64 entries.
  SegmentLutSegment Table(int32_t lo, int32_t hi, int16_t* entries) const {
    SegmentLutSegment seg;
    seg.upper = static_cast<int16_t>(hi);
    const int32_t w = hi - lo;
    if (w <= 0) {
      const int64_t v = Q(std::max(std::min(lo, int32_t{32767}), x0));
      for (int j = 0; j < kSegmentTableEntries; ++j) entries[j] = static_cast<int16_t>(v);
      return seg;
    }
    const double span = (kSegmentTableEntries - 1) * 256.0;
    int s = 0;
    while (s < 30 && std::llround(std::ldexp(span, s + 1) / w) <= 32767) ++s;
    const int64_t slope = std::llround(std::ldexp(span, s) / w);
    seg.slope = static_cast<int16_t>(slope);
    seg.shift = static_cast<uint8_t>(s);
    if (s >= 1) {
      seg.bias_shift = static_cast<uint8_t>(std::max(0, s - 1 - 14));
      seg.bias = static_cast<int16_t>(1 << (s - 1 - seg.bias_shift));
    }
    for (int j = 0; j < kSegmentTableEntries; ++j) {
      const double x = lo + std::ldexp(256.0 * j, s) / static_cast<double>(slope);
      entries[j] = static_cast<int16_t>(QuantizeTableEntry(GReal(x), -32768, 32767));
    }
    return seg;
  }
};

}  // namespace

int16_t Evaluate(const SegmentLutRecord& record, const int16_t* tables, int16_t x) {
  if (record.mirror == SegmentLutMirror::kNone || x >= 0) return EvaluateHalf(record, tables, x);
  const int32_t mirrored = std::min<int32_t>(-static_cast<int32_t>(x), 32767);
  const int16_t y = EvaluateHalf(record, tables, mirrored);
  if (record.mirror == SegmentLutMirror::kEven) return y;
  return SaturateInt16(static_cast<int64_t>(record.mirror_sum) - y);
}

int16_t SegmentLutTarget(const std::function<double(double)>& f, double s_in, double s_out,
                         int16_t x) {
  return static_cast<int16_t>(QuantizeTableEntry(f(x * s_in) / s_out, -32768, 32767));
}

absl::StatusOr<SegmentLut> Fit(const std::function<double(double)>& f, double s_in, double s_out,
                               DividePoints strategy, SegmentLutMirror mirror) {
  if (!(s_in > 0 && std::isfinite(s_in) && s_out > 0 && std::isfinite(s_out))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SegmentLUT scales must be finite and > 0, got s_in=", s_in, " s_out=", s_out));
  }
  Fitter fit{f, s_in, s_out, mirror == SegmentLutMirror::kNone ? -32768 : 0, {}, {}};
  const int32_t n = 32767 - fit.x0 + 1;
  fit.g.resize(n);
  fit.q.resize(n);
  for (int32_t i = 0; i < n; ++i) {
    const int32_t x = fit.x0 + i;
    fit.g[i] = fit.GReal(x);
    fit.q[i] = QuantizeTableEntry(f(x * s_in) / s_out, -32768, 32767);
  }
  SegmentLut lut;
  lut.record.mirror = mirror;
  if (mirror == SegmentLutMirror::kOdd) {
    // f(s) + f(-s) rather than 2 f(0): also right for odd functions with a pole at 0.
    lut.record.mirror_sum =
        static_cast<int32_t>(QuantizeTableEntry((f(s_in) + f(-s_in)) / s_out, -65536, 65535));
  }
  // Tails that a line represents within 1/4 LSB go to the lines; the tables take the rest.
  // Coarse steps, then single steps, so a kink (e.g. where the output saturates) ends a
  // line instead of falling inside a table interval. The tables keep >= kMinTableWidth inputs.
  constexpr int32_t kMinTableWidth = 64;
  const int32_t step = std::max<int32_t>(1, n / 1024);
  int32_t left_end = fit.x0;
  while (left_end + step < 32767 - kMinTableWidth && fit.Linear(fit.x0, left_end + step)) {
    left_end += step;
  }
  while (left_end + 1 < 32767 - kMinTableWidth && fit.Linear(fit.x0, left_end + 1)) ++left_end;
  int32_t right_start = 32767;
  while (right_start - step > left_end + kMinTableWidth && fit.Linear(right_start - step, 32767)) {
    right_start -= step;
  }
  while (right_start - 1 > left_end + kMinTableWidth && fit.Linear(right_start - 1, 32767)) {
    --right_start;
  }
  const int32_t a = left_end + 1;
  const int32_t b = right_start - 1;

  std::array<int32_t, kSegmentTables + 1> upper;  // upper[0] = a - 1 .. upper[6] = b
  upper[0] = a - 1;
  const int64_t width = static_cast<int64_t>(b) - a + 1;
  for (int k = 1; k <= kSegmentTables; ++k) {
    upper[k] = static_cast<int32_t>(a - 1 + k * width / kSegmentTables);
  }
  if (strategy == DividePoints::kCurvature && b > a) {
    constexpr int kSamples = 257;
    std::vector<double> t(kSamples), gs(kSamples), cum(kSamples, 0.0);
    for (int i = 0; i < kSamples; ++i) {
      t[i] = a + i * static_cast<double>(b - a) / (kSamples - 1);
      gs[i] = fit.GReal(t[i]);
    }
    for (int i = 1; i < kSamples - 1; ++i) {
      cum[i] = cum[i - 1] + std::fabs(gs[i + 1] - 2.0 * gs[i] + gs[i - 1]);
    }
    cum[kSamples - 1] = cum[kSamples - 2];
    const double total = cum[kSamples - 1];
    if (total > 0 && std::isfinite(total)) {
      int i = 0;
      for (int k = 1; k < kSegmentTables; ++k) {
        const double target = total * k / kSegmentTables;
        while (i < kSamples - 1 && cum[i] < target) ++i;
        upper[k] = std::clamp(static_cast<int32_t>(std::floor(t[i])), upper[k - 1], b);
      }
    }
  }
  lut.record.segments[0] = fit.Line(left_end, fit.x0, static_cast<int16_t>(left_end));
  for (int k = 1; k <= kSegmentTables; ++k) {
    lut.record.segments[k] =
        fit.Table(upper[k - 1] + 1, upper[k], lut.tables.data() + (k - 1) * kSegmentTableEntries);
  }
  lut.record.segments[7] = fit.Line(right_start, 32767, 32767);
  return lut;
}

int64_t MaxErrorLsb(const SegmentLut& lut, const std::function<double(double)>& f, double s_in,
                    double s_out) {
  int64_t worst = 0;
  for (int32_t x = -32768; x <= 32767; ++x) {
    const int16_t xi = static_cast<int16_t>(x);
    const int64_t e = std::abs(static_cast<int64_t>(Evaluate(lut.record, lut.tables.data(), xi)) -
                               SegmentLutTarget(f, s_in, s_out, xi));
    worst = std::max(worst, e);
  }
  return worst;
}

std::vector<int32_t> PackRecord(const SegmentLutRecord& record) {
  std::vector<int32_t> words;
  words.reserve(kSegmentLutRecordWords);
  for (const SegmentLutSegment& s : record.segments) {
    words.insert(words.end(), {s.upper, s.slope, s.bias, s.bias_shift, s.shift});
  }
  words.push_back(static_cast<int32_t>(record.mirror));
  words.push_back(record.mirror_sum);
  return words;
}

absl::StatusOr<SegmentLutRecord> UnpackRecord(absl::Span<const int32_t> words) {
  if (words.size() != kSegmentLutRecordWords) {
    return absl::InvalidArgumentError(absl::StrCat("SegmentLUT record has ", words.size(),
                                                   " words, expected ", kSegmentLutRecordWords));
  }
  auto in = [](int32_t v, int32_t lo, int32_t hi) { return v >= lo && v <= hi; };
  SegmentLutRecord record;
  for (int k = 0; k < kSegmentCount; ++k) {
    const int32_t* w = words.data() + 5 * k;
    if (!in(w[0], -32768, 32767) || !in(w[1], -32768, 32767) || !in(w[2], -32768, 32767) ||
        !in(w[3], 0, 15) || !in(w[4], 0, 31)) {
      return absl::InvalidArgumentError(
          absl::StrCat("SegmentLUT segment ", k, " has a field out of its bit width"));
    }
    if (k > 0 && w[0] < words[5 * (k - 1)]) {
      return absl::InvalidArgumentError(
          absl::StrCat("SegmentLUT segment ", k, " upper boundary decreases"));
    }
    record.segments[k] = {static_cast<int16_t>(w[0]), static_cast<int16_t>(w[1]),
                          static_cast<int16_t>(w[2]), static_cast<uint8_t>(w[3]),
                          static_cast<uint8_t>(w[4])};
  }
  if (record.segments[kSegmentCount - 1].upper != 32767) {
    return absl::InvalidArgumentError("SegmentLUT segment 7 must end at 32767");
  }
  const int32_t mirror = words[kSegmentCount * 5];
  const int32_t sum = words[kSegmentCount * 5 + 1];
  if (!in(mirror, 0, 2) || !in(sum, -65536, 65535)) {
    return absl::InvalidArgumentError("SegmentLUT mirror mode or mirror_sum out of range");
  }
  record.mirror = static_cast<SegmentLutMirror>(mirror);
  record.mirror_sum = sum;
  return record;
}

}  // namespace openbpu::numerics
