// Tests of the program container: round trip, one named test per rule of ISA.md §6, and
// corrupt/truncated bytes giving errors (never crashes).
#include "isa/program.h"

#include <random>

#include "gtest/gtest.h"

namespace openbpu::isa {
namespace {

Instruction Make(Payload payload, uint16_t layer = kNoLayer) {
  Instruction inst;
  inst.payload = std::move(payload);
  inst.common.layer = layer;
  return inst;
}

Program Sample() {
  Program p;
  p.march = MarchId::kBayes;
  p.ddr_input_bytes = 1024;
  p.ddr_output_bytes = 512;
  p.ddr_scratch_bytes = 4096;
  p.layers = {{0, "conv1"}, {7, "layer1.0.conv2"}};
  Instruction load = Make(Load{Space::kFeature, 0, Region::kInput, 0}, 0);
  load.common.signal = {1, 0};
  Instruction conv = Make(TaeConv{0, 0, 0, false}, 0);
  conv.common.wait = {1, 0};
  conv.common.signal = {2, 0};
  TaeTile tile;
  tile.in_dtype = DType::kS16;
  p.instructions = {Make(LoadShape{}), load, Make(tile, 7), conv, Make(End{})};
  p.params = {1, 2, 3, 4, 5};
  return p;
}

std::vector<uint8_t> Bytes(const Program& p) {
  absl::StatusOr<std::vector<uint8_t>> b = SerializeProgram(p);
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? *b : std::vector<uint8_t>{};
}

void ExpectParseError(const std::vector<uint8_t>& bytes, absl::string_view rule) {
  absl::StatusOr<Program> p = ParseProgram(bytes);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find(rule), absl::string_view::npos) << p.status();
}

void ExpectValidateError(const Program& p, absl::string_view rule) {
  absl::Status s = ValidateProgram(p);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(rule), absl::string_view::npos) << s;
  EXPECT_FALSE(SerializeProgram(p).ok());
}

TEST(Program, RoundTrip) {
  const Program p = Sample();
  const std::vector<uint8_t> bytes = Bytes(p);
  EXPECT_EQ(bytes.size(), kProgramHeaderBytes + (4 + 5) + (4 + 14) + 5 * 16 + 5);
  absl::StatusOr<Program> q = ParseProgram(bytes);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(*q, p);
  EXPECT_EQ(Bytes(*q), bytes);
}

TEST(ProgramRule, Rule1Truncated) {
  const std::vector<uint8_t> bytes = Bytes(Sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    absl::StatusOr<Program> p = ParseProgram(absl::MakeConstSpan(bytes.data(), n));
    ASSERT_FALSE(p.ok()) << n;
    EXPECT_NE(p.status().message().find("truncated"), absl::string_view::npos)
        << n << ": " << p.status();
  }
}

TEST(ProgramRule, Rule2BadMagic) {
  std::vector<uint8_t> bytes = Bytes(Sample());
  bytes[0] = 'X';
  ExpectParseError(bytes, "bad magic");
}

TEST(ProgramRule, Rule3Version) {
  std::vector<uint8_t> bytes = Bytes(Sample());
  bytes[4] = 2;  // major 2
  ExpectParseError(bytes, "version");
  EXPECT_EQ(ParseProgram(bytes).status().code(), absl::StatusCode::kUnimplemented);
  bytes = Bytes(Sample());
  bytes[6] = kIsaVersionMinor + 1;
  ExpectParseError(bytes, "version");
}

TEST(ProgramRule, Rule4UnknownMarch) {
  std::vector<uint8_t> bytes = Bytes(Sample());
  bytes[8] = 3;
  ExpectParseError(bytes, "unknown march");
}

TEST(ProgramRule, Rule5ReservedHeaderBytes) {
  std::vector<uint8_t> bytes = Bytes(Sample());
  bytes[10] = 1;
  ExpectParseError(bytes, "reserved header");
  bytes = Bytes(Sample());
  bytes[21] = 1;
  ExpectParseError(bytes, "reserved header");
}

TEST(ProgramRule, Rule6TrailingBytes) {
  std::vector<uint8_t> bytes = Bytes(Sample());
  bytes.push_back(0);
  ExpectParseError(bytes, "trailing bytes");
}

