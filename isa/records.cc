// Packing and checked unpacking of the SRAM parameter records (little-endian, reserved bytes 0).
#include "isa/records.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace openbpu::isa {
namespace {

template <typename T>
T Get(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // hosts are little-endian (x86-64, aarch64)
  return v;
}
template <typename T>
void Put(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

absl::Status CheckZero(const uint8_t* p, int from, int to, absl::string_view what) {
  for (int i = from; i < to; ++i) {
    if (p[i] != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": reserved byte ", i, " is ", static_cast<int>(p[i]), ", not 0"));
    }
  }
  return absl::OkStatus();
}

void PutRecord(uint8_t* p, const numerics::RequantizeRecord& r) {
  Put<int32_t>(p, r.multiplier);
  Put<int8_t>(p + 4, r.shift);
}

absl::StatusOr<numerics::RequantizeRecord> GetRecord(const uint8_t* p, absl::string_view what) {
  numerics::RequantizeRecord r{Get<int32_t>(p), Get<int8_t>(p + 4)};
  if (absl::Status s = CheckRecord(r); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", s.message()));
  }
  return r;
}

}  // namespace

absl::Status CheckRecord(const numerics::RequantizeRecord& r) {
  if (r.multiplier != 0 && r.multiplier < (int32_t{1} << 30)) {
    return absl::InvalidArgumentError(
        absl::StrCat("requantize multiplier ", r.multiplier, " is neither 0 nor in [2^30, 2^31)"));
  }
  if (r.shift < numerics::kMinShift || r.shift > numerics::kMaxShift) {
    return absl::InvalidArgumentError(absl::StrCat("requantize shift ", static_cast<int>(r.shift),
                                                   " outside [", numerics::kMinShift, ", ",
                                                   numerics::kMaxShift, "]"));
  }
  return absl::OkStatus();
}

// ---- RequantParam: 0 bias, 4 acc.multiplier, 8 acc.shift, 9 sumin.shift, 10-11 reserved,
// 12 sumin.multiplier, 16 lo, 20 hi, 24-31 reserved.
void PackRequantParam(const RequantParam& p, uint8_t* out) {
  std::memset(out, 0, kRequantParamBytes);
  Put<int32_t>(out, p.bias);
  Put<int32_t>(out + 4, p.acc.multiplier);
  Put<int8_t>(out + 8, p.acc.shift);
  Put<int8_t>(out + 9, p.sumin.shift);
  Put<int32_t>(out + 12, p.sumin.multiplier);
  Put<int32_t>(out + 16, p.lo);
  Put<int32_t>(out + 20, p.hi);
}

absl::StatusOr<RequantParam> UnpackRequantParam(const uint8_t* in) {
  RequantParam p;
  p.bias = Get<int32_t>(in);
  p.acc = {Get<int32_t>(in + 4), Get<int8_t>(in + 8)};
  p.sumin = {Get<int32_t>(in + 12), Get<int8_t>(in + 9)};
  p.lo = Get<int32_t>(in + 16);
  p.hi = Get<int32_t>(in + 20);
  if (absl::Status s = CheckRecord(p.acc); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("RequantParam acc record: ", s.message()));
  }
  if (absl::Status s = CheckRecord(p.sumin); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("RequantParam sumin record: ", s.message()));
  }
  if (!numerics::SumRecordsCompatible(p.acc, p.sumin)) {
    return absl::InvalidArgumentError(
        "RequantParam: acc and sumin shifts differ by more than 32 (SumRecordsCompatible)");
  }
  if (p.lo > p.hi) {
    return absl::InvalidArgumentError(absl::StrCat("RequantParam: lo ", p.lo, " > hi ", p.hi));
  }
  if (absl::Status s = CheckZero(in, 10, 12, "RequantParam"); !s.ok()) return s;
  if (absl::Status s = CheckZero(in, 24, 32, "RequantParam"); !s.ok()) return s;
  return p;
}

