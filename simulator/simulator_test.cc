// The simulator on hand-written assembly programs: hand-computed goldens for every
// instruction class in func and both modes, hazards from a removed token, deadlock and
// bounds errors naming the instruction, force-serial timing, statistics and the trace.
#include "simulator/simulator.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "isa/assembler.h"
#include "isa/numerics/elementwise.h"
#include "isa/numerics/lut.h"
#include "simulator/test_programs.h"

namespace openbpu::sim {
namespace {

using testing::AllTestPrograms;
using ::testing::HasSubstr;
using testing::RunTestProgram;
using testing::TestProgram;

const TestProgram& Find(absl::string_view name) {
  for (const TestProgram& t : AllTestPrograms())
    if (t.name == name) return t;
  std::abort();
}

TEST(Simulator, ProgramsMatchHandComputedGoldens) {
  for (const TestProgram& t : AllTestPrograms()) {
    for (Mode mode : {Mode::kFunc, Mode::kBoth}) {
      auto out = RunTestProgram(t, mode);
      ASSERT_TRUE(out.ok()) << t.name << ": " << out.status();
      EXPECT_EQ(out->output, t.expected) << t.name << " in " << ModeName(mode);
    }
  }
}

TEST(Simulator, Lut16IdentityTableIsExact) {
  const TestProgram& t = Find("lut16_bayes");
  EXPECT_EQ(t.expected, t.input);  // the fitted identity is exact at these points
}

// Every kernel path, with and without threads, on its first run (weights packed) and its second
// (packed weights and requantize records reused): the same output bytes.
TEST(Simulator, KernelPathsThreadsAndReusedWeightsGiveIdenticalOutputs) {
  struct Config {
    KernelPath path;
    int threads;
  };
  const Config configs[] = {{KernelPath::kScalar, 1}, {KernelPath::kXsimd, 1},
                            {KernelPath::kVnni, 1},   {KernelPath::kAvx2, 1},
                            {KernelPath::kBest, 1},   {KernelPath::kBest, 3}};
  for (const TestProgram& t : AllTestPrograms()) {
    auto p = testing::Build(t);
    ASSERT_TRUE(p.ok());
    std::vector<uint8_t> first;
    for (const Config& c : configs) {
      SimulatorOptions opt;
      opt.kernel_path = c.path;
      opt.threads = c.threads;
      auto sim = Simulator::Create(*p, **isa::FindMarch(p->march), opt);
      ASSERT_TRUE(sim.ok()) << sim.status();
      for (int run = 0; run < 2; ++run) {
        ASSERT_TRUE((*sim)->WriteRegion(isa::Region::kInput, 0, t.input).ok());
        ASSERT_TRUE((*sim)->Run().ok());
        std::vector<uint8_t> out(p->ddr_output_bytes);
        ASSERT_TRUE((*sim)->ReadRegion(isa::Region::kOutput, 0, absl::MakeSpan(out)).ok());
        if (first.empty()) first = out;
        EXPECT_EQ(out, first) << t.name << " " << KernelPathName(c.path) << " threads " << c.threads
                              << " run " << run;
      }
    }
  }
}

TEST(Simulator, PerfModeNeverAllocatesData) {
  const TestProgram& t = Find("conv_requant");
  auto p = testing::Build(t);
  ASSERT_TRUE(p.ok());
  SimulatorOptions opt;
  opt.run.mode = Mode::kPerf;
  auto sim = Simulator::Create(*p, **isa::FindMarch(p->march), opt);
  ASSERT_TRUE(sim.ok());
  EXPECT_FALSE((*sim)->memories().allocated());
  auto r = (*sim)->Run();
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->stats.total_cycles, 0u);
}

TEST(Simulator, RemovedTokenIsReportedAsAHazard) {
  // The conv no longer waits for the loads: its output may still come out right, but the
  // hazard checker flags the unordered read of the loaded bytes.
  TestProgram t = Find("conv_requant");
  t.assembly = absl::StrReplaceAll(t.assembly, {{"wait=1,1 signal=2", "signal=2"}});
  for (Mode mode : {Mode::kFunc, Mode::kPerf, Mode::kBoth}) {
    auto out = RunTestProgram(t, mode);
    ASSERT_FALSE(out.ok()) << ModeName(mode);
    EXPECT_THAT(out.status().message(), HasSubstr("hazard: instruction"));
    EXPECT_THAT(out.status().message(), HasSubstr("tae.conv on TAE"));
    EXPECT_THAT(out.status().message(), HasSubstr("no dependency token orders them"));
  }
  // Double buffering without the "buffer free" token: the third load overwrites the buffer
  // the first conv reads.
  TestProgram db = Find("double_buffered_conv");
  db.assembly = absl::StrReplaceAll(db.assembly, {{" wait=4 signal=1", " signal=1"}});
  auto out = RunTestProgram(db, Mode::kBoth);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("hazard"));
}