TEST(ProgramRule, Rule7LayerTable) {
  Program p = Sample();
  p.layers[kNoLayer] = "x";
  ExpectValidateError(p, "layer table");
  p = Sample();
  p.layers[3] = "";
  ExpectValidateError(p, "layer table");
  // Duplicate ids only exist in bytes: rewrite layer 7's id to 0.
  std::vector<uint8_t> bytes = Bytes(Sample());
  const size_t second = kProgramHeaderBytes + 4 + 5;
  bytes[second] = 0;
  ExpectParseError(bytes, "duplicate layer id");
}

TEST(ProgramRule, Rule8InvalidInstructionWord) {
  std::vector<uint8_t> bytes = Bytes(Sample());
  const size_t words = kProgramHeaderBytes + 9 + 18;
  bytes[words + 16 * 3] = 0xEE;  // opcode of instruction 3
  absl::StatusOr<Program> p = ParseProgram(bytes);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("instruction 3"), absl::string_view::npos) << p.status();
  EXPECT_NE(p.status().message().find("unknown opcode"), absl::string_view::npos);
}

TEST(ProgramRule, Rule9UnknownLayer) {
  Program p = Sample();
  p.instructions[1].common.layer = 5;
  ExpectValidateError(p, "unknown layer");
}

TEST(ProgramRule, Rule10EndPlacement) {
  Program p = Sample();
  p.instructions.pop_back();
  ExpectValidateError(p, "end placement");
  p = Sample();
  p.instructions.insert(p.instructions.begin(), Make(End{}));
  ExpectValidateError(p, "end placement");
}

TEST(ProgramRule, Rule11DTypeNotSupportedByMarch) {
  Program p = Sample();
  p.march = MarchId::kBernoulli2;
  ExpectValidateError(p, "dtype not supported by the march");
  p.instructions[2] = Make(TaeTile{});
  EXPECT_TRUE(ValidateProgram(p).ok());
  p.instructions.insert(p.instructions.begin(), Make(VaeLut16{}));
  ExpectValidateError(p, "dtype not supported by the march");
  p.march = MarchId::kBayesE;
  EXPECT_TRUE(ValidateProgram(p).ok());
  // The int16 normalized-table instructions are bayes / bayes-e only too.
  for (Payload op : {Payload(VaeRecip{}), Payload(VaeSqrt{}), Payload(VaeLog{})}) {
    p.instructions[0] = Make(op);
    p.march = MarchId::kBernoulli2;
    ExpectValidateError(p, "dtype not supported by the march");
    p.march = MarchId::kBayes;
    EXPECT_TRUE(ValidateProgram(p).ok());
  }
}

TEST(ProgramRule, Rule12EmptyProgram) {
  Program p = Sample();
  p.instructions.clear();
  ExpectValidateError(p, "empty program");
  std::vector<uint8_t> bytes = Bytes(Sample());
  bytes[12] = bytes[13] = bytes[14] = bytes[15] = 0;
  ExpectParseError(bytes, "empty program");
}

// ISA 1.1 words in a program whose header says ISA 1.0: a second-page opcode, or a field 1.1
// added to an older instruction (tae.mmcfg b_dtype); the same program as 1.1 is valid, and an
// ISA 1.0 program without them still reads.
TEST(ProgramRule, Rule13Isa11WordInIsa10Program) {
  Program p = Sample();
  p.instructions.insert(p.instructions.begin(), Make(VaeSoftmax{}));
  EXPECT_TRUE(ValidateProgram(p).ok());
  p.version_minor = 0;
  ExpectValidateError(p, "version: instruction 0 (vae.softmax) is ISA 1.1");
  TaeMmCfg mm;
  mm.a_dtype = DType::kS16;
  mm.b_dtype = DType::kS16;
  p.instructions[0] = Make(mm);
  ExpectValidateError(p, "version: instruction 0 (tae.mmcfg with b_dtype) is ISA 1.1");
  for (Payload op : {Payload(AaeGatherCfg{}), Payload(VaeSelect{})}) {
    p.instructions[0] = Make(op);
    ExpectValidateError(p, "is ISA 1.1; the program header says ISA 1.0");
  }
  VaeCfg cfg;
  cfg.dst_pitch = 4;
  p.instructions[0] = Make(cfg);
  ExpectValidateError(p, "version: instruction 0 (vae.cfg with dst_pitch) is ISA 1.1");
  p.instructions[0] = Make(TaeMmCfg{});
  ASSERT_TRUE(ValidateProgram(p).ok());
  const std::vector<uint8_t> v10 = Bytes(p);
  EXPECT_EQ(v10[6], 0);  // minor version 0 in the header
  absl::StatusOr<Program> q = ParseProgram(v10);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->version_minor, 0);
  // A 1.0 container carrying a 1.1 word (patched in) is rejected when parsed.
  p.version_minor = 1;
  p.instructions[0] = Make(VaeSoftmax{});
  std::vector<uint8_t> bytes = Bytes(p);
  bytes[6] = 0;
  ExpectParseError(bytes, "is ISA 1.1");
}