// ---- EltwiseParam: 0 out.multiplier, 4 out.shift, 5 flags (bit 0 x_input / feature_input,
// bit 1 x_sign = -1), 6 qscale / qm, 8 shift / lshift, 9 w, 10-15 reserved.
void PackBayesAdd(const numerics::BayesAddParams& p, uint8_t* out) {
  std::memset(out, 0, kEltwiseParamBytes);
  PutRecord(out, p.out);
  out[5] = static_cast<uint8_t>((p.x_input & 1) | (p.x_sign < 0 ? 2 : 0));
  Put<int16_t>(out + 6, p.qscale);
  Put<int8_t>(out + 8, p.shift);
}

void PackBernoulli2Add(const numerics::Bernoulli2AddParams& p, uint8_t* out) {
  std::memset(out, 0, kEltwiseParamBytes);
  PutRecord(out, p.out);
  out[5] = static_cast<uint8_t>(p.feature_input & 1);
  Put<int16_t>(out + 6, p.qm);
  Put<int8_t>(out + 8, p.lshift);
  Put<int8_t>(out + 9, p.w);
}

void PackMul(const numerics::MulParams& p, uint8_t* out) {
  std::memset(out, 0, kEltwiseParamBytes);
  PutRecord(out, p.out);
}

absl::StatusOr<numerics::BayesAddParams> UnpackBayesAdd(const uint8_t* in) {
  numerics::BayesAddParams p;
  absl::StatusOr<numerics::RequantizeRecord> r = GetRecord(in, "EltwiseParam");
  if (!r.ok()) return r.status();
  p.out = *r;
  if (in[5] & ~3u) return absl::InvalidArgumentError("EltwiseParam: flags bits 2-7 not 0");
  p.x_input = in[5] & 1;
  p.x_sign = (in[5] & 2) ? -1 : 1;
  p.qscale = Get<int16_t>(in + 6);
  p.shift = Get<int8_t>(in + 8);
  if (p.qscale < -32767) return absl::InvalidArgumentError("EltwiseParam: qscale -32768");
  if (p.shift < 0 || p.shift > 23) {
    return absl::InvalidArgumentError(
        absl::StrCat("EltwiseParam: bayes shift ", static_cast<int>(p.shift), " outside [0, 23]"));
  }
  if (absl::Status s = CheckZero(in, 9, 16, "EltwiseParam (bayes add)"); !s.ok()) return s;
  return p;
}

absl::StatusOr<numerics::Bernoulli2AddParams> UnpackBernoulli2Add(const uint8_t* in) {
  numerics::Bernoulli2AddParams p;
  absl::StatusOr<numerics::RequantizeRecord> r = GetRecord(in, "EltwiseParam");
  if (!r.ok()) return r.status();
  p.out = *r;
  if (in[5] & ~1u) return absl::InvalidArgumentError("EltwiseParam: flags bits 1-7 not 0");
  p.feature_input = in[5] & 1;
  p.qm = Get<int16_t>(in + 6);
  p.lshift = Get<int8_t>(in + 8);
  p.w = Get<int8_t>(in + 9);
  if (p.qm < -32767) return absl::InvalidArgumentError("EltwiseParam: qm -32768");
  if (p.lshift < 0 || p.lshift > 11) {
    return absl::InvalidArgumentError(absl::StrCat("EltwiseParam: bernoulli2 lshift ",
                                                   static_cast<int>(p.lshift), " outside [0, 11]"));
  }
  if (absl::Status s = CheckZero(in, 10, 16, "EltwiseParam (bernoulli2 add)"); !s.ok()) return s;
  return p;
}

absl::StatusOr<numerics::MulParams> UnpackMul(const uint8_t* in) {
  absl::StatusOr<numerics::RequantizeRecord> r = GetRecord(in, "EltwiseParam");
  if (!r.ok()) return r.status();
  if (absl::Status s = CheckZero(in, 5, 16, "EltwiseParam (mul)"); !s.ok()) return s;
  return numerics::MulParams{*r};
}

