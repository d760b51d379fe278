// Tests of the SRAM parameter records: pack/unpack round trips with the numerics parameter
// makers, byte offsets as ISA.md lists them, and every check of the unpackers.
#include "isa/records.h"

#include <cstring>
#include <random>

#include "gtest/gtest.h"

namespace openbpu::isa {
namespace {

TEST(Records, RequantParamRoundTripAndOffsets) {
  RequantParam p;
  p.bias = -123456;
  p.acc = *numerics::MakeRequantizeRecord(0.0123);
  p.sumin = *numerics::MakeRequantizeRecord(0.5);
  p.lo = 0;
  p.hi = 47;
  uint8_t b[kRequantParamBytes];
  PackRequantParam(p, b);
  absl::StatusOr<RequantParam> q = UnpackRequantParam(b);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(*q, p);
  int32_t m;
  std::memcpy(&m, b + 12, 4);
  EXPECT_EQ(m, p.sumin.multiplier);
  EXPECT_EQ(static_cast<int8_t>(b[9]), p.sumin.shift);
  EXPECT_EQ(b[20], 47);

  uint8_t bad[kRequantParamBytes];
  std::memcpy(bad, b, sizeof(b));
  bad[4] = 1, bad[5] = 0, bad[6] = 0, bad[7] = 0;  // multiplier 1: not normalized
  EXPECT_FALSE(UnpackRequantParam(bad).ok());
  std::memcpy(bad, b, sizeof(b));
  bad[8] = 100;  // shift above 95
  EXPECT_FALSE(UnpackRequantParam(bad).ok());
  std::memcpy(bad, b, sizeof(b));
  bad[30] = 1;  // reserved
  EXPECT_FALSE(UnpackRequantParam(bad).ok());
  std::memcpy(bad, b, sizeof(b));
  bad[10] = 1;  // reserved
  EXPECT_FALSE(UnpackRequantParam(bad).ok());
  RequantParam inverted = p;
  inverted.lo = 5;
  inverted.hi = 4;
  PackRequantParam(inverted, bad);
  EXPECT_FALSE(UnpackRequantParam(bad).ok());
  RequantParam far = p;
  far.acc.shift = 90;
  far.sumin.shift = 10;  // 80 apart: SumRecordsCompatible fails
  PackRequantParam(far, bad);
  EXPECT_FALSE(UnpackRequantParam(bad).ok());
}

TEST(Records, EltwiseParamsRoundTripWithNumericsMakers) {
  uint8_t b[kEltwiseParamBytes];
  for (bool sub : {false, true}) {
    for (float sb : {0.01f, 0.3f, 2.0f}) {
      absl::StatusOr<numerics::BayesAddParams> p = numerics::MakeBayesAddParams(
          0.1f, numerics::AddOperandBits::kInt8, sb, numerics::AddOperandBits::kInt8, 0.2f, sub);
      ASSERT_TRUE(p.ok()) << p.status();
      PackBayesAdd(*p, b);
      absl::StatusOr<numerics::BayesAddParams> q = UnpackBayesAdd(b);
      ASSERT_TRUE(q.ok()) << q.status();
      EXPECT_EQ(*q, *p);
      absl::StatusOr<numerics::Bernoulli2AddParams> p2 =
          numerics::MakeBernoulli2AddParams(0.1f, sb, 0.2f, sub);
      ASSERT_TRUE(p2.ok()) << p2.status();
      PackBernoulli2Add(*p2, b);
      absl::StatusOr<numerics::Bernoulli2AddParams> q2 = UnpackBernoulli2Add(b);
      ASSERT_TRUE(q2.ok()) << q2.status();
      EXPECT_EQ(*q2, *p2);
    }
  }
  absl::StatusOr<numerics::MulParams> m = numerics::MakeMulParams(0.1f, 0.05f, 0.02f);
  ASSERT_TRUE(m.ok());
  PackMul(*m, b);
  absl::StatusOr<numerics::MulParams> mm = UnpackMul(b);
  ASSERT_TRUE(mm.ok());
  EXPECT_EQ(mm->out, m->out);
  b[9] = 1;
  EXPECT_FALSE(UnpackMul(b).ok());

  numerics::BayesAddParams bad_shift;
  bad_shift.out = m->out;
  bad_shift.shift = 24;
  PackBayesAdd(bad_shift, b);
  EXPECT_FALSE(UnpackBayesAdd(b).ok());
  numerics::Bernoulli2AddParams bad_l;
  bad_l.out = m->out;
  bad_l.lshift = 12;
  PackBernoulli2Add(bad_l, b);
  EXPECT_FALSE(UnpackBernoulli2Add(b).ok());
  PackBernoulli2Add(numerics::Bernoulli2AddParams{1, 3, 5, 2, m->out}, b);
  b[5] = 4;  // undefined flag bit
  EXPECT_FALSE(UnpackBernoulli2Add(b).ok());
}

TEST(Records, CmpParam) {
  CmpParam p{numerics::ExactScaleOf(0.1f), numerics::ExactScaleOf(3.5f), CmpPredicate::kGe};
  uint8_t b[kCmpParamBytes];
  PackCmpParam(p, b);
  absl::StatusOr<CmpParam> q = UnpackCmpParam(b);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(*q, p);
  b[16] = 6;
  EXPECT_FALSE(UnpackCmpParam(b).ok());
  PackCmpParam(CmpParam{}, b);  // zero scales are not float32 scales
  EXPECT_FALSE(UnpackCmpParam(b).ok());
  EXPECT_TRUE(CmpHolds(CmpPredicate::kLe, 0));
  EXPECT_FALSE(CmpHolds(CmpPredicate::kLt, 0));
  EXPECT_TRUE(CmpHolds(CmpPredicate::kNe, -1));
  EXPECT_TRUE(CmpHolds(CmpPredicate::kGt, 1));
}

TEST(Records, RecordAndResizeTables) {
  uint8_t b[kRecordBytes];
  const numerics::RequantizeRecord r = *numerics::MakeRequantizeRecord(1.0 / 9);
  PackRecord(r, b);
  EXPECT_EQ(*UnpackRecord(b), r);
  b[7] = 1;
  EXPECT_FALSE(UnpackRecord(b).ok());

  const auto rows = numerics::LinearTapTable(numerics::ResizeCoordinateMode::kHalfPixel, 4, 8, 2.0);
  const auto cols =
      numerics::LinearTapTable(numerics::ResizeCoordinateMode::kAlignCorners, 3, 5, 5.0 / 3);
  std::vector<uint8_t> t = PackResizeLinearTable(r, rows, cols);
  absl::StatusOr<ResizeLinearTable> u = UnpackResizeLinearTable(t, 8, 5, 4, 3);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->record, r);
  ASSERT_EQ(u->rows.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(u->rows[i].i0, rows[i].i0);
    EXPECT_EQ(u->rows[i].i1, rows[i].i1);
    EXPECT_EQ(u->rows[i].w1, rows[i].w1);
  }
  EXPECT_FALSE(UnpackResizeLinearTable(t, 8, 5, 3, 3).ok());  // index 3 outside 3 rows
  EXPECT_FALSE(
      UnpackResizeLinearTable(absl::MakeConstSpan(t.data(), t.size() - 1), 8, 5, 4, 3).ok());

