// Byte layouts of the parameter records instructions read from SRAM (isa/ISA.md §4): requantize
// params, elementwise params, compare params, pooling/reduce records, resize tables and the
// SegmentLUT image. One packer and one checked unpacker each, shared by compiler and simulator.
#ifndef OPENBPU_ISA_RECORDS_H_
#define OPENBPU_ISA_RECORDS_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "isa/instruction.h"
#include "isa/numerics/compare.h"
#include "isa/numerics/elementwise.h"
#include "isa/numerics/layer_norm.h"
#include "isa/numerics/lut.h"
#include "isa/numerics/requantize.h"
#include "isa/numerics/resize.h"
#include "isa/numerics/segment_lut.h"
#include "isa/numerics/softmax.h"

namespace openbpu::isa {

// The checked form of a requantize record: multiplier 0 or in [2^30, 2^31), shift in
// [kMinShift, kMaxShift].
absl::Status CheckRecord(const numerics::RequantizeRecord& r);

// RequantParam: one per output channel of vae.requant / vae.requant_sumin (32 bytes).
//   t   = clamp(x + bias, -2^60, 2^60)
//   out = numerics::RequantizeWithSumin(t, acc, sumin_value, sumin, max(lo_dtype, lo),
//                                       min(hi_dtype, hi))      (sumin_value = 0 without sumin)
struct RequantParam {
  int32_t bias = 0;
  numerics::RequantizeRecord acc;
  numerics::RequantizeRecord sumin;  // zero record when unused
  int32_t lo = INT32_MIN;            // per-channel activation clamp (ReLU: 0)
  int32_t hi = INT32_MAX;            // (ReLU6: round(6 / s_out[c]))
  bool operator==(const RequantParam&) const = default;
};
void PackRequantParam(const RequantParam& p, uint8_t* out);
// Checks both records, SumRecordsCompatible, lo <= hi and reserved bytes 0.
absl::StatusOr<RequantParam> UnpackRequantParam(const uint8_t* in);

// EltwiseParam of vae.add / vae.sub / vae.add_b2 / vae.mul (16 bytes), one layout for the three
// numerics parameter structs.
inline constexpr int kEltwiseParamBytes = 16;
void PackBayesAdd(const numerics::BayesAddParams& p, uint8_t* out);
void PackBernoulli2Add(const numerics::Bernoulli2AddParams& p, uint8_t* out);
void PackMul(const numerics::MulParams& p, uint8_t* out);
absl::StatusOr<numerics::BayesAddParams> UnpackBayesAdd(const uint8_t* in);
absl::StatusOr<numerics::Bernoulli2AddParams> UnpackBernoulli2Add(const uint8_t* in);
absl::StatusOr<numerics::MulParams> UnpackMul(const uint8_t* in);

// CmpParam of vae.cmp (32 bytes).
enum class CmpPredicate : uint8_t { kEq = 0, kNe = 1, kLt = 2, kLe = 3, kGt = 4, kGe = 5 };
struct CmpParam {
  numerics::ExactScale x_scale;
  numerics::ExactScale y_scale;
  CmpPredicate predicate = CmpPredicate::kEq;
  bool operator==(const CmpParam& o) const {
    return x_scale.mantissa == o.x_scale.mantissa && x_scale.exponent == o.x_scale.exponent &&
           y_scale.mantissa == o.y_scale.mantissa && y_scale.exponent == o.y_scale.exponent &&
           predicate == o.predicate;
  }
};
inline constexpr int kCmpParamBytes = 32;
void PackCmpParam(const CmpParam& p, uint8_t* out);
absl::StatusOr<CmpParam> UnpackCmpParam(const uint8_t* in);
// 1 or 0 for sign = CompareScaled(...) in {-1, 0, 1}.
bool CmpHolds(CmpPredicate predicate, int sign);

// A bare record (8 bytes: int32 multiplier, int8 shift, 3 reserved): aae.avgpool's divisor table
// entries, aae.reduce's sum record.
inline constexpr int kRecordBytes = 8;
void PackRecord(const numerics::RequantizeRecord& r, uint8_t* out);
absl::StatusOr<numerics::RequantizeRecord> UnpackRecord(const uint8_t* in);

// aae.resize_linear table: a 16-byte header (int32 multiplier, int8 shift, 11 reserved
// bytes) then
// out_h then out_w 8-byte taps {int16 i0, int16 i1, int32 w1}.
inline constexpr int kResizeHeaderBytes = 16;
inline constexpr int kLinearTapBytes = 8;
std::vector<uint8_t> PackResizeLinearTable(const numerics::RequantizeRecord& record,
                                           absl::Span<const numerics::LinearTap> rows,
                                           absl::Span<const numerics::LinearTap> cols);
struct ResizeLinearTable {
  numerics::RequantizeRecord record;
  std::vector<numerics::LinearTap> rows, cols;
};
// Checks every tap: 0 <= i0, i1 < in size, 0 <= w1 <= 2^16.
absl::StatusOr<ResizeLinearTable> UnpackResizeLinearTable(absl::Span<const uint8_t> bytes,
                                                          int out_h, int out_w, int in_h, int in_w);
// aae.resize_nearest table: out_h then out_w int32 indices.
std::vector<uint8_t> PackResizeNearestTable(absl::Span<const int64_t> rows,
                                            absl::Span<const int64_t> cols);
absl::StatusOr<std::array<std::vector<int64_t>, 2>> UnpackResizeNearestTable(
    absl::Span<const uint8_t> bytes, int out_h, int out_w, int in_h, int in_w);

// vae.lut16 table image: numerics::PackRecord's 42 int32 words, then the 384 int16 entries.
inline constexpr int kSegmentLutImageBytes =
    numerics::kSegmentLutRecordWords * 4 + numerics::kSegmentTableTotal * 2;  // 936
std::vector<uint8_t> PackSegmentLutImage(const numerics::SegmentLut& lut);
absl::StatusOr<numerics::SegmentLut> UnpackSegmentLutImage(absl::Span<const uint8_t> bytes);

// SoftmaxParam image of vae.softmax (ISA 1.1, weight SRAM): a 16-byte header (int32
// output.multiplier, int8 output.shift: the record of 1 / s_out; uint8 kind at byte 5: 0 = int8
// input, 1 = int16 input; bytes 6-15 reserved), the kReciprocalTableSize int32 entries of
// numerics::MakeReciprocalTable at 16, then at kSoftmaxExpOffset the exp part: int8 input, the
// kSoftmaxExpTableSize int16 entries of exp_table (each in [0, 32767]); int16 input, the
// SegmentLUT image of exp_lut (PackSegmentLutImage). 1556 or 1980 bytes.
inline constexpr int kSoftmaxHeaderBytes = 16;
inline constexpr int kSoftmaxExpOffset = kSoftmaxHeaderBytes + numerics::kReciprocalTableSize * 4;
int SoftmaxParamBytes(bool int16_input);
// An empty image when a table has the wrong length (exp_table empty selects the int16 form).
std::vector<uint8_t> PackSoftmaxParam(const numerics::SoftmaxParams& p);
// Checks the size, the record, the kind against `int16_input`, the reserved bytes, the exp
// entries (int8: [0, 32767]; int16: numerics::UnpackRecord) and the reciprocal entries (each in
// [0, 2^23], the range of MakeReciprocalTable's values).
absl::StatusOr<numerics::SoftmaxParams> UnpackSoftmaxParam(absl::Span<const uint8_t> bytes,
                                                           bool int16_input);

// LayerNormParam image of vae.layernorm (ISA 1.1, weight SRAM) for rows of n elements: a 16-byte
// header (int32 eps_mantissa >= 0, int8 eps_exponent in [0, 64], 3 reserved bytes, uint32 n, 4
// reserved bytes), the kRsqrtTableSize int32 entries of numerics::MakeRsqrtTable at 16 (each in
// [0, 2^23]), reserved bytes up to kLayerNormElementOffset, then n 16-byte element entries:
// int32 gamma_multiplier, int8 gamma_shift, int8 gamma_sign (+1 / -1), 2 reserved bytes, int64
// beta (|beta| <= 2^62).
inline constexpr int kLayerNormHeaderBytes = 16;
inline constexpr int kLayerNormElementOffset = 800;  // align16(16 + 193 * 4)
inline constexpr int kLayerNormElementBytes = 16;
int64_t LayerNormParamBytes(int64_t n);
// An empty image when the per-element vectors or the table have the wrong lengths.
std::vector<uint8_t> PackLayerNormParam(const numerics::LayerNormParams& p);
// Checks the size, that the image normalizes `n` elements (1 <= n <= kMaxLayerNormSize), the
// ranges above (the records as CheckRecord) and the reserved bytes.
absl::StatusOr<numerics::LayerNormParams> UnpackLayerNormParam(absl::Span<const uint8_t> bytes,
                                                               int64_t n);

// vae.recip / vae.sqrt / vae.log table image (LUT SRAM): a 16-byte header (int32 multiplier,
// int8 shift, 3 reserved bytes, int64 log_offset: 0 except for vae.log) then the normalized
// table's int32 entries (numerics::MakeReciprocalTable, MakeRsqrtTable or MakeLog2Table; any
// int32 values are safe, the compiler writes those).
enum class NormFunction : uint8_t { kReciprocal = 0, kSqrt = 1, kLog = 2 };
inline constexpr int kNormTableHeaderBytes = 16;
int NormTableEntries(NormFunction fn);     // 257, 193, 257
int NormTableImageBytes(NormFunction fn);  // 1044, 788, 1044
struct NormTable {
  numerics::RequantizeRecord record;
  int64_t log_offset = 0;
  std::vector<int32_t> entries;
};
// `entries` must have NormTableEntries(fn) values (otherwise an empty image is returned).
std::vector<uint8_t> PackNormTableImage(NormFunction fn, const numerics::RequantizeRecord& record,
                                        int64_t log_offset, absl::Span<const int32_t> entries);
// Checks the record, the reserved bytes, log_offset = 0 unless kLog and |log_offset| < 2^62.
absl::StatusOr<NormTable> UnpackNormTableImage(NormFunction fn, absl::Span<const uint8_t> bytes);

// DivParam image of vae.div (ISA 1.1, weight SRAM): a 16-byte header (int32 out.multiplier, int8
// out.shift, 11 reserved bytes: the record of s_x / (s_y s_out)) then the kReciprocalTableSize
// int32 entries of numerics::MakeReciprocalTable (any int32 values are safe) = 1044 bytes.
inline constexpr int kDivParamHeaderBytes = 16;
inline constexpr int kDivParamBytes = kDivParamHeaderBytes + numerics::kReciprocalTableSize * 4;
// `p.reciprocal_table` must have kReciprocalTableSize entries (otherwise an empty image).
std::vector<uint8_t> PackDivParam(const numerics::DivParams& p);
// Checks the size, the record and the reserved bytes.
absl::StatusOr<numerics::DivParams> UnpackDivParam(absl::Span<const uint8_t> bytes);

}  // namespace openbpu::isa

#endif  // OPENBPU_ISA_RECORDS_H_