// ---- CmpParam: 0 x mantissa, 4 x exponent, 8 y mantissa, 12 y exponent, 16 predicate,
// 17-31 reserved.
void PackCmpParam(const CmpParam& p, uint8_t* out) {
  std::memset(out, 0, kCmpParamBytes);
  Put<int32_t>(out, p.x_scale.mantissa);
  Put<int32_t>(out + 4, p.x_scale.exponent);
  Put<int32_t>(out + 8, p.y_scale.mantissa);
  Put<int32_t>(out + 12, p.y_scale.exponent);
  out[16] = static_cast<uint8_t>(p.predicate);
}

absl::StatusOr<CmpParam> UnpackCmpParam(const uint8_t* in) {
  CmpParam p;
  p.x_scale = {Get<int32_t>(in), Get<int32_t>(in + 4)};
  p.y_scale = {Get<int32_t>(in + 8), Get<int32_t>(in + 12)};
  for (const numerics::ExactScale& s : {p.x_scale, p.y_scale}) {
    if (s.mantissa <= 0 || s.mantissa >= (1 << 24) || s.exponent < -200 || s.exponent > 200) {
      return absl::InvalidArgumentError(absl::StrCat("CmpParam: scale {", s.mantissa, ", ",
                                                     s.exponent, "} is not a float32 scale"));
    }
  }
  if (in[16] > 5) {
    return absl::InvalidArgumentError(
        absl::StrCat("CmpParam: predicate ", static_cast<int>(in[16]), " > 5"));
  }
  p.predicate = static_cast<CmpPredicate>(in[16]);
  if (absl::Status s = CheckZero(in, 17, 32, "CmpParam"); !s.ok()) return s;
  return p;
}

bool CmpHolds(CmpPredicate predicate, int sign) {
  switch (predicate) {
    case CmpPredicate::kEq:
      return sign == 0;
    case CmpPredicate::kNe:
      return sign != 0;
    case CmpPredicate::kLt:
      return sign < 0;
    case CmpPredicate::kLe:
      return sign <= 0;
    case CmpPredicate::kGt:
      return sign > 0;
    case CmpPredicate::kGe:
      return sign >= 0;
  }
  return false;
}

void PackRecord(const numerics::RequantizeRecord& r, uint8_t* out) {
  std::memset(out, 0, kRecordBytes);
  PutRecord(out, r);
}

absl::StatusOr<numerics::RequantizeRecord> UnpackRecord(const uint8_t* in) {
  absl::StatusOr<numerics::RequantizeRecord> r = GetRecord(in, "Record");
  if (!r.ok()) return r.status();
  if (absl::Status s = CheckZero(in, 5, 8, "Record"); !s.ok()) return s;
  return r;
}

// ---- resize tables
std::vector<uint8_t> PackResizeLinearTable(const numerics::RequantizeRecord& record,
                                           absl::Span<const numerics::LinearTap> rows,
                                           absl::Span<const numerics::LinearTap> cols) {
  std::vector<uint8_t> out(kResizeHeaderBytes + (rows.size() + cols.size()) * kLinearTapBytes, 0);
  PutRecord(out.data(), record);
  uint8_t* p = out.data() + kResizeHeaderBytes;
  for (absl::Span<const numerics::LinearTap> taps : {rows, cols}) {
    for (const numerics::LinearTap& t : taps) {
      Put<int16_t>(p, static_cast<int16_t>(t.i0));
      Put<int16_t>(p + 2, static_cast<int16_t>(t.i1));
      Put<int32_t>(p + 4, t.w1);
      p += kLinearTapBytes;
    }
  }
  return out;
}