// ISA 1.1 vae.cfg dst_pitch: a requantize honours it (one pixel: same golden at pitch 32);
// vae.softmax / layernorm / div / select take dense operands, so with it (or vae.pitch) they are
// an execution error naming the rule, and a pitch narrower than a pixel's channels is one too.
TEST(Simulator, VaeDstPitch) {
  TestProgram t = Find("conv_requant");
  t.assembly = absl::StrReplaceAll(
      t.assembly, {{"vae.cfg pixels=1 channels=1 x_dtype=s32 out_dtype=s8",
                    "vae.cfg pixels=1 channels=1 x_dtype=s32 out_dtype=s8 dst_pitch=2"}});
  ASSERT_THAT(t.assembly, HasSubstr("dst_pitch=2"));
  for (Mode mode : {Mode::kFunc, Mode::kBoth}) {
    auto out = RunTestProgram(t, mode);
    ASSERT_TRUE(out.ok()) << ModeName(mode) << ": " << out.status();
    EXPECT_EQ(out->output, t.expected) << ModeName(mode);
  }
  TestProgram rows = Find("vae_rows_bayes");
  const size_t cfg = rows.assembly.find("vae.cfg ");
  ASSERT_NE(cfg, std::string::npos);
  for (const char* field : {" dst_pitch=4", "\nvae.pitch x_pitch=4"}) {
    TestProgram bad = rows;
    bad.assembly.insert(bad.assembly.find('\n', cfg), field);
    auto out = RunTestProgram(bad, Mode::kFunc);
    ASSERT_FALSE(out.ok()) << field;
    EXPECT_THAT(out.status().message(), HasSubstr("operand pitches (vae.cfg dst_pitch, vae.pitch) "
                                                  "do not apply to it"));
  }
}

// ISA 1.1 operand pitches of every unit: the operand_pitches program (every operand a window of a
// wider layout) gives its golden; a pitch narrower than the channels, or rows that overlap, are
// errors naming the operand.
TEST(Simulator, OperandPitches) {
  TestProgram t = Find("operand_pitches");
  for (Mode mode : {Mode::kFunc, Mode::kBoth}) {
    auto out = RunTestProgram(t, mode);
    ASSERT_TRUE(out.ok()) << ModeName(mode) << ": " << out.status();
    EXPECT_EQ(out->output, t.expected) << ModeName(mode);
  }
  const std::pair<const char*, const char*> bad[] = {
      {"acc_row_pitch=96", "acc_row_pitch=32"},
      {"dst_pitch=2 dst_row_pitch=128", "dst_pitch=2 dst_row_pitch=32"},
  };
  const char* want[] = {"accumulator row pitch 32 is narrower than a row's 40 bytes",
                        "dst row pitch 32 is narrower than a row's 34 bytes"};
  for (int i = 0; i < 2; ++i) {
    TestProgram b = t;
    ASSERT_THAT(b.assembly, HasSubstr(bad[i].first));
    b.assembly = absl::StrReplaceAll(b.assembly, {{bad[i].first, bad[i].second}});
    auto out = RunTestProgram(b, Mode::kFunc);
    ASSERT_FALSE(out.ok()) << bad[i].second;
    EXPECT_THAT(out.status().message(), HasSubstr(want[i]));
  }
  // Each pitch is really read: without it the same program computes something else.
  for (const char* drop : {"tae.pitch in_pitch=3 ", "y_pitch=3", "src_pitch=3 dst_pitch=2 "}) {
    TestProgram d = t;
    ASSERT_THAT(d.assembly, HasSubstr(drop));
    d.assembly = absl::StrReplaceAll(d.assembly,
                                     {{drop, absl::StrContains(drop, "tae") ? "tae.pitch " : ""}});
    auto out = RunTestProgram(d, Mode::kFunc);
    if (out.ok()) {
      EXPECT_NE(out->output, t.expected) << drop;
    }
  }
}