// ISA 1.2: a two-core program (two streams, each ending with `end`, an xsync from each core to
// the other) round-trips with header byte 9 = 1; more streams than the march's cores, streams in
// a 1.1 header, and a byte 9 past the limit are rejected.
Program TwoCores() {
  Program p = Sample();
  p.cores = 2;
  Instruction x0 = Make(XSync{Unit::kTae, 1, 5});
  Instruction x1 = Make(XSync{Unit::kLoad, 0, 9});
  p.instructions = {Make(LoadShape{}), x0, Make(End{}), x1, Make(End{})};
  return p;
}

TEST(ProgramRule, Rule14Cores) {
  Program p = TwoCores();
  const std::vector<uint8_t> bytes = Bytes(p);
  EXPECT_EQ(bytes[9], 1);
  absl::StatusOr<Program> q = ParseProgram(bytes);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(*q, p);
  p.march = MarchId::kBayesE;  // one core
  ExpectValidateError(p, "cores: the program has 2 instruction stream(s); bayes-e has 1 core(s)");
  p = TwoCores();
  p.version_minor = 1;
  ExpectValidateError(p, "version: a program for 2 cores is ISA 1.2");
  p = TwoCores();
  p.cores = 1;
  p.instructions.resize(3);
  p.instructions[1] = Make(XSync{Unit::kTae, 0, 5});
  p.instructions.back() = Make(End{});
  ExpectValidateError(p,
                      "xsync target: instruction 1 (xsync on core 0) signals core 0, its own core");
  std::vector<uint8_t> patched = bytes;
  patched[9] = 7;
  ExpectParseError(patched, "cores: header byte 9 says 8 cores");
  patched = bytes;
  patched[10] = 1;
  ExpectParseError(patched, "reserved header bytes 10..11 nonzero");
}

TEST(ProgramRule, Rule15XSyncTargetAndEndCount) {
  Program p = TwoCores();
  p.instructions[1] = Make(XSync{Unit::kTae, 3, 5});
  ExpectValidateError(p, "xsync target: instruction 1 (xsync on core 0) signals core 3");
  p = TwoCores();
  p.instructions = {Make(LoadShape{}), Make(End{})};  // one `end` for two cores
  ExpectValidateError(p, "end placement: 1 `end` word(s) for a program of 2 cores");
  p = TwoCores();
  p.instructions.push_back(Make(End{}));
  ExpectValidateError(p, "end placement: `end` at instruction 5 is end number 3");
}

TEST(ProgramRule, HugeCountsDoNotAllocate) {
  std::vector<uint8_t> bytes = Bytes(Sample());
  bytes[12] = bytes[13] = bytes[14] = bytes[15] = 0xFF;  // 4 billion instructions
  ExpectParseError(bytes, "truncated");
  bytes = Bytes(Sample());
  bytes[16] = bytes[17] = bytes[18] = bytes[19] = 0xFF;  // 4 billion layers
  ExpectParseError(bytes, "truncated");
  bytes = Bytes(Sample());
  for (int i = 48; i < 56; ++i) bytes[i] = 0xFF;  // 2^64 - 1 parameter bytes
  ExpectParseError(bytes, "truncated");
}

TEST(Program, RandomCorruptionNeverCrashes) {
  const std::vector<uint8_t> good = Bytes(Sample());
  std::mt19937_64 rng(99);
  int ok = 0;
  constexpr int kCount = 20000;
  for (int i = 0; i < kCount; ++i) {
    std::vector<uint8_t> bytes = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] ^= static_cast<uint8_t>(rng());
    if (rng() % 8 == 0) bytes.resize(rng() % (bytes.size() + 1));
    absl::StatusOr<Program> p = ParseProgram(bytes);
    if (p.ok()) {
      ++ok;
      // Whatever parses re-serializes to the same bytes.
      absl::StatusOr<std::vector<uint8_t>> again = SerializeProgram(*p);
      ASSERT_TRUE(again.ok()) << again.status();
      EXPECT_EQ(*again, bytes);
    }
  }
  std::printf("program corruption: %d corrupted programs, %d still valid, 0 crashes\n", kCount, ok);
}

}  // namespace
}  // namespace openbpu::isa