absl::StatusOr<ResizeLinearTable> UnpackResizeLinearTable(absl::Span<const uint8_t> bytes,
                                                          int out_h, int out_w, int in_h,
                                                          int in_w) {
  const size_t need = kResizeHeaderBytes + (size_t{1} * out_h + out_w) * kLinearTapBytes;
  if (bytes.size() < need) {
    return absl::InvalidArgumentError(
        absl::StrCat("resize table: ", bytes.size(), " bytes, needs ", need));
  }
  ResizeLinearTable t;
  absl::StatusOr<numerics::RequantizeRecord> r = GetRecord(bytes.data(), "resize table header");
  if (!r.ok()) return r.status();
  t.record = *r;
  if (absl::Status s = CheckZero(bytes.data(), 5, kResizeHeaderBytes, "resize table header");
      !s.ok()) {
    return s;
  }
  const uint8_t* p = bytes.data() + kResizeHeaderBytes;
  for (int axis = 0; axis < 2; ++axis) {
    const int n = axis == 0 ? out_h : out_w;
    const int in = axis == 0 ? in_h : in_w;
    std::vector<numerics::LinearTap>& taps = axis == 0 ? t.rows : t.cols;
    for (int i = 0; i < n; ++i, p += kLinearTapBytes) {
      numerics::LinearTap tap{Get<int16_t>(p), Get<int16_t>(p + 2), Get<int32_t>(p + 4)};
      if (tap.i0 < 0 || tap.i0 >= in || tap.i1 < 0 || tap.i1 >= in || tap.w1 < 0 ||
          tap.w1 > (1 << numerics::kResizeWeightBits)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "resize table: ", axis == 0 ? "row" : "column", " tap ", i, " {", tap.i0, ", ", tap.i1,
            ", ", tap.w1, "} outside input size ", in, " or weight [0, 2^16]"));
      }
      taps.push_back(tap);
    }
  }
  return t;
}

std::vector<uint8_t> PackResizeNearestTable(absl::Span<const int64_t> rows,
                                            absl::Span<const int64_t> cols) {
  std::vector<uint8_t> out((rows.size() + cols.size()) * 4);
  uint8_t* p = out.data();
  for (absl::Span<const int64_t> v : {rows, cols}) {
    for (int64_t i : v) {
      Put<int32_t>(p, static_cast<int32_t>(i));
      p += 4;
    }
  }
  return out;
}

absl::StatusOr<std::array<std::vector<int64_t>, 2>> UnpackResizeNearestTable(
    absl::Span<const uint8_t> bytes, int out_h, int out_w, int in_h, int in_w) {
  const size_t need = (size_t{1} * out_h + out_w) * 4;
  if (bytes.size() < need) {
    return absl::InvalidArgumentError(
        absl::StrCat("nearest table: ", bytes.size(), " bytes, needs ", need));
  }
  std::array<std::vector<int64_t>, 2> t;
  const uint8_t* p = bytes.data();
  for (int axis = 0; axis < 2; ++axis) {
    const int n = axis == 0 ? out_h : out_w;
    const int in = axis == 0 ? in_h : in_w;
    for (int i = 0; i < n; ++i, p += 4) {
      const int32_t v = Get<int32_t>(p);
      if (v < 0 || v >= in) {
        return absl::InvalidArgumentError(
            absl::StrCat("nearest table: ", axis == 0 ? "row" : "column", " ", i, " index ", v,
                         " outside [0, ", in, ")"));
      }
      t[axis].push_back(v);
    }
  }
  return t;
}

// ---- SegmentLUT image
std::vector<uint8_t> PackSegmentLutImage(const numerics::SegmentLut& lut) {
  std::vector<uint8_t> out(kSegmentLutImageBytes, 0);
  const std::vector<int32_t> words = numerics::PackRecord(lut.record);
  uint8_t* p = out.data();
  for (int32_t w : words) {
    Put<int32_t>(p, w);
    p += 4;
  }
  for (int16_t e : lut.tables) {
    Put<int16_t>(p, e);
    p += 2;
  }
  return out;
}