  std::vector<uint8_t> n = PackResizeNearestTable({0, 0, 1, 1}, {0, 1, 2});
  absl::StatusOr<std::array<std::vector<int64_t>, 2>> nn = UnpackResizeNearestTable(n, 4, 3, 2, 3);
  ASSERT_TRUE(nn.ok());
  EXPECT_EQ((*nn)[0], (std::vector<int64_t>{0, 0, 1, 1}));
  EXPECT_EQ((*nn)[1], (std::vector<int64_t>{0, 1, 2}));
  EXPECT_FALSE(UnpackResizeNearestTable(n, 4, 3, 1, 3).ok());
  EXPECT_FALSE(UnpackResizeNearestTable(n, 5, 3, 2, 3).ok());
}

TEST(Records, NormTableImage) {
  for (NormFunction fn : {NormFunction::kReciprocal, NormFunction::kSqrt, NormFunction::kLog}) {
    const std::vector<int32_t> entries = fn == NormFunction::kSqrt ? numerics::MakeRsqrtTable()
                                         : fn == NormFunction::kLog
                                             ? numerics::MakeLog2Table()
                                             : numerics::MakeReciprocalTable();
    const int64_t offset = fn == NormFunction::kLog ? -(int64_t{1} << 40) : 0;
    const numerics::RequantizeRecord rec = *numerics::MakeRequantizeRecord(0.037);
    const std::vector<uint8_t> img = PackNormTableImage(fn, rec, offset, entries);
    ASSERT_EQ(img.size(), static_cast<size_t>(NormTableImageBytes(fn)));
    EXPECT_EQ(img.size(), fn == NormFunction::kSqrt ? 788u : 1044u);
    absl::StatusOr<NormTable> t = UnpackNormTableImage(fn, img);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->record.multiplier, rec.multiplier);
    EXPECT_EQ(t->record.shift, rec.shift);
    EXPECT_EQ(t->log_offset, offset);
    EXPECT_EQ(t->entries, entries);
    int32_t first;
    std::memcpy(&first, img.data() + kNormTableHeaderBytes, 4);
    EXPECT_EQ(first, entries[0]);
    // Too short, bad record, reserved byte.
    EXPECT_FALSE(UnpackNormTableImage(fn, absl::MakeConstSpan(img).first(img.size() - 1)).ok());
    std::vector<uint8_t> bad = img;
    bad[3] = 0;  // multiplier below 2^30
    EXPECT_FALSE(UnpackNormTableImage(fn, bad).ok());
    bad = img;
    bad[6] = 1;
    EXPECT_FALSE(UnpackNormTableImage(fn, bad).ok());
  }
  EXPECT_TRUE(PackNormTableImage(NormFunction::kSqrt, {}, 0, numerics::MakeLog2Table()).empty());
  // log_offset: only vae.log's, below 2^62, and inside 2^100 once aligned to the shift.
  const std::vector<int32_t> log2 = numerics::MakeLog2Table();
  EXPECT_FALSE(UnpackNormTableImage(NormFunction::kReciprocal,
                                    PackNormTableImage(NormFunction::kLog, {1 << 30, 20}, 1, log2))
                   .ok());
  EXPECT_FALSE(UnpackNormTableImage(
                   NormFunction::kLog,
                   PackNormTableImage(NormFunction::kLog, {1 << 30, 20}, int64_t{1} << 62, log2))
                   .ok());
  EXPECT_TRUE(
      UnpackNormTableImage(NormFunction::kLog, PackNormTableImage(NormFunction::kLog, {1 << 30, 95},
                                                                  (int64_t{1} << 28) - 1, log2))
          .ok());  // 28 bits + 71 = 99
  EXPECT_FALSE(UnpackNormTableImage(
                   NormFunction::kLog,
                   PackNormTableImage(NormFunction::kLog, {1 << 30, 95}, int64_t{1} << 29, log2))
                   .ok());  // 30 bits + 71 = 101
}

