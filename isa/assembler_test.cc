// Tests of the assembler/disassembler: round trip on every instruction kind (defaults and random
// field values), whole programs, and errors that name the line.
#include "isa/assembler.h"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace openbpu::isa {
namespace {

int64_t RandomValue(const FieldSpec& spec, std::mt19937_64& rng) {
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  switch (spec.kind) {
    case FieldKind::kUnsigned:
    case FieldKind::kSigned:
      return uniform(spec.min, spec.max);
    case FieldKind::kAddr16:
      return uniform(0, spec.max / kSramAlign) * kSramAlign;
    case FieldKind::kBool:
      return uniform(0, 1);
    case FieldKind::kElem:
      return int64_t{1} << uniform(0, 3);
    default: {
      std::vector<int> codes;
      for (int c = 0; c < (1 << spec.width); ++c) {
        if (spec.allowed & Bit(c)) codes.push_back(c);
      }
      return codes[uniform(0, static_cast<int64_t>(codes.size()) - 1)];
    }
  }
}

TEST(Assembler, EveryKindRoundTrips) {
  std::mt19937_64 rng(11);
  for (int kind = 0; kind < kNumInstructionKinds; ++kind) {
    for (int trial = 0; trial < 200; ++trial) {
      Instruction inst = MakeDefault(kind);
      if (trial > 0) {
        for (const FieldInfo& f : AllOpcodes()[kind].fields) {
          ASSERT_TRUE(SetField(inst, f.name, RandomValue(f.spec, rng)).ok());
        }
        if (!std::holds_alternative<End>(inst.payload)) {
          inst.common.layer = static_cast<uint16_t>(rng());
          inst.common.wait = {static_cast<uint8_t>(rng() % 64), static_cast<uint8_t>(rng() % 64)};
          inst.common.signal = {static_cast<uint8_t>(rng() % 64), static_cast<uint8_t>(rng() % 64)};
        }
      }
      const std::string text = Disassemble(inst);
      absl::StatusOr<Instruction> back = AssembleLine(text);
      ASSERT_TRUE(back.ok()) << text << ": " << back.status();
      ASSERT_EQ(*back, inst) << text;
      ASSERT_EQ(Disassemble(*back), text);
    }
  }
}

TEST(Assembler, DefaultsCommentsHexAndEnumNames) {
  absl::StatusOr<std::vector<Instruction>> insts = AssembleInstructions(
      "# a comment line\n"
      "\n"
      "tae.tile in_h=0x10 in_w=16 in_c=3 out_c=64 in_dtype=s16 ; trailing comment\n"
      "load.shape pad_value=-128 elem=2\n"
      "load dst_space=weight region=param offset=0x100 layer=3 wait=1,2 signal=4\n"
      "aae.reduce op=argmax axes=4 select_last=1\n"
      "end\n");
  ASSERT_TRUE(insts.ok()) << insts.status();
  ASSERT_EQ(insts->size(), 5u);
  const auto& tile = std::get<TaeTile>((*insts)[0].payload);
  EXPECT_EQ(tile.in_h, 16);
  EXPECT_EQ(tile.in_dtype, DType::kS16);
  EXPECT_EQ(tile.in_row_pitch, 0);
  EXPECT_EQ(std::get<LoadShape>((*insts)[1].payload).pad_value, -128);
  EXPECT_EQ(std::get<LoadShape>((*insts)[1].payload).elem, 2);
  const Instruction& load = (*insts)[2];
  EXPECT_EQ(load.common.layer, 3);
  EXPECT_EQ(load.common.wait, (std::array<uint8_t, 2>{1, 2}));
  EXPECT_EQ(load.common.signal, (std::array<uint8_t, 2>{4, 0}));
  EXPECT_EQ(std::get<Load>(load.payload).dst_space, Space::kWeight);
  EXPECT_EQ(std::get<Load>(load.payload).offset, 256);
  EXPECT_EQ(std::get<AaeReduce>((*insts)[3].payload).op, ReduceOp::kArgMax);
}

void ExpectLineError(absl::string_view text, int line, absl::string_view what) {
  absl::StatusOr<std::vector<Instruction>> r = AssembleInstructions(text);
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_NE(r.status().message().find(absl::StrCat("line ", line, ":")), absl::string_view::npos)
      << r.status();
  EXPECT_NE(r.status().message().find(what), absl::string_view::npos) << r.status();
}

TEST(Assembler, ErrorsNameTheLine) {
  ExpectLineError("end\nfrobnicate x=1\n", 2, "unknown mnemonic");
  ExpectLineError("\n\ntae.conv in=8\n", 3, "misaligned");
  ExpectLineError("tae.conv bogus=1\n", 1, "no field 'bogus'");
  ExpectLineError("tae.conv in\n", 1, "field=value");
  ExpectLineError("tae.tile in_dtype=s32\n", 1, "dtype not allowed");
  ExpectLineError("tae.tile in_dtype=f32\n", 1, "bad value");
  ExpectLineError("tae.kernel groups=0\n", 1, "zero size");
  ExpectLineError("sync unit=tae unit=vae\n", 1, "duplicate field");
  ExpectLineError("sync wait=1,2,3\n", 1, "at most two");
  ExpectLineError("sync signal=64\n", 1, "semaphore");
  ExpectLineError("sync layer=70000\n", 1, "layer");
  ExpectLineError("end wait=1\n", 1, "end with dependencies");
  ExpectLineError("load.shape pad_value=40000\n", 1, "out of range");
}

TEST(Assembler, ProgramRoundTrip) {
  const char* kText =
      ".march bayes\n"
      ".ddr input=1024 output=256 scratch=0\n"
      ".layer 0 conv1\n"
      ".layer 1 layer1.0 relu # not a comment\n"
      ".params 00112233445566778899aabbccddeeff\n"
      ".params 0102\n"
      "load.shape elem=1 n0=64 n1=8 n2=8 layer=0\n"
      "load dst_space=feature dst=0 region=input offset=0 signal=1 layer=0\n"
      "tae.conv in=0 weight=0 acc=0 wait=1 signal=2 layer=0\n"
      "vae.requant src=0 dst=4096 param=0 wait=2 signal=3 layer=1\n"
      "store src_space=feature src=4096 region=output offset=0 wait=3 layer=1\n"
      "end\n";
  absl::StatusOr<Program> p = AssembleProgram(kText);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->march, MarchId::kBayes);
  EXPECT_EQ(p->ddr_input_bytes, 1024u);
  EXPECT_EQ(p->layers.at(1), "layer1.0 relu # not a comment");
  EXPECT_EQ(p->params.size(), 18u);
  EXPECT_EQ(p->instructions.size(), 6u);
  const std::string text = DisassembleProgram(*p);
  absl::StatusOr<Program> q = AssembleProgram(text);
  ASSERT_TRUE(q.ok()) << q.status() << "\n" << text;
  EXPECT_EQ(*q, *p);
  EXPECT_EQ(DisassembleProgram(*q), text);
}