absl::StatusOr<numerics::SegmentLut> UnpackSegmentLutImage(absl::Span<const uint8_t> bytes) {
  if (bytes.size() < static_cast<size_t>(kSegmentLutImageBytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("SegmentLUT image: ", bytes.size(), " bytes, needs ", kSegmentLutImageBytes));
  }
  std::vector<int32_t> words(numerics::kSegmentLutRecordWords);
  const uint8_t* p = bytes.data();
  for (int32_t& w : words) {
    w = Get<int32_t>(p);
    p += 4;
  }
  absl::StatusOr<numerics::SegmentLutRecord> record = numerics::UnpackRecord(words);
  if (!record.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("SegmentLUT image: ", record.status().message()));
  }
  numerics::SegmentLut lut;
  lut.record = *record;
  for (int16_t& e : lut.tables) {
    e = Get<int16_t>(p);
    p += 2;
  }
  return lut;
}

// ---- SoftmaxParam image of vae.softmax: 0 output.multiplier, 4 output.shift, 5 kind, 6-15
// reserved, 16 the reciprocal table, kSoftmaxExpOffset the exp table or SegmentLUT image.
namespace {
constexpr int32_t kMaxNormTableEntry = 1 << 23;

absl::Status CheckTableRange(absl::Span<const int32_t> t, absl::string_view what) {
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] < 0 || t[i] > kMaxNormTableEntry) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " entry ", i, " = ", t[i], " outside [0, 2^23]"));
    }
  }
  return absl::OkStatus();
}
}  // namespace

int SoftmaxParamBytes(bool int16_input) {
  return kSoftmaxExpOffset +
         (int16_input ? kSegmentLutImageBytes : numerics::kSoftmaxExpTableSize * 2);
}

std::vector<uint8_t> PackSoftmaxParam(const numerics::SoftmaxParams& p) {
  const bool int16 = p.exp_table.empty();
  if (p.reciprocal_table.size() != static_cast<size_t>(numerics::kReciprocalTableSize) ||
      (!int16 && p.exp_table.size() != static_cast<size_t>(numerics::kSoftmaxExpTableSize))) {
    return {};
  }
  std::vector<uint8_t> out(SoftmaxParamBytes(int16), 0);
  PutRecord(out.data(), p.output);
  out[5] = int16 ? 1 : 0;
  for (size_t i = 0; i < p.reciprocal_table.size(); ++i) {
    Put<int32_t>(out.data() + kSoftmaxHeaderBytes + 4 * i, p.reciprocal_table[i]);
  }
  if (int16) {
    const std::vector<uint8_t> lut = PackSegmentLutImage(p.exp_lut);
    std::memcpy(out.data() + kSoftmaxExpOffset, lut.data(), lut.size());
  } else {
    for (size_t i = 0; i < p.exp_table.size(); ++i) {
      Put<int16_t>(out.data() + kSoftmaxExpOffset + 2 * i, static_cast<int16_t>(p.exp_table[i]));
    }
  }
  return out;
}