TEST(Simulator, DeadlockNamesStuckQueues) {
  TestProgram t = Find("conv_requant");
  t.assembly = absl::StrReplaceAll(t.assembly, {{"wait=2 signal=3", "wait=9 signal=3"}});
  auto out = RunTestProgram(t, Mode::kPerf);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(out.status().message(), HasSubstr("deadlock"));
  EXPECT_THAT(out.status().message(),
              HasSubstr("VAE queue stuck at instruction 9 (vae.requant), 1 left: waits on "
                        "channel sem9 has 0 token(s)"));
  EXPECT_THAT(out.status().message(), HasSubstr("STORE queue stuck at instruction 11"));
}

TEST(Simulator, OutOfRangeAccessNamesTheInstructionInEveryMode) {
  TestProgram t = Find("conv_requant");
  t.assembly = absl::StrReplaceAll(
      t.assembly, {{"vae.requant src=0 dst=1024", "vae.requant src=0 dst=1048576"}});
  for (Mode mode : {Mode::kFunc, Mode::kPerf, Mode::kBoth}) {
    auto out = RunTestProgram(t, mode);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), absl::StatusCode::kOutOfRange);
    EXPECT_THAT(out.status().message(),
                HasSubstr("instruction 9: requant dst accesses FSRAM [0x100000, 0x100010)"));
  }
  TestProgram d = Find("conv_requant");
  d.assembly =
      absl::StrReplaceAll(d.assembly, {{"region=input offset=0", "region=input offset=4"}});
  auto out = RunTestProgram(d, Mode::kPerf);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(),
              HasSubstr("instruction 2: load src accesses DDR region input [0x4, 0xc) outside "
                        "its 8 bytes"));
}

TEST(Simulator, BadParameterRecordIsAnErrorNamingTheChannel) {
  TestProgram t = Find("conv_requant");
  t.params[16 + 4] = 1;  // multiplier 2^30 + 1 is fine; make it small instead
  t.params[16 + 7] = 0;  // multiplier 1 -> neither 0 nor in [2^30, 2^31)
  auto out = RunTestProgram(t, Mode::kBoth);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("instruction 9 (vae.requant): channel 0:"));
}

