// Tests of the int8 activation table and the normalized reciprocal / rsqrt tables
// (docs/NUMERICS.md, "Lookup tables"), with the int8 tables' worst error against float32
// fake quantization printed as `lut-error:` lines.
#include "isa/numerics/lut.h"

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace openbpu::numerics {
namespace {

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

TEST(LutTest, QuantizeTableEntryRoundsHalfUpAndSaturates) {
  EXPECT_EQ(QuantizeTableEntry(2.5, -128, 127), 3);
  EXPECT_EQ(QuantizeTableEntry(-2.5, -128, 127), -2);
  EXPECT_EQ(QuantizeTableEntry(-2.51, -128, 127), -3);
  EXPECT_EQ(QuantizeTableEntry(1e30, -128, 127), 127);
  EXPECT_EQ(QuantizeTableEntry(-INFINITY, -128, 127), -128);
  EXPECT_EQ(QuantizeTableEntry(INFINITY, -128, 127), 127);
  EXPECT_EQ(QuantizeTableEntry(NAN, -128, 127), 0);
  EXPECT_EQ(QuantizeTableEntry(NAN, 5, 127), 5);
}

TEST(LutTest, Int8SigmoidHandCheckedEntries) {
  const double s_in = 8.0 / 127.5, s_out = 1.0 / 127.5;
  const std::array<int8_t, 256> t = MakeInt8Lut(Sigmoid, s_in, s_out);
  // x = 0: sigmoid 0.5 -> 63.75 -> 64.
  EXPECT_EQ(LookupInt8(t.data(), 0), 64);
  // x = 10: 10 * 8 / 127.5 = 0.62745, sigmoid = 0.651912, * 127.5 = 83.12 -> 83.
  EXPECT_EQ(LookupInt8(t.data(), 10), 83);
  // x = 127: sigmoid(7.96863) = 0.999654 * 127.5 = 127.456 -> 127.
  EXPECT_EQ(LookupInt8(t.data(), 127), 127);
  // x = -128: sigmoid(-8.0314) = 3.25e-4 * 127.5 = 0.041 -> 0.
  EXPECT_EQ(LookupInt8(t.data(), -128), 0);
  for (int i = 1; i < 256; ++i) EXPECT_GE(t[i], t[i - 1]) << i;  // monotone
}

TEST(LutTest, Int8TableSaturatesAndHandlesUndefinedInputs) {
  // exp grows beyond the output range; log is -inf at 0 and NaN below.
  const std::array<int8_t, 256> e = MakeInt8Lut([](double x) { return std::exp(x); }, 0.1, 0.05);
  EXPECT_EQ(LookupInt8(e.data(), 127), 127);
  EXPECT_EQ(LookupInt8(e.data(), 0), 20);
  const std::array<int8_t, 256> l = MakeInt8Lut([](double x) { return std::log(x); }, 0.1, 0.05);
  EXPECT_EQ(LookupInt8(l.data(), 0), -128);
  EXPECT_EQ(LookupInt8(l.data(), -5), 0);
  EXPECT_EQ(LookupInt8(l.data(), 10), 0);   // log(1) = 0
  EXPECT_EQ(LookupInt8(l.data(), 27), 20);  // log(2.7) = 0.99325 / 0.05 = 19.87
}

TEST(LutTest, MakeTableCoversAnyRange) {
  const std::vector<int32_t> t =
      MakeTable([](double x) { return std::exp(x); }, 1.0 / 16, 1.0 / 32768, -255, 256, 0, 32767);
  ASSERT_EQ(t.size(), 256u);
  EXPECT_EQ(t[255], 32767);  // exp(0) * 32768 saturates
  EXPECT_EQ(t[239], static_cast<int32_t>(std::floor(std::exp(-1.0) * 32768 + 0.5)));
  EXPECT_EQ(t[0], 0);
}

// Float32 fake quantization of a float32 function value, as the float reference computes it.
int64_t FakeQuantInt8(float v, float s_out) {
  const float p = v * (1.0f / s_out);
  if (std::isnan(p)) return 0;
  const float q = std::nearbyint(p);
  return q < -128 ? -128 : (q > 127 ? 127 : static_cast<int64_t>(q));
}

TEST(LutTest, Int8TablesWithinOneLsbOfFloatFakeQuant) {
  struct Case {
    std::string name;
    std::function<double(double)> f;
    std::function<float(float)> ff;
    double amax_in, amax_out;
  };
  const std::vector<Case> cases = {
      {"sigmoid", Sigmoid, [](float x) { return 1.f / (1.f + std::exp(-x)); }, 8, 1},
      {"tanh", [](double x) { return std::tanh(x); }, [](float x) { return std::tanh(x); }, 4, 1},
      {"exp", [](double x) { return std::exp(x); }, [](float x) { return std::exp(x); }, 3, 20.1},
      {"log", [](double x) { return std::log(x); }, [](float x) { return std::log(x); }, 10, 2.31},
      {"sqrt", [](double x) { return std::sqrt(x); }, [](float x) { return std::sqrt(x); }, 10,
       3.17},
      {"reciprocal", [](double x) { return 1 / x; }, [](float x) { return 1 / x; }, 10, 10},
      {"gelu", [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); },
       [](float x) { return 0.5f * x * (1.f + std::erf(x / std::sqrt(2.f))); }, 6, 6},
  };
  for (const Case& c : cases) {
    const float s_in = static_cast<float>(c.amax_in / 127.5);
    const float s_out = static_cast<float>(c.amax_out / 127.5);
    const std::array<int8_t, 256> t = MakeInt8Lut(c.f, s_in, s_out);
    int64_t worst = 0;
    for (int x = -128; x <= 127; ++x) {
      const float v = c.ff(static_cast<float>(x) * s_in);
      if (std::isnan(v)) continue;  // outside the function's domain: the table saturates
      worst = std::max(worst, std::abs(t[x + 128] - FakeQuantInt8(v, s_out)));
    }
    std::printf("lut-error: %s int8 max_lsb=%lld\n", c.name.c_str(), static_cast<long long>(worst));
    EXPECT_LE(worst, 1) << c.name;
  }
}

TEST(LutTest, ReciprocalWithinFivePpm) {
  const std::vector<int32_t> table = MakeReciprocalTable();
  EXPECT_EQ(table[0], 1 << 23);
  EXPECT_EQ(table[256], 1 << 22);
  double worst = 0;
  for (uint64_t u : {uint64_t{1}, uint64_t{3}, uint64_t{255}, uint64_t{32767}, uint64_t{32768},
                     uint64_t{65535}, uint64_t{1} << 40, (uint64_t{1} << 63) + 12345}) {
    const FixedPoint r = Reciprocal(table.data(), u);
    const double got = std::ldexp(static_cast<double>(r.mantissa), -r.exponent);
    worst = std::max(worst, std::fabs(got * static_cast<double>(u) - 1.0));
  }
  for (uint64_t u = 1; u < 200000; u += 7) {
    const FixedPoint r = Reciprocal(table.data(), u);
    worst = std::max(worst,
                     std::fabs(std::ldexp(static_cast<double>(r.mantissa), -r.exponent) * u - 1));
  }
  EXPECT_LT(worst, 5e-6);  // interpolation error ~ (1/256)^2 / 4
  const FixedPoint one = Reciprocal(table.data(), 1);
  EXPECT_EQ(one.mantissa, 1 << 23);
  EXPECT_EQ(one.exponent, 23);
  EXPECT_EQ(Reciprocal(table.data(), 0).mantissa, 0);
}

TEST(LutTest, RsqrtWithin30Ppm) {
  const std::vector<int32_t> table = MakeRsqrtTable();
  EXPECT_EQ(table[0], 1 << 23);
  EXPECT_EQ(table[192], 1 << 22);
  double worst = 0;
  auto check = [&](unsigned __int128 u) {
    const FixedPoint r = Rsqrt(table.data(), u);
    const double got = std::ldexp(static_cast<double>(r.mantissa), -r.exponent);
    worst = std::max(worst, std::fabs(got * std::sqrt(static_cast<double>(u)) - 1.0));
  };
  for (uint64_t u = 1; u < 300000; u += 3) check(u);
  check(static_cast<unsigned __int128>(1) << 100);
  check((static_cast<unsigned __int128>(1) << 101) + 999);
  EXPECT_LT(worst, 3e-5);                          // interpolation over steps of 1/64 relative
  const FixedPoint four = Rsqrt(table.data(), 4);  // 1/2
  EXPECT_EQ(std::ldexp(static_cast<double>(four.mantissa), -four.exponent), 0.5);
}

TEST(LutTest, Log2WithinThreePpmOfOneUnit) {
  const std::vector<int32_t> table = MakeLog2Table();
  EXPECT_EQ(table[0], 0);
  EXPECT_EQ(table[256], 1 << 23);
  EXPECT_EQ(Log2Fixed(table.data(), 1), 0);
  EXPECT_EQ(Log2Fixed(table.data(), 1024), int64_t{10} << 23);
  double worst = 0;
  for (uint64_t u = 1; u < 300000; u += 3) {
    const double got = std::ldexp(static_cast<double>(Log2Fixed(table.data(), u)), -23);
    worst = std::max(worst, std::fabs(got - std::log2(static_cast<double>(u))));
  }
  EXPECT_LT(worst, 3e-6);  // interpolation error ~ (1/256)^2 / 8 / ln 2
}

// The int16 Reciprocal / Sqrt / Log evaluations (vae.recip / vae.sqrt / vae.log), by hand:
// records of multiplier 2^30 make m 2^-n a power of two.
TEST(LutTest, ShiftRoundSaturateRoundsHalfUpInEitherDirection) {
  EXPECT_EQ(ShiftRoundSaturate(5, 1, -100, 100), 3);    // 2.5 -> 3
  EXPECT_EQ(ShiftRoundSaturate(-5, 1, -100, 100), -2);  // -2.5 -> -2
  EXPECT_EQ(ShiftRoundSaturate(3, -4, -100, 100), 48);  // left shift
  EXPECT_EQ(ShiftRoundSaturate(3, -200, -100, 100), 100);
  EXPECT_EQ(ShiftRoundSaturate(-3, -200, -100, 100), -100);
  EXPECT_EQ(ShiftRoundSaturate(static_cast<__int128>(1) << 119, 130, -100, 100), 0);
  EXPECT_EQ(ShiftRoundSaturate(1000, 0, -100, 100), 100);
}

TEST(LutTest, NormalizedInt16FunctionsByHand) {
  const std::vector<int32_t> r = MakeReciprocalTable();
  const std::vector<int32_t> s = MakeRsqrtTable();
  const std::vector<int32_t> g = MakeLog2Table();
  // 1024 / q: R[0] = 2^23 at q = 2^k; q = 3 uses R[128] = round(2^23 / 1.5) = 5592405.
  const RequantizeRecord rec{1 << 30, 20};
  EXPECT_EQ(NormalizedReciprocal(r.data(), rec, 4, -32768, 32767), 256);
  EXPECT_EQ(NormalizedReciprocal(r.data(), rec, -3, -32768, 32767), -341);
  EXPECT_EQ(NormalizedReciprocal(r.data(), rec, 3, -32768, 32767), 341);
  EXPECT_EQ(NormalizedReciprocal(r.data(), rec, 0, -32768, 32767), 32767);
  EXPECT_EQ(NormalizedReciprocal(r.data(), rec, 1, -128, 127), 127);
  // 16 sqrt(q): S[0] = 2^23; q = 2 uses S[64] = round(2^23 / sqrt 2) = 5931642 -> 22.63.
  const RequantizeRecord sq{1 << 30, 26};
  EXPECT_EQ(NormalizedSqrt(s.data(), sq, 16, -32768, 32767), 64);
  EXPECT_EQ(NormalizedSqrt(s.data(), sq, 2, -32768, 32767), 23);
  EXPECT_EQ(NormalizedSqrt(s.data(), sq, 0, -32768, 32767), 0);
  EXPECT_EQ(NormalizedSqrt(s.data(), sq, -9, -32768, 32767), 0);
  // 256 log2(2 q): Log2Fixed(4) = 2^24, offset 2^32 (= 256 in 2^-24 units); q = 3 uses
  // G[128] = round(2^23 log2 1.5) = 4907021: 512 + 4907021 / 2^15 = 661.75 -> 662.
  const RequantizeRecord lg{1 << 30, 45};
  EXPECT_EQ(NormalizedLog(g.data(), lg, int64_t{1} << 32, 4, -32768, 32767), 768);
  EXPECT_EQ(NormalizedLog(g.data(), lg, int64_t{1} << 32, 3, -32768, 32767), 662);
  EXPECT_EQ(NormalizedLog(g.data(), lg, int64_t{1} << 32, 0, -32768, 32767), -32768);
  // A shift below kLogOffsetBits aligns the product instead of the offset: with m 2^-n = 2^10,
  // Log2Fixed(2) 2^10 = 2^33, minus an offset of 1 (2^24 units) = 2^33 - 1.
  const RequantizeRecord big{1 << 30, 20};
  EXPECT_EQ(NormalizedLog(g.data(), big, -(int64_t{1} << 24), 2, INT64_MIN, INT64_MAX),
            (int64_t{1} << 33) - 1);
}

}  // namespace
}  // namespace openbpu::numerics