absl::StatusOr<numerics::SoftmaxParams> UnpackSoftmaxParam(absl::Span<const uint8_t> bytes,
                                                           bool int16_input) {
  const size_t need = SoftmaxParamBytes(int16_input);
  if (bytes.size() < need) {
    return absl::InvalidArgumentError(
        absl::StrCat("SoftmaxParam: ", bytes.size(), " bytes, needs ", need));
  }
  const uint8_t* in = bytes.data();
  numerics::SoftmaxParams p;
  absl::StatusOr<numerics::RequantizeRecord> r = GetRecord(in, "SoftmaxParam output");
  if (!r.ok()) return r.status();
  p.output = *r;
  if (in[5] != (int16_input ? 1 : 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("SoftmaxParam: kind ", static_cast<int>(in[5]), " is not the ",
                     int16_input ? "int16 (1)" : "int8 (0)", " form of the input"));
  }
  if (absl::Status s = CheckZero(in, 6, kSoftmaxHeaderBytes, "SoftmaxParam"); !s.ok()) return s;
  p.reciprocal_table.resize(numerics::kReciprocalTableSize);
  for (size_t i = 0; i < p.reciprocal_table.size(); ++i) {
    p.reciprocal_table[i] = Get<int32_t>(in + kSoftmaxHeaderBytes + 4 * i);
  }
  if (absl::Status s = CheckTableRange(p.reciprocal_table, "SoftmaxParam reciprocal table");
      !s.ok()) {
    return s;
  }
  if (int16_input) {
    absl::StatusOr<numerics::SegmentLut> lut =
        UnpackSegmentLutImage(bytes.subspan(kSoftmaxExpOffset, kSegmentLutImageBytes));
    if (!lut.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("SoftmaxParam exp: ", lut.status().message()));
    }
    p.exp_lut = *std::move(lut);
  } else {
    p.exp_table.resize(numerics::kSoftmaxExpTableSize);
    for (size_t i = 0; i < p.exp_table.size(); ++i) {
      p.exp_table[i] = Get<int16_t>(in + kSoftmaxExpOffset + 2 * i);
      if (p.exp_table[i] < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("SoftmaxParam: exp table entry ", i, " = ", p.exp_table[i], " < 0"));
      }
    }
  }
  return p;
}

// ---- LayerNormParam image of vae.layernorm: 0 eps_mantissa, 4 eps_exponent, 5-7 reserved, 8 n,
// 12-15 reserved, 16 the rsqrt table, to 800 reserved, 800 + 16 i: element i (0 gamma
// multiplier, 4 gamma shift, 5 gamma sign, 6-7 reserved, 8 beta).
int64_t LayerNormParamBytes(int64_t n) {
  return kLayerNormElementOffset + n * kLayerNormElementBytes;
}

std::vector<uint8_t> PackLayerNormParam(const numerics::LayerNormParams& p) {
  const size_t n = p.gamma_multiplier.size();
  if (p.gamma_shift.size() != n || p.gamma_sign.size() != n || p.beta.size() != n ||
      p.rsqrt_table.size() != static_cast<size_t>(numerics::kRsqrtTableSize)) {
    return {};
  }
  std::vector<uint8_t> out(LayerNormParamBytes(static_cast<int64_t>(n)), 0);
  Put<int32_t>(out.data(), p.eps_mantissa);
  Put<int8_t>(out.data() + 4, static_cast<int8_t>(p.eps_exponent));
  Put<uint32_t>(out.data() + 8, static_cast<uint32_t>(n));
  for (size_t i = 0; i < p.rsqrt_table.size(); ++i) {
    Put<int32_t>(out.data() + kLayerNormHeaderBytes + 4 * i, p.rsqrt_table[i]);
  }
  for (size_t i = 0; i < n; ++i) {
    uint8_t* e = out.data() + kLayerNormElementOffset + kLayerNormElementBytes * i;
    Put<int32_t>(e, p.gamma_multiplier[i]);
    Put<int8_t>(e + 4, static_cast<int8_t>(p.gamma_shift[i]));
    Put<int8_t>(e + 5, static_cast<int8_t>(p.gamma_sign[i]));
    Put<int64_t>(e + 8, p.beta[i]);
  }
  return out;
}