// Execution rules of vae.recip / vae.sqrt / vae.log and aae.topk (ISA.md §4), each an error
// naming the instruction.
TEST(Simulator, NormalizedTableAndTopKExecutionRules) {
  auto expect_error = [](const TestProgram& t, absl::string_view what) {
    auto out = RunTestProgram(t, Mode::kBoth);
    ASSERT_FALSE(out.ok()) << what;
    EXPECT_THAT(out.status().message(), HasSubstr(what));
  };
  {
    TestProgram t = Find("normalized_int16_bayes");
    t.params[5] = 1;  // a reserved header byte of the reciprocal table
    expect_error(t, "instruction 5 (vae.recip): normalized table: reserved byte 5");
    t = Find("normalized_int16_bayes");
    t.params[1056 + 8] = 1;  // log_offset in the sqrt table
    expect_error(t, "instruction 7 (vae.sqrt): normalized table: log_offset 1 must be 0");
    t = Find("normalized_int16_bayes");
    t.params[1856 + 4] = 95;  // shift 95: log_offset 2^32 aligned by 2^71 exceeds 2^100
    expect_error(t, "instruction 9 (vae.log): normalized table: log_offset");
    t = Find("normalized_int16_bayes");
    t.assembly = absl::StrReplaceAll(t.assembly,
                                     {{"x_dtype=s16 out_dtype=s8", "x_dtype=s16 out_dtype=s32"}});
    expect_error(t, "instruction 7 (vae.sqrt): out_dtype must be s8 or s16");
    t = Find("normalized_int16_bayes");
    t.assembly = absl::StrReplaceAll(
        t.assembly, {{"vae.cfg pixels=1 channels=6 x_dtype=s16 out_dtype=s16\nvae.recip",
                      "vae.cfg pixels=1 channels=6 x_dtype=s8 out_dtype=s16\nvae.recip"}});
    expect_error(t, "instruction 5 (vae.recip): x_dtype must be s16");
  }
  {
    TestProgram t = Find("topk");
    t.assembly =
        absl::StrReplaceAll(t.assembly, {{"axis=1 largest=1 k=2", "axis=1 largest=1 k=4"}});
    expect_error(t, "(aae.topk): k 4 exceeds the axis size 3");
    t = Find("topk");
    t.assembly = absl::StrReplaceAll(t.assembly, {{"out_h=2 out_w=2", "out_h=2 out_w=3"}});
    expect_error(t, "(aae.topk): topk output must be 2x2");
    t = Find("topk");
    t.assembly = absl::StrReplaceAll(t.assembly, {{"out_h=1 out_w=3 in_dtype=s8 out_dtype=s8",
                                                   "out_h=1 out_w=3 in_dtype=s8 out_dtype=s16"}});
    t.assembly = absl::StrReplaceAll(t.assembly, {{".march bernoulli2", ".march bayes"}});
    expect_error(t, "(aae.topk): topk needs out_dtype = in_dtype");
  }
}

// ISA 1.1 aae.gather: an index outside [-limit, limit) is an execution error naming the
// instruction and i (nothing written), and the footprint (every row an index may select) is
// bounds-checked before anything runs, in every mode. tae.matmul b_dtype s16 needs a_dtype s16.
TEST(Simulator, GatherAndInt16MatmulExecutionRules) {
  for (int64_t bad : {int64_t{5}, int64_t{-6}, int64_t{1} << 40}) {
    TestProgram t = Find("aae_gather");
    for (int i = 0; i < 8; ++i) t.input[16 + 8 * 2 + i] = static_cast<uint8_t>(bad >> (8 * i));
    for (Mode mode : {Mode::kFunc, Mode::kBoth}) {
      auto out = RunTestProgram(t, mode);
      ASSERT_FALSE(out.ok()) << bad;
      EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(out.status().message(),
                  HasSubstr(absl::StrCat("instruction 10 (aae.gather): index 2 is ", bad,
                                         ", outside [-5, 5)")));
    }
  }
  TestProgram t = Find("aae_gather");
  t.assembly = absl::StrReplaceAll(t.assembly, {{"count=4 limit=5 row=3 src_stride=16",
                                                 "count=4 limit=65535 row=3 src_stride=65535"}});
  for (Mode mode : {Mode::kFunc, Mode::kPerf, Mode::kBoth}) {
    auto out = RunTestProgram(t, mode);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), absl::StatusCode::kOutOfRange);
    EXPECT_THAT(out.status().message(), HasSubstr("instruction 10: gather src accesses FSRAM"));
  }
  TestProgram m = Find("matmul_s16_s16_bayes_e");
  m.assembly = absl::StrReplaceAll(m.assembly, {{"a_dtype=s16 b_space=weight b_kn=0 b_dtype=s16",
                                                 "a_dtype=s8 b_space=weight b_kn=0 b_dtype=s16"}});
  auto out = RunTestProgram(m, Mode::kPerf);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("(tae.matmul): b_dtype s16 needs a_dtype s16"));
}

