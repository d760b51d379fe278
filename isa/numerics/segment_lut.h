// The bayes int16 SegmentLUT (docs/NUMERICS.md, "SegmentLUT"): 8 segments -- a left line,
// six 64-entry interpolated int16 tables, a right line -- with optional mirroring. The record
// below is what the LUT instruction carries and what the simulator evaluates.
#ifndef OPENBPU_ISA_NUMERICS_SEGMENT_LUT_H_
#define OPENBPU_ISA_NUMERICS_SEGMENT_LUT_H_

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace openbpu::numerics {

inline constexpr int kSegmentCount = 8;
inline constexpr int kSegmentTables = 6;
inline constexpr int kSegmentTableEntries = 64;
inline constexpr int kSegmentTableTotal = kSegmentTables * kSegmentTableEntries;  // 384

// One segment. Field widths: upper int16, slope int16, bias int16, bias_shift 4 bits
// (0..15, so bias << bias_shift has up to 31 bits), shift 5 bits (0..31).
// With origin = upper of segment 0 for segment 0 and (previous upper + 1) otherwise:
//   v = ((x - origin) * slope + (bias << bias_shift)) >> shift     (int64, floor)
// lines (segments 0, 7): y = saturate16(v);
// tables (segments 1..6): v is the table index with 8 fractional bits, clamped to
// [0, 63 * 256]; i = v >> 8, r = v & 255, y = T[i] + (((T[i+1] - T[i]) * r + 128) >> 8)
// (T[64] = T[63]).
struct SegmentLutSegment {
  int16_t upper = 32767;  // inclusive upper input boundary; segment 7's is 32767
  int16_t slope = 0;
  int16_t bias = 0;
  uint8_t bias_shift = 0;
  uint8_t shift = 0;

  bool operator==(const SegmentLutSegment& o) const = default;
};

enum class SegmentLutMirror : uint8_t {
  kNone = 0,
  kOdd = 1,   // centro-symmetric: y(-x) = saturate16(mirror_sum - y(x)), x > 0
  kEven = 2,  // y(-x) = y(x)
};

// Record: 8 segments, a 2-bit mirror mode and a 17-bit signed mirror_sum (twice the
// center value, [-65536, 65535]; Fit uses floor((f(s_in) + f(-s_in)) / s_out + 0.5)). With
// mirroring, x < 0 is evaluated at min(-x, 32767).
struct SegmentLutRecord {
  std::array<SegmentLutSegment, kSegmentCount> segments;
  SegmentLutMirror mirror = SegmentLutMirror::kNone;
  int32_t mirror_sum = 0;

  bool operator==(const SegmentLutRecord& o) const = default;
};

struct SegmentLut {
  SegmentLutRecord record;
  std::array<int16_t, kSegmentTableTotal> tables{};  // table k-1 of segment k at (k-1) * 64
};

// y(x); `tables` holds kSegmentTableTotal entries. Plain integer code.
int16_t Evaluate(const SegmentLutRecord& record, const int16_t* tables, int16_t x);

enum class DividePoints { kEvenly, kCurvature };

// Fits the SegmentLUT of g(x) = f(x * s_in) / s_out over every int16 x (in double):
// flat or linear tails (within 1/4 LSB) become the two lines, the rest is split into six
// table segments evenly or by equal cumulative |g''| over 257 samples; entries are
// floor(g + 0.5) saturated to int16 at the real positions the integer index map hits.
absl::StatusOr<SegmentLut> Fit(const std::function<double(double)>& f, double s_in, double s_out,
                               DividePoints strategy, SegmentLutMirror mirror);

// The table definition saturate16(floor(f(x * s_in) / s_out + 0.5)) (NaN -> 0).
int16_t SegmentLutTarget(const std::function<double(double)>& f, double s_in, double s_out,
                         int16_t x);

// max over every int16 x of |Evaluate(x) - SegmentLutTarget(x)|, in output LSBs.
int64_t MaxErrorLsb(const SegmentLut& lut, const std::function<double(double)>& f, double s_in,
                    double s_out);

// The record as int32 words (per segment: upper, slope, bias, bias_shift, shift; then
// mirror, mirror_sum) and back, checking every field width and that uppers do not decrease
// and segment 7 ends at 32767.
inline constexpr int kSegmentLutRecordWords = kSegmentCount * 5 + 2;
std::vector<int32_t> PackRecord(const SegmentLutRecord& record);
absl::StatusOr<SegmentLutRecord> UnpackRecord(absl::Span<const int32_t> words);

}  // namespace openbpu::numerics

#endif  // OPENBPU_ISA_NUMERICS_SEGMENT_LUT_H_