TEST(Records, DivParamImage) {
  numerics::DivParams p{numerics::MakeReciprocalTable(), *numerics::MakeRequantizeRecord(0.0071)};
  const std::vector<uint8_t> img = PackDivParam(p);
  ASSERT_EQ(img.size(), static_cast<size_t>(kDivParamBytes));
  EXPECT_EQ(img.size(), 1044u);
  int32_t m, first;
  std::memcpy(&m, img.data(), 4);
  std::memcpy(&first, img.data() + kDivParamHeaderBytes, 4);
  EXPECT_EQ(m, p.out.multiplier);
  EXPECT_EQ(static_cast<int8_t>(img[4]), p.out.shift);
  EXPECT_EQ(first, p.reciprocal_table[0]);
  absl::StatusOr<numerics::DivParams> q = UnpackDivParam(img);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->out, p.out);
  EXPECT_EQ(q->reciprocal_table, p.reciprocal_table);
  // The unpacked image divides exactly as the parameters it came from.
  for (int64_t a : {-32768, -77, 0, 5, 32767})
    for (int64_t b : {-32768, -3, 0, 1, 1000, 32767})
      EXPECT_EQ(numerics::ApplyDiv(*q, a, b, -32768, 32767),
                numerics::ApplyDiv(p, a, b, -32768, 32767));
  // Too short, bad record (multiplier below 2^30, shift out of range), reserved bytes.
  EXPECT_FALSE(UnpackDivParam(absl::MakeConstSpan(img).first(img.size() - 1)).ok());
  std::vector<uint8_t> bad = img;
  bad[3] = 0;
  EXPECT_FALSE(UnpackDivParam(bad).ok());
  bad = img;
  bad[4] = 100;
  EXPECT_FALSE(UnpackDivParam(bad).ok());
  for (int at : {5, 8, 15}) {
    bad = img;
    bad[at] = 1;
    EXPECT_FALSE(UnpackDivParam(bad).ok()) << at;
  }
  // A zero record is valid (the output is 0); the table's entries are not checked.
  bad = img;
  std::memset(bad.data(), 0, 5);
  bad[kDivParamHeaderBytes + 7] ^= 0x80;
  EXPECT_TRUE(UnpackDivParam(bad).ok());
  p.reciprocal_table.pop_back();
  EXPECT_TRUE(PackDivParam(p).empty());
}