// vae.div / vae.select (ISA 1.1): random operands against numerics::ApplyDiv and the select
// rule, then the execution rules, each an error naming the instruction.
TEST(Simulator, DivSelectMatchNumericsAndExecutionRules) {
  std::mt19937 rng(11);
  const numerics::DivParams p{numerics::MakeReciprocalTable(), {1 << 30, 30}};
  for (int round = 0; round < 20; ++round) {
    TestProgram t = Find("div_select_bayes");
    std::uniform_int_distribution<int> s16(-32768, 32767), s8(-128, 127), small(-3, 3);
    std::vector<int64_t> x1(6), y1(3), x2(4), cond(6), xs(6), ys(6);
    for (int64_t& v : x1) v = s16(rng);
    for (int64_t& v : y1) v = round % 4 == 0 ? small(rng) : s16(rng);
    for (int64_t& v : x2) v = s8(rng);
    const int64_t y2 = round % 3 == 0 ? small(rng) : s16(rng);
    for (int64_t& v : cond) v = small(rng) / 2;
    for (int64_t& v : xs) v = s8(rng);
    for (int64_t& v : ys) v = s8(rng);
    t.input.clear();
    t.expected.clear();
    for (int64_t v : x1) testing::Put16(t.input, static_cast<int16_t>(v));
    for (int64_t v : y1) testing::Put16(t.input, static_cast<int16_t>(v));
    for (int64_t v : x2) testing::Put8(t.input, static_cast<int8_t>(v));
    testing::Put16(t.input, static_cast<int16_t>(y2));
    for (const auto* v : {&cond, &xs, &ys})
      for (int64_t e : *v) testing::Put8(t.input, static_cast<int8_t>(e));
    for (int i = 0; i < 6; ++i)
      testing::Put16(t.expected,
                     static_cast<int16_t>(numerics::ApplyDiv(p, x1[i], y1[i % 3], -32768, 32767)));
    for (int i = 0; i < 4; ++i)
      testing::Put8(t.expected, static_cast<int8_t>(numerics::ApplyDiv(p, x2[i], y2, -128, 127)));
    for (int i = 0; i < 6; ++i)
      testing::Put8(t.expected, static_cast<int8_t>(cond[i] ? xs[i] : ys[i]));
    for (Mode mode : {Mode::kFunc, Mode::kBoth}) {
      auto out = RunTestProgram(t, mode);
      ASSERT_TRUE(out.ok()) << out.status();
      EXPECT_EQ(out->output, t.expected) << "round " << round;
    }
  }
  auto expect_error = [](const TestProgram& t, absl::string_view what) {
    auto out = RunTestProgram(t, Mode::kBoth);
    ASSERT_FALSE(out.ok()) << what;
    EXPECT_THAT(out.status().message(), HasSubstr(what));
  };
  TestProgram t = Find("div_select_bayes");
  t.params[6] = 1;  // a reserved header byte of the DivParam image
  expect_error(t, "instruction 16 (vae.div): DivParam: reserved byte 6");
  t = Find("div_select_bayes");
  t.params[3] = 0x20;  // multiplier 2^29, below 2^30
  expect_error(t, "instruction 16 (vae.div): DivParam: requantize multiplier");
  t = Find("div_select_bayes");
  t.assembly = absl::StrReplaceAll(t.assembly, {{"x_dtype=s8 y_dtype=s16 out_dtype=s8",
                                                 "x_dtype=s32 y_dtype=s16 out_dtype=s8"}});
  expect_error(t, "instruction 18 (vae.div): vae.div x_dtype must be s8 or s16");
  t = Find("div_select_bayes");
  t.assembly = absl::StrReplaceAll(
      t.assembly, {{"x_dtype=s8 y_dtype=s8 out_dtype=s8", "x_dtype=s8 y_dtype=s8 out_dtype=s16"}});
  expect_error(t, "instruction 20 (vae.select): vae.select needs x_dtype = y_dtype = out_dtype");
  t = Find("div_select_bayes");
  t.assembly = absl::StrReplaceAll(t.assembly, {{"x_dtype=s8 y_dtype=s8 out_dtype=s8",
                                                 "x_dtype=s8 y_dtype=s8 out_dtype=s8 relu=1"}});
  expect_error(t, "instruction 20 (vae.select): vae.select copies");
}