absl::StatusOr<numerics::LayerNormParams> UnpackLayerNormParam(absl::Span<const uint8_t> bytes,
                                                               int64_t n) {
  if (n < 1 || n > numerics::kMaxLayerNormSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("LayerNormParam: rows of ", n, " elements, not 1 to 2^20"));
  }
  const uint64_t need = static_cast<uint64_t>(LayerNormParamBytes(n));
  if (bytes.size() < need) {
    return absl::InvalidArgumentError(
        absl::StrCat("LayerNormParam: ", bytes.size(), " bytes, needs ", need));
  }
  const uint8_t* in = bytes.data();
  numerics::LayerNormParams p;
  p.eps_mantissa = Get<int32_t>(in);
  p.eps_exponent = Get<int8_t>(in + 4);
  if (p.eps_mantissa < 0 || p.eps_exponent < 0 || p.eps_exponent > 64) {
    return absl::InvalidArgumentError(absl::StrCat("LayerNormParam: eps ", p.eps_mantissa, " * 2^",
                                                   p.eps_exponent,
                                                   " (mantissa >= 0, exponent in [0, 64])"));
  }
  const uint32_t image_n = Get<uint32_t>(in + 8);
  if (image_n != static_cast<uint64_t>(n)) {
    return absl::InvalidArgumentError(
        absl::StrCat("LayerNormParam: the image normalizes ", image_n, " elements, the rows ", n));
  }
  for (auto [from, to] : {std::pair{5, 8}, std::pair{12, kLayerNormHeaderBytes}}) {
    if (absl::Status s = CheckZero(in, from, to, "LayerNormParam"); !s.ok()) return s;
  }
  p.rsqrt_table.resize(numerics::kRsqrtTableSize);
  for (size_t i = 0; i < p.rsqrt_table.size(); ++i) {
    p.rsqrt_table[i] = Get<int32_t>(in + kLayerNormHeaderBytes + 4 * i);
  }
  if (absl::Status s = CheckTableRange(p.rsqrt_table, "LayerNormParam rsqrt table"); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckZero(in, kLayerNormHeaderBytes + numerics::kRsqrtTableSize * 4,
                                 kLayerNormElementOffset, "LayerNormParam");
      !s.ok()) {
    return s;
  }
  p.gamma_multiplier.resize(n);
  p.gamma_shift.resize(n);
  p.gamma_sign.resize(n);
  p.beta.resize(n);
  constexpr int64_t kBetaLimit = int64_t{1} << 62;
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* e = in + kLayerNormElementOffset + kLayerNormElementBytes * i;
    const numerics::RequantizeRecord g{Get<int32_t>(e), Get<int8_t>(e + 4)};
    if (absl::Status s = CheckRecord(g); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("LayerNormParam element ", i, " gamma: ", s.message()));
    }
    const int8_t sign = Get<int8_t>(e + 5);
    const int64_t beta = Get<int64_t>(e + 8);
    if (sign != 1 && sign != -1) {
      return absl::InvalidArgumentError(absl::StrCat("LayerNormParam element ", i, ": gamma sign ",
                                                     static_cast<int>(sign), " is not +1 or -1"));
    }
    if (beta < -kBetaLimit || beta > kBetaLimit) {
      return absl::InvalidArgumentError(
          absl::StrCat("LayerNormParam element ", i, ": |beta| ", beta, " above 2^62"));
    }
    if (e[6] != 0 || e[7] != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("LayerNormParam element ", i, ": reserved bytes 6-7 not 0"));
    }
    p.gamma_multiplier[i] = g.multiplier;
    p.gamma_shift[i] = g.shift;
    p.gamma_sign[i] = sign;
    p.beta[i] = beta;
  }
  return p;
}

// ---- normalized table images of vae.recip / vae.sqrt / vae.log
int NormTableEntries(NormFunction fn) {
  return fn == NormFunction::kSqrt         ? numerics::kRsqrtTableSize
         : fn == NormFunction::kReciprocal ? numerics::kReciprocalTableSize
                                           : numerics::kLog2TableSize;
}

int NormTableImageBytes(NormFunction fn) {
  return kNormTableHeaderBytes + NormTableEntries(fn) * 4;
}

std::vector<uint8_t> PackNormTableImage(NormFunction fn, const numerics::RequantizeRecord& record,
                                        int64_t log_offset, absl::Span<const int32_t> entries) {
  if (entries.size() != static_cast<size_t>(NormTableEntries(fn))) return {};
  std::vector<uint8_t> out(NormTableImageBytes(fn), 0);
  PutRecord(out.data(), record);
  Put<int64_t>(out.data() + 8, log_offset);
  for (size_t i = 0; i < entries.size(); ++i) {
    Put<int32_t>(out.data() + kNormTableHeaderBytes + 4 * i, entries[i]);
  }
  return out;
}