TEST(Records, SegmentLutImage) {
  absl::StatusOr<numerics::SegmentLut> lut =
      numerics::Fit([](double x) { return std::tanh(x); }, 1.0 / 8192, 1.0 / 32767,
                    numerics::DividePoints::kCurvature, numerics::SegmentLutMirror::kOdd);
  ASSERT_TRUE(lut.ok()) << lut.status();
  std::vector<uint8_t> image = PackSegmentLutImage(*lut);
  EXPECT_EQ(image.size(), 936u);
  absl::StatusOr<numerics::SegmentLut> back = UnpackSegmentLutImage(image);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->record, lut->record);
  EXPECT_EQ(back->tables, lut->tables);
  EXPECT_FALSE(UnpackSegmentLutImage(absl::MakeConstSpan(image.data(), 935)).ok());
  // Random corruption of the record words is either accepted or a clean error.
  std::mt19937 rng(5);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> bad = image;
    bad[rng() % 168] ^= static_cast<uint8_t>(1 + rng() % 255);
    (void)UnpackSegmentLutImage(bad);
  }
}

// vae.softmax's image: both forms round-trip and compute what their parameters compute.
TEST(Records, SoftmaxParamImage) {
  numerics::SoftmaxParams p8;
  p8.exp_table = numerics::MakeTable([](double v) { return std::exp(v); }, 0.02, 1.0 / 32767, -255,
                                     numerics::kSoftmaxExpTableSize, 0, 32767);
  p8.reciprocal_table = numerics::MakeReciprocalTable();
  p8.output = *numerics::MakeRequantizeRecord(1.0 / (1.0 / 127));
  const std::vector<uint8_t> img8 = PackSoftmaxParam(p8);
  ASSERT_EQ(img8.size(), static_cast<size_t>(SoftmaxParamBytes(false)));
  EXPECT_EQ(img8.size(), 1556u);
  int32_t m, rec0;
  int16_t exp255;
  std::memcpy(&m, img8.data(), 4);
  std::memcpy(&rec0, img8.data() + 16, 4);
  std::memcpy(&exp255, img8.data() + kSoftmaxExpOffset + 2 * 255, 2);
  EXPECT_EQ(m, p8.output.multiplier);
  EXPECT_EQ(static_cast<int8_t>(img8[4]), p8.output.shift);
  EXPECT_EQ(img8[5], 0);
  EXPECT_EQ(rec0, p8.reciprocal_table[0]);
  EXPECT_EQ(exp255, p8.exp_table[255]);
  absl::StatusOr<numerics::SoftmaxParams> q8 = UnpackSoftmaxParam(img8, false);
  ASSERT_TRUE(q8.ok()) << q8.status();
  EXPECT_EQ(q8->exp_table, p8.exp_table);
  EXPECT_EQ(q8->reciprocal_table, p8.reciprocal_table);
  EXPECT_EQ(q8->output, p8.output);
  std::mt19937 rng(11);
  std::vector<int64_t> x(3 * 7), y0(x.size()), y1(x.size());
  for (int64_t& v : x) v = static_cast<int64_t>(rng() % 256) - 128;
  numerics::Softmax(p8, x.data(), 3, 7, 1, -128, 127, y0.data());
  numerics::Softmax(*q8, x.data(), 3, 7, 1, -128, 127, y1.data());
  EXPECT_EQ(y0, y1);

  numerics::SoftmaxParams p16;
  p16.exp_lut = *numerics::Fit([](double v) { return std::exp(v); }, 1.0 / 8192, 1.0 / 32767,
                               numerics::DividePoints::kEvenly, numerics::SegmentLutMirror::kNone);
  p16.reciprocal_table = numerics::MakeReciprocalTable();
  p16.output = *numerics::MakeRequantizeRecord(32767.0);
  const std::vector<uint8_t> img16 = PackSoftmaxParam(p16);
  ASSERT_EQ(img16.size(), 1980u);
  EXPECT_EQ(img16[5], 1);
  absl::StatusOr<numerics::SoftmaxParams> q16 = UnpackSoftmaxParam(img16, true);
  ASSERT_TRUE(q16.ok()) << q16.status();
  EXPECT_TRUE(q16->exp_table.empty());
  EXPECT_EQ(q16->exp_lut.record, p16.exp_lut.record);
  EXPECT_EQ(q16->exp_lut.tables, p16.exp_lut.tables);
  for (int64_t& v : x) v = static_cast<int64_t>(rng() % 65536) - 32768;
  numerics::Softmax(p16, x.data(), 1, 7, 3, -32768, 32767, y0.data());
  numerics::Softmax(*q16, x.data(), 1, 7, 3, -32768, 32767, y1.data());
  EXPECT_EQ(y0, y1);

  // The wrong form, too short, bad record, reserved bytes, a negative exp entry, a reciprocal
  // entry outside [0, 2^23], a corrupt SegmentLUT record.
  EXPECT_FALSE(UnpackSoftmaxParam(img8, true).ok());
  EXPECT_FALSE(UnpackSoftmaxParam(img16, false).ok());
  EXPECT_FALSE(UnpackSoftmaxParam(absl::MakeConstSpan(img8).first(img8.size() - 1), false).ok());
  std::vector<uint8_t> bad = img8;
  bad[3] = 0x10;  // multiplier below 2^30
  EXPECT_FALSE(UnpackSoftmaxParam(bad, false).ok());
  for (int at : {6, 15}) {
    bad = img8;
    bad[at] = 1;
    EXPECT_FALSE(UnpackSoftmaxParam(bad, false).ok()) << at;
  }
  bad = img8;
  bad[kSoftmaxExpOffset + 1] = 0x80;
  EXPECT_FALSE(UnpackSoftmaxParam(bad, false).ok());
  bad = img8;
  bad[16 + 3] = 0x01;  // entry 0 += 2^24
  EXPECT_FALSE(UnpackSoftmaxParam(bad, false).ok());
  bad = img16;
  bad[kSoftmaxExpOffset] ^= 0xFF;
  bad[kSoftmaxExpOffset + 1] ^= 0xFF;
  (void)UnpackSoftmaxParam(bad, true);  // accepted or a clean error
  p8.exp_table.pop_back();
  EXPECT_TRUE(PackSoftmaxParam(p8).empty());
}