TEST(Simulator, ForceSerialRemovesOverlap) {
  const TestProgram& t = Find("double_buffered_conv");
  auto overlapped = RunTestProgram(t, Mode::kBoth);
  auto serial = RunTestProgram(t, Mode::kBoth, /*force_serial=*/true);
  ASSERT_TRUE(overlapped.ok()) << overlapped.status();
  ASSERT_TRUE(serial.ok()) << serial.status();
  EXPECT_EQ(serial->output, t.expected);
  uint64_t busy = 0;
  for (const UnitStats& u : serial->result.stats.units) busy += u.busy_cycles;
  EXPECT_EQ(serial->result.stats.total_cycles, busy);  // nothing overlaps
  EXPECT_LT(overlapped->result.stats.total_cycles, serial->result.stats.total_cycles);
  std::printf("double_buffered_conv: %llu cycles overlapped, %llu serial\n",
              static_cast<unsigned long long>(overlapped->result.stats.total_cycles),
              static_cast<unsigned long long>(serial->result.stats.total_cycles));
}

// A LOAD of 64 rows of 3 bytes: contiguous in DDR it is one 192-byte run (3 bursts of 64); with
// a 64-byte row stride it is 64 runs, each a whole burst, so the same 192 useful bytes occupy the
// channel for 4096 bytes' worth of cycles (march.ddr_burst_bytes, ISA.md cost model).
TEST(Simulator, ShortDmaRunsCostWholeBursts) {
  auto cycles = [](int ddr_s1) -> std::pair<uint64_t, uint64_t> {
    const std::string text = absl::StrCat(
        ".march bernoulli2\n.ddr input=4096 output=16 scratch=0\n",
        "load.shape elem=1 n0=3 n1=64 n2=1 pad_top=0 pad_bottom=0 pad_left=0 pad_right=0 "
        "pad_value=0\n",
        "load.stride ddr_s1=", ddr_s1, " ddr_s2=0 sram_s1=3 sram_s2=0\n",
        "load dst_space=feature dst=0 region=input offset=0\nend\n");
    absl::StatusOr<isa::Program> p = isa::AssembleProgram(text);
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return {0, 0};
    SimulatorOptions opt;
    opt.run.mode = Mode::kPerf;
    auto sim = Simulator::Create(*p, **isa::FindMarch("bernoulli2"), opt);
    EXPECT_TRUE(sim.ok()) << sim.status();
    if (!sim.ok()) return {0, 0};
    auto r = (*sim)->Run();
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {0, 0};
    return {r->stats.total_cycles, r->stats.ddr_loaded_bytes};
  };
  const auto [contiguous, bytes_c] = cycles(3);
  const auto [strided, bytes_s] = cycles(64);
  EXPECT_EQ(bytes_c, 192u);
  EXPECT_EQ(bytes_s, 192u);  // the useful bytes are the same
  const isa::March& m = **isa::FindMarch("bernoulli2");
  const double bpc = m.DdrBytesPerCycle();
  EXPECT_EQ(strided - contiguous, static_cast<uint64_t>(std::ceil(4096 / bpc)) -
                                      static_cast<uint64_t>(std::ceil(192 / bpc)));
  std::printf("dma-bursts: 64 rows of 3 bytes, contiguous %llu cycles, strided %llu cycles\n",
              static_cast<unsigned long long>(contiguous),
              static_cast<unsigned long long>(strided));
}