absl::StatusOr<NormTable> UnpackNormTableImage(NormFunction fn, absl::Span<const uint8_t> bytes) {
  if (bytes.size() < static_cast<size_t>(NormTableImageBytes(fn))) {
    return absl::InvalidArgumentError(absl::StrCat("normalized table image: ", bytes.size(),
                                                   " bytes, need ", NormTableImageBytes(fn)));
  }
  NormTable t;
  absl::StatusOr<numerics::RequantizeRecord> r = GetRecord(bytes.data(), "normalized table");
  if (!r.ok()) return r.status();
  t.record = *r;
  if (absl::Status s = CheckZero(bytes.data(), 5, 8, "normalized table"); !s.ok()) return s;
  t.log_offset = Get<int64_t>(bytes.data() + 8);
  if (fn != NormFunction::kLog && t.log_offset != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("normalized table: log_offset ", t.log_offset, " must be 0 outside vae.log"));
  }
  if (t.log_offset >= (int64_t{1} << 62) || t.log_offset <= -(int64_t{1} << 62)) {
    return absl::InvalidArgumentError(
        absl::StrCat("normalized table: |log_offset| ", t.log_offset, " is not below 2^62"));
  }
  // vae.log aligns log_offset to the record's shift: keep that product inside 2^100.
  const int align = std::max(0, static_cast<int>(t.record.shift) - numerics::kLogOffsetBits);
  int bits = 0;
  for (uint64_t m = static_cast<uint64_t>(t.log_offset < 0 ? -t.log_offset : t.log_offset); m;
       m >>= 1) {
    ++bits;
  }
  if (bits + align > 100) {
    return absl::InvalidArgumentError(absl::StrCat("normalized table: log_offset ", t.log_offset,
                                                   " aligned by 2^", align, " exceeds 2^100"));
  }
  t.entries.resize(NormTableEntries(fn));
  for (size_t i = 0; i < t.entries.size(); ++i) {
    t.entries[i] = Get<int32_t>(bytes.data() + kNormTableHeaderBytes + 4 * i);
  }
  return t;
}

// ---- DivParam image of vae.div: 0 out.multiplier, 4 out.shift, 5-15 reserved, 16 the
// reciprocal table's int32 entries.
std::vector<uint8_t> PackDivParam(const numerics::DivParams& p) {
  if (p.reciprocal_table.size() != static_cast<size_t>(numerics::kReciprocalTableSize)) return {};
  std::vector<uint8_t> out(kDivParamBytes, 0);
  PutRecord(out.data(), p.out);
  for (size_t i = 0; i < p.reciprocal_table.size(); ++i) {
    Put<int32_t>(out.data() + kDivParamHeaderBytes + 4 * i, p.reciprocal_table[i]);
  }
  return out;
}

absl::StatusOr<numerics::DivParams> UnpackDivParam(absl::Span<const uint8_t> bytes) {
  if (bytes.size() < static_cast<size_t>(kDivParamBytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("DivParam: ", bytes.size(), " bytes, needs ", kDivParamBytes));
  }
  numerics::DivParams p;
  absl::StatusOr<numerics::RequantizeRecord> r = GetRecord(bytes.data(), "DivParam");
  if (!r.ok()) return r.status();
  p.out = *r;
  if (absl::Status s = CheckZero(bytes.data(), 5, kDivParamHeaderBytes, "DivParam"); !s.ok()) {
    return s;
  }
  p.reciprocal_table.resize(numerics::kReciprocalTableSize);
  for (size_t i = 0; i < p.reciprocal_table.size(); ++i) {
    p.reciprocal_table[i] = Get<int32_t>(bytes.data() + kDivParamHeaderBytes + 4 * i);
  }
  return p;
}

}  // namespace openbpu::isa