// ISA 1.2: `.cores 2`, two streams and xsync; the disassembly marks each core's stream.
TEST(Assembler, TwoCoreProgramRoundTrip) {
  const char* kText =
      ".march bernoulli2\n"
      ".cores 2\n"
      ".ddr input=16 output=16 scratch=0\n"
      "load dst_space=feature dst=0 region=input offset=0\n"
      "xsync unit=load core=1 sem=7\n"
      "end\n"
      "sync unit=store wait=7\n"
      "store src_space=feature src=0 region=output offset=0\n"
      "end\n";
  absl::StatusOr<Program> p = AssembleProgram(kText);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->cores, 2);
  const std::string text = DisassembleProgram(*p);
  EXPECT_NE(text.find(".cores 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("end  # 2\n# core 1\nsync"), std::string::npos) << text;
  absl::StatusOr<Program> q = AssembleProgram(text);
  ASSERT_TRUE(q.ok()) << q.status() << "\n" << text;
  EXPECT_EQ(*q, *p);
  EXPECT_FALSE(AssembleProgram(".cores 0\nend\n").ok());
  EXPECT_FALSE(AssembleProgram(".cores 2\nend\n").ok());  // one stream for two cores
  absl::StatusOr<Program> e = AssembleProgram(".march bayes-e\n.cores 2\nend\nend\n");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("bayes-e has 1 core(s)"), std::string::npos) << e.status();
}

TEST(Assembler, ProgramErrors) {
  EXPECT_FALSE(AssembleProgram(".march x3\nend\n").ok());
  EXPECT_FALSE(AssembleProgram(".params 0g\nend\n").ok());
  EXPECT_FALSE(AssembleProgram(".params 012\nend\n").ok());
  EXPECT_FALSE(AssembleProgram(".ddr foo=1\nend\n").ok());
  EXPECT_FALSE(AssembleProgram(".layer x name\nend\n").ok());
  EXPECT_FALSE(AssembleProgram(".layer 1 a\n.layer 1 b\nend\n").ok());
  EXPECT_FALSE(AssembleProgram(".bogus\nend\n").ok());
  EXPECT_FALSE(AssembleProgram("sync\n").ok());  // no end
  absl::StatusOr<Program> p = AssembleProgram("sync layer=4\nend\n");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("unknown layer"), absl::string_view::npos);
}

TEST(Assembler, RandomTextNeverCrashes) {
  const std::vector<std::string> pieces = {"tae.conv",
                                           "vae.cfg",
                                           "load",
                                           "end",
                                           "sync",
                                           ".march",
                                           ".layer",
                                           ".params",
                                           ".ddr",
                                           "in=",
                                           "x_dtype=",
                                           "s8",
                                           "feature",
                                           "=",
                                           "0x",
                                           "-",
                                           "1",
                                           "99999999999999999999",
                                           ",",
                                           "wait=",
                                           "signal=1,",
                                           "layer=",
                                           "#",
                                           ";",
                                           " ",
                                           "\t",
                                           "\n",
                                           "ff",
                                           "aae.reduce",
                                           "op=",
                                           "argmax",
                                           "bayes",
                                           "unit=vae",
                                           "0xfffffffffffffffff",
                                           "pad_value=-32768"};
  std::mt19937_64 rng(3);
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    const int n = static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) text += pieces[rng() % pieces.size()];
    if (AssembleInstructions(text).ok()) ++ok;
    (void)AssembleProgram(text);
  }
  std::printf("assembler fuzz: 20000 random texts, %d assembled, 0 crashes\n", ok);
}

TEST(Assembler, IsaMdExampleAssembles) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const std::string path =
      srcdir ? absl::StrCat(srcdir, "/openbpu/isa/ISA.md") : std::string("isa/ISA.md");
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const size_t at = doc.find("Typical pattern");
  ASSERT_NE(at, std::string::npos);
  const size_t b = doc.find("```\n", at) + 4;
  const size_t e = doc.find("```", b);
  absl::StatusOr<Program> p = AssembleProgram(doc.substr(b, e - b));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->instructions.size(), 6u);
}

}  // namespace
}  // namespace openbpu::isa