// A depthwise conv (one input channel per group) runs weight_tile_oc channels per pass of the
// array (ISA.md cost model): 3x3 over 8x8 outputs of 64 channels on bernoulli2 (4x4 pixel tiles,
// 8 output lanes) is 2 x 2 x 8 x 9 = 288 passes, where a pass per group would be 64 x 2 x 2 x 9.
TEST(Simulator, DepthwiseConvFillsTheOutputLanes) {
  auto cycles = [](int groups) -> uint64_t {
    const std::string text = absl::StrCat(".march bernoulli2\n.ddr input=16 output=16 scratch=0\n",
                                          "tae.kernel kernel_h=3 kernel_w=3 groups=", groups, "\n",
                                          "tae.tile in_h=10 in_w=10 in_c=64 out_c=64 in_dtype=s8\n",
                                          "tae.conv in=0 weight=0 acc=0\nend\n");
    absl::StatusOr<isa::Program> p = isa::AssembleProgram(text);
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return 0;
    SimulatorOptions opt;
    opt.run.mode = Mode::kPerf;
    auto sim = Simulator::Create(*p, **isa::FindMarch("bernoulli2"), opt);
    EXPECT_TRUE(sim.ok()) << sim.status();
    if (!sim.ok()) return 0;
    auto r = (*sim)->Run();
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->stats.units[static_cast<int>(Unit::kTae)].busy_cycles : 0;
  };
  const isa::March& m = **isa::FindMarch("bernoulli2");
  const uint64_t issue = m.issue_cycles.value, config = 2;  // tae.kernel, tae.tile: 1 cycle each
  auto passes = [&](int64_t n) {  // n passes at the march's TAE efficiency
    return static_cast<uint64_t>(std::ceil(n / m.tae_efficiency.value));
  };
  EXPECT_EQ(cycles(64), config + issue + passes(2 * 2 * 8 * 9));
  // Two groups of 32 channels: a pass per group, each over 32 / 8 input lanes and 32 / 8 outputs.
  EXPECT_EQ(cycles(2), config + issue + passes(2 * (2 * 2 * 4 * 4 * 9)));
}

TEST(Simulator, StatisticsAndTrace) {
  const TestProgram& t = Find("double_buffered_conv");
  auto out = RunTestProgram(t, Mode::kBoth, false, /*trace=*/true);
  ASSERT_TRUE(out.ok());
  const SimStats& s = out->result.stats;
  EXPECT_EQ(s.ddr_loaded_bytes, 48u + 4 * 256u);
  EXPECT_EQ(s.ddr_stored_bytes, 64u);
  EXPECT_EQ(s.macs, 4u * 16 * 16);
  EXPECT_DOUBLE_EQ(s.latency_us, s.total_cycles / 1000.0);  // 1 GHz
  ASSERT_EQ(s.layers.size(), 1u);
  EXPECT_EQ(s.layers[0].name, "layer1.0.conv1");
  EXPECT_EQ(s.layers[0].macs, s.macs);
  std::printf("%s", StatsSummary(s).c_str());
  const std::string path = absl::StrCat(::testing::TempDir(), "/sim_trace.json");
  std::ofstream(path) << out->result.trace_json;
  const std::string cmd = absl::StrCat("/usr/bin/python3 simulator/trace_check.py ", path, " 20 5");
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

TEST(Simulator, WrongMarchAndOversizedProgramsAreRejected) {
  auto p = testing::Build(Find("conv_requant"));
  ASSERT_TRUE(p.ok());
  auto bayes = isa::FindMarch("bayes");
  ASSERT_TRUE(bayes.ok());
  EXPECT_FALSE(Simulator::Create(*p, **bayes, {}).ok());
  SimulatorOptions opt;
  opt.max_instructions = 3;
  EXPECT_EQ(Simulator::Create(*p, **isa::FindMarch(p->march), opt).status().code(),
            absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace openbpu::sim
