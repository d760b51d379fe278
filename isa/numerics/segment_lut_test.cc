// Tests of the bayes int16 SegmentLUT (docs/NUMERICS.md, "SegmentLUT"): hand-built
// records, mirroring, boundaries, extreme inputs, the record's packing, and each fitted
// function's worst error in output LSBs over every int16 input (`lut-error:` lines).
#include "isa/numerics/segment_lut.h"

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace openbpu::numerics {
namespace {

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Lines y = x / 2 on the left (x <= -100) and y = 1000 on the right (x >= 101); table
// segment 1 covers [-99, 100] with entries T[j] = 10 j; segments 2..6 are empty.
SegmentLut HandLut() {
  SegmentLut lut;
  auto& s = lut.record.segments;
  s[0] = {-100, 1, -99, 0, 1};  // origin -100: y = (x + 100 - 99) >> 1
  // Index: (x + 99) * 16128 / 199 ~= (x + 99) * 81.045; slope 20747 * 2^-8 = 81.043.
  s[1] = {100, 20747, 128, 0, 8};
  for (int k = 2; k <= 6; ++k) s[k] = {100, 0, 0, 0, 0};
  s[7] = {32767, 0, 1000, 0, 0};
  for (int j = 0; j < 64; ++j) lut.tables[j] = static_cast<int16_t>(10 * j);
  return lut;
}

TEST(SegmentLutTest, HandBuiltRecord) {
  const SegmentLut lut = HandLut();
  auto eval = [&](int x) { return Evaluate(lut.record, lut.tables.data(), x); };
  EXPECT_EQ(eval(-100), -50);       // (0 - 99) >> 1 = -50
  EXPECT_EQ(eval(-102), -51);       // (-2 - 99) >> 1 = floor(-50.5) = -51
  EXPECT_EQ(eval(-32768), -16384);  // (-32668 - 99) >> 1 = -16383.5 -> -16384
  EXPECT_EQ(eval(-99), 0);          // index 0
  EXPECT_EQ(eval(100), 630);        // index (199 * 20747 + 128) >> 8 = 16128 = 63 * 256
  // x = 0: index (99 * 20747 + 128) >> 8 = 8023 -> i = 31, r = 87:
  // 310 + ((320 - 310) * 87 + 128) >> 8 = 310 + 3 = 313.
  EXPECT_EQ(eval(0), 313);
  EXPECT_EQ(eval(101), 1000);
  EXPECT_EQ(eval(32767), 1000);
}

TEST(SegmentLutTest, MirroringOddAndEven) {
  SegmentLut lut = HandLut();
  lut.record.mirror = SegmentLutMirror::kOdd;
  lut.record.mirror_sum = 1;
  auto eval = [&](int x) { return Evaluate(lut.record, lut.tables.data(), x); };
  EXPECT_EQ(eval(0), 313);
  EXPECT_EQ(eval(-1), 1 - eval(1));
  EXPECT_EQ(eval(-50), 1 - eval(50));
  EXPECT_EQ(eval(-32768), 1 - eval(32767));  // -(-32768) saturates to 32767
  lut.record.mirror = SegmentLutMirror::kEven;
  EXPECT_EQ(eval(-50), eval(50));
  EXPECT_EQ(eval(-32768), eval(32767));
}

TEST(SegmentLutTest, PackUnpackRoundTripAndFieldWidths) {
  const SegmentLut lut = HandLut();
  std::vector<int32_t> words = PackRecord(lut.record);
  ASSERT_EQ(words.size(), static_cast<size_t>(kSegmentLutRecordWords));
  absl::StatusOr<SegmentLutRecord> back = UnpackRecord(words);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(*back == lut.record);
  std::vector<int32_t> bad = words;
  bad[3] = 16;  // bias_shift has 4 bits
  EXPECT_FALSE(UnpackRecord(bad).ok());
  bad = words;
  bad[4] = 32;  // shift has 5 bits
  EXPECT_FALSE(UnpackRecord(bad).ok());
  bad = words;
  bad[1] = 40000;  // slope is int16
  EXPECT_FALSE(UnpackRecord(bad).ok());
  bad = words;
  bad[35] = 5;  // segment 7 must end at 32767
  EXPECT_FALSE(UnpackRecord(bad).ok());
  bad = words;
  bad[5] = -200;  // segment 1's upper below segment 0's
  EXPECT_FALSE(UnpackRecord(bad).ok());
  bad = words;
  bad[41] = 70000;  // mirror_sum has 17 bits
  EXPECT_FALSE(UnpackRecord(bad).ok());
  EXPECT_FALSE(UnpackRecord(absl::MakeConstSpan(words).subspan(1)).ok());
}

TEST(SegmentLutTest, FitRejectsBadScales) {
  EXPECT_FALSE(Fit(Sigmoid, 0.0, 1.0, DividePoints::kEvenly, SegmentLutMirror::kNone).ok());
  EXPECT_FALSE(Fit(Sigmoid, 1.0, NAN, DividePoints::kEvenly, SegmentLutMirror::kNone).ok());
}

TEST(SegmentLutTest, FittedSigmoidIsMonotoneMirroredAndBounded) {
  const double s_in = 8 / 32767.5, s_out = 1 / 32767.5;
  for (DividePoints st : {DividePoints::kEvenly, DividePoints::kCurvature}) {
    absl::StatusOr<SegmentLut> lut = Fit(Sigmoid, s_in, s_out, st, SegmentLutMirror::kOdd);
    ASSERT_TRUE(lut.ok()) << lut.status();
    EXPECT_EQ(lut->record.mirror_sum, 32768);  // 2 * 0.5 * 32767.5 = 32767.5 -> 32768
    // Boundaries are ordered and the record survives packing.
    for (int k = 1; k < kSegmentCount; ++k) {
      EXPECT_GE(lut->record.segments[k].upper, lut->record.segments[k - 1].upper);
    }
    ASSERT_TRUE(UnpackRecord(PackRecord(lut->record)).ok());
    int prev = -1;
    for (int x = -32768; x <= 32767; ++x) {
      const int y = Evaluate(lut->record, lut->tables.data(), static_cast<int16_t>(x));
      ASSERT_GE(y, prev) << x;
      prev = y;
    }
    // Extreme inputs: sigmoid(+-8.0002) * 32767.5 = 32756.5 / 11.0.
    EXPECT_NEAR(Evaluate(lut->record, lut->tables.data(), 32767), 32757, 1);
    EXPECT_NEAR(Evaluate(lut->record, lut->tables.data(), -32768), 11, 1);
    // Around every boundary the result stays within the bound.
    for (const SegmentLutSegment& seg : lut->record.segments) {
      for (int dx = -1; dx <= 1; ++dx) {
        const int x = std::min(32767, std::max(-32768, seg.upper + dx));
        EXPECT_LE(std::abs(Evaluate(lut->record, lut->tables.data(), x) -
                           SegmentLutTarget(Sigmoid, s_in, s_out, x)),
                  2);
      }
    }
  }
}

struct ErrorCase {
  std::string name;
  std::function<double(double)> f;
  double amax_in, amax_out;
  SegmentLutMirror mirror;
  int64_t bound;                 // asserted for both strategies ...
  int64_t curvature_bound = -1;  // ... unless the curvature split has its own
};

void CheckErrors(const std::vector<ErrorCase>& cases) {
  for (const ErrorCase& c : cases) {
    const double s_in = c.amax_in / 32767.5, s_out = c.amax_out / 32767.5;
    int64_t best = -1;  // the fit an op keeps (qtable::MakeUnaryTableOp)
    for (DividePoints st : {DividePoints::kEvenly, DividePoints::kCurvature}) {
      absl::StatusOr<SegmentLut> lut = Fit(c.f, s_in, s_out, st, c.mirror);
      ASSERT_TRUE(lut.ok()) << lut.status();
      const int64_t e = MaxErrorLsb(*lut, c.f, s_in, s_out);
      std::printf("lut-error: %s int16 %s in=+-%g max_lsb=%lld\n", c.name.c_str(),
                  st == DividePoints::kEvenly ? "evenly" : "curvature", c.amax_in,
                  static_cast<long long>(e));
      const int64_t bound =
          st == DividePoints::kCurvature && c.curvature_bound >= 0 ? c.curvature_bound : c.bound;
      EXPECT_LE(e, bound) << c.name;
      best = best < 0 ? e : std::min(best, e);
    }
    std::printf("lut-error: %s int16 max_lsb=%lld\n", c.name.c_str(), static_cast<long long>(best));
  }
}

TEST(SegmentLutTest, ActivationErrorsWithinFourLsb) {
  auto silu = [](double x) { return x * Sigmoid(x); };
  auto gelu = [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); };
  auto tanh = [](double x) { return std::tanh(x); };
  CheckErrors({
      {"sigmoid", Sigmoid, 8, 1, SegmentLutMirror::kOdd, 4},
      {"sigmoid", Sigmoid, 20, 1, SegmentLutMirror::kOdd, 4},
      {"sigmoid", Sigmoid, 8, 1, SegmentLutMirror::kNone, 4},
      {"tanh", tanh, 4, 1, SegmentLutMirror::kOdd, 4},
      // Equal |f''| chunks leave tanh's long shoulder [1.5, 5.3] to one 64-entry table.
      {"tanh", tanh, 6, 1, SegmentLutMirror::kOdd, 4, 6},
      {"silu", silu, 8, 8, SegmentLutMirror::kNone, 4},
      {"silu", silu, 4, 4, SegmentLutMirror::kNone, 4},
      {"gelu", gelu, 6, 6, SegmentLutMirror::kNone, 4},
      {"gelu", gelu, 3, 3, SegmentLutMirror::kNone, 4},
  });
}

TEST(SegmentLutTest, OtherFunctionErrorsWithinStatedBounds) {
  // Inputs at or below 0 of log / rsqrt / reciprocal are evaluated at one input step
  // (docs/NUMERICS.md): the singularity there is what limits these tables.
  const double s10 = 10 / 32767.5;
  CheckErrors({
      {"exp", [](double x) { return std::exp(x); }, 8, 1, SegmentLutMirror::kNone, 8},
      {"exp", [](double x) { return std::exp(x); }, 3, 20.1, SegmentLutMirror::kNone, 8},
      {"log", [&](double x) { return std::log(std::max(x, s10)); }, 10, 8.1,
       SegmentLutMirror::kNone, 6200},
      {"sqrt", [](double x) { return std::sqrt(std::max(x, 0.0)); }, 10, 3.17,
       SegmentLutMirror::kNone, 320},
      {"rsqrt", [&](double x) { return 1 / std::sqrt(std::max(x, s10)); }, 10, 57.3,
       SegmentLutMirror::kNone, 11500},
      {"reciprocal", [&](double x) { return 1 / std::max(x, s10); }, 10, 3276.75,
       SegmentLutMirror::kNone, 10000},
  });
}

}  // namespace
}  // namespace openbpu::numerics