// vae.layernorm's image: offsets, round trip, the row length and every range check.
TEST(Records, LayerNormParamImage) {
  numerics::LayerNormParams p;
  const int n = 5;
  for (int i = 0; i < n; ++i) {
    const numerics::RequantizeRecord r = *numerics::MakeRequantizeRecord(0.5 + i);
    p.gamma_multiplier.push_back(r.multiplier);
    p.gamma_shift.push_back(r.shift);
    p.gamma_sign.push_back(i % 2 ? -1 : 1);
    p.beta.push_back((i - 2) * 70000);
  }
  p.eps_mantissa = 12345;
  p.eps_exponent = 3;
  p.rsqrt_table = numerics::MakeRsqrtTable();
  const std::vector<uint8_t> img = PackLayerNormParam(p);
  ASSERT_EQ(img.size(), static_cast<size_t>(LayerNormParamBytes(n)));
  EXPECT_EQ(img.size(), 880u);
  int32_t eps, s0, g1;
  uint32_t count;
  int64_t beta0;
  std::memcpy(&eps, img.data(), 4);
  std::memcpy(&count, img.data() + 8, 4);
  std::memcpy(&s0, img.data() + 16, 4);
  std::memcpy(&g1, img.data() + 816, 4);
  std::memcpy(&beta0, img.data() + 808, 8);
  EXPECT_EQ(eps, 12345);
  EXPECT_EQ(img[4], 3);
  EXPECT_EQ(count, 5u);
  EXPECT_EQ(s0, p.rsqrt_table[0]);
  EXPECT_EQ(g1, p.gamma_multiplier[1]);
  EXPECT_EQ(static_cast<int8_t>(img[821]), -1);
  EXPECT_EQ(beta0, -140000);
  absl::StatusOr<numerics::LayerNormParams> q = UnpackLayerNormParam(img, n);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->gamma_multiplier, p.gamma_multiplier);
  EXPECT_EQ(q->gamma_shift, p.gamma_shift);
  EXPECT_EQ(q->gamma_sign, p.gamma_sign);
  EXPECT_EQ(q->beta, p.beta);
  EXPECT_EQ(q->eps_mantissa, p.eps_mantissa);
  EXPECT_EQ(q->eps_exponent, p.eps_exponent);
  EXPECT_EQ(q->rsqrt_table, p.rsqrt_table);
  const std::vector<int64_t> x = {3, -7, 100, -128, 127, 0, 0, 0, 0, 1};
  std::vector<int64_t> y0(x.size()), y1(x.size());
  numerics::LayerNorm(p, x.data(), 2, n, -128, 127, y0.data());
  numerics::LayerNorm(*q, x.data(), 2, n, -128, 127, y1.data());
  EXPECT_EQ(y0, y1);

  // Another row length, too short, bad eps, reserved bytes, a rsqrt entry outside [0, 2^23],
  // a bad gamma record, sign, beta.
  EXPECT_FALSE(UnpackLayerNormParam(img, 4).ok());
  EXPECT_FALSE(UnpackLayerNormParam(img, 0).ok());
  EXPECT_FALSE(UnpackLayerNormParam(absl::MakeConstSpan(img).first(img.size() - 1), n).ok());
  auto corrupt = [&](int at, uint8_t v) {
    std::vector<uint8_t> bad = img;
    bad[at] = v;
    return UnpackLayerNormParam(bad, n).ok();
  };
  EXPECT_FALSE(corrupt(3, 0x80));  // eps_mantissa < 0
  EXPECT_FALSE(corrupt(4, 65));    // eps_exponent
  EXPECT_TRUE(corrupt(4, 64));
  for (int at : {5, 7, 12, 15, 788, 799, 800 + 16 + 6, 800 + 64 + 7}) {
    EXPECT_FALSE(corrupt(at, 1)) << at;
  }
  EXPECT_FALSE(corrupt(16 + 3, 0x01));    // rsqrt entry 0 += 2^24
  EXPECT_FALSE(corrupt(800 + 3, 0x10));   // gamma multiplier below 2^30
  EXPECT_FALSE(corrupt(800 + 4, 100));    // gamma shift
  EXPECT_FALSE(corrupt(800 + 5, 0));      // gamma sign
  EXPECT_FALSE(corrupt(800 + 15, 0x40));  // beta = 2^62 + ...
  p.beta.pop_back();
  EXPECT_TRUE(PackLayerNormParam(p).empty());
}

}  // namespace
}  // namespace openbpu::isa
