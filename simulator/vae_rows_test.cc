// vae.softmax and vae.layernorm (ISA 1.1) on the hand-built program vae_rows_bayes: outputs
// equal numerics::Softmax / numerics::LayerNorm run directly (func and both modes, hazard
// checker on), two hand-checked rows, and the execution rules, each an error naming the
// instruction.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simulator/simulator.h"
#include "simulator/test_programs.h"

namespace openbpu::sim {
namespace {

using ::testing::HasSubstr;
using testing::RunTestProgram;
using testing::TestProgram;

const TestProgram& Rows() {
  for (const TestProgram& t : testing::AllTestPrograms())
    if (t.name == "vae_rows_bayes") return t;
  std::abort();
}

TEST(VaeRows, MatchNumericsInFuncAndBothModes) {
  const TestProgram& t = Rows();
  for (Mode mode : {Mode::kFunc, Mode::kBoth}) {
    auto out = RunTestProgram(t, mode);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->output, t.expected) << ModeName(mode);
  }
  auto serial = RunTestProgram(t, Mode::kBoth, /*force_serial=*/true);
  ASSERT_TRUE(serial.ok()) << serial.status();
  EXPECT_EQ(serial->output, t.expected);
  auto perf = RunTestProgram(t, Mode::kPerf);
  ASSERT_TRUE(perf.ok()) << perf.status();
}

// Pixel 0's six equal channels: softmax 1/6 at s_out = 1/128 -> 21; layer normalization
// c_i = 0, so y_i = round(beta_i / s_y) = round(3.2 (i - 2)) = -6, -3, 0, 3, 6, 10.
TEST(VaeRows, HandCheckedRows) {
  auto out = RunTestProgram(Rows(), Mode::kFunc);
  ASSERT_TRUE(out.ok()) << out.status();
  const std::vector<uint8_t>& y = out->output;
  for (int c = 0; c < 6; ++c) EXPECT_EQ(static_cast<int8_t>(y[c]), 21) << c;
  const int ln[6] = {-6, -3, 0, 3, 6, 10};
  for (int c = 0; c < 6; ++c) EXPECT_EQ(static_cast<int8_t>(y[48 + c]), ln[c]) << c;
}

TEST(VaeRows, ExecutionRules) {
  auto expect_error = [](const TestProgram& t, absl::string_view what) {
    auto out = RunTestProgram(t, Mode::kBoth);
    ASSERT_FALSE(out.ok()) << what;
    EXPECT_THAT(out.status().message(), HasSubstr(what));
  };
  TestProgram t = Rows();
  t.params[5] = 1;  // the s8 softmax image claims the int16 form
  expect_error(t, "instruction 11 (vae.softmax): SoftmaxParam: kind 1");
  t = Rows();
  t.params[3] = 0x10;  // output multiplier below 2^30
  expect_error(t, "instruction 11 (vae.softmax): SoftmaxParam output");
  t = Rows();
  t.params[3552 + 8] = 7;  // the n = 6 image claims 7 elements
  expect_error(t, "instruction 13 (vae.layernorm): LayerNormParam: the image normalizes 7");
  t = Rows();
  t.params[4448 + 800 + 5] = 0;  // gamma sign 0
  expect_error(t, "instruction 14 (vae.layernorm): LayerNormParam element 0: gamma sign 0");
  t = Rows();
  t.assembly =
      absl::StrReplaceAll(t.assembly, {{"x_dtype=s8 out_dtype=s8", "x_dtype=s8 out_dtype=s32"}});
  expect_error(t, "instruction 11 (vae.softmax): out_dtype must be s8 or s16");
  t = Rows();
  t.assembly =
      absl::StrReplaceAll(t.assembly, {{"x_dtype=s16 out_dtype=s16", "x_dtype=s32 out_dtype=s16"}});
  expect_error(t, "instruction 16 (vae.softmax): x_dtype must be s8 or s16");
  t = Rows();  // a weight image past the end of the weight SRAM
  t.assembly = absl::StrReplaceAll(t.assembly, {{"param=4448", "param=2097136"}});
  expect_error(t, "instruction 14: param accesses");
  t = Rows();  // softmax rows longer than 65536
  t.assembly = absl::StrReplaceAll(t.assembly, {{"vae.cfg pixels=4 channels=6 x_dtype=s16",
                                                 "vae.cfg pixels=70000 channels=1 x_dtype=s16"}});
  expect_error(t, "instruction 16 (vae.softmax): softmax rows of 70000 elements");
}

}  // namespace
}  // namespace openbpu::sim
