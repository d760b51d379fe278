// Tests of the instruction encoding: one named test per invalidity rule of ISA.md §5, the
// encode/decode round trip on random valid instructions, random words never crashing the
// decoder, and agreement of the field tables with ISA.md's instruction tables.
#include "isa/instruction.h"

#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"

namespace openbpu::isa {
namespace {

using u128 = unsigned __int128;

Word128 MustEncode(const Instruction& inst) {
  absl::StatusOr<Word128> w = Encode(inst);
  EXPECT_TRUE(w.ok()) << w.status();
  return w.ok() ? *w : Word128{0, 0};
}

Instruction Make(Payload payload) {
  Instruction inst;
  inst.payload = std::move(payload);
  return inst;
}

const FieldInfo& Field(Opcode op, absl::string_view name) {
  const OpcodeInfo* info = FindOpcode(static_cast<uint8_t>(op));
  for (const FieldInfo& f : info->fields) {
    if (f.name == name) return f;
  }
  ADD_FAILURE() << "no field " << name;
  static FieldInfo none;
  return none;
}

// Overwrites the raw bits of one field in an encoded word.
Word128 WithBits(Word128 w, int lsb, int width, uint64_t bits) {
  u128 v = (static_cast<u128>(w[1]) << 64) | w[0];
  const u128 mask = ((static_cast<u128>(1) << width) - 1) << lsb;
  v = (v & ~mask) | ((static_cast<u128>(bits) << lsb) & mask);
  return {static_cast<uint64_t>(v), static_cast<uint64_t>(v >> 64)};
}

void ExpectRule(const Word128& w, absl::string_view rule, absl::string_view field = "") {
  absl::StatusOr<Instruction> d = Decode(w);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find(rule), absl::string_view::npos) << d.status();
  if (!field.empty()) {
    EXPECT_NE(d.status().message().find(absl::StrCat("'", field, "'")), absl::string_view::npos)
        << d.status();
  }
}

// ---- ISA.md §5, one test per rule ----------------------------------------------------------

TEST(InvalidWord, Rule1UnknownOpcode) {
  ExpectRule({0, 0}, "unknown opcode");
  ExpectRule({0xFF, 0}, "unknown opcode");
  ExpectRule({0x04, 0}, "unknown opcode");
  ExpectRule({0x3F, 0}, "unknown opcode");
  // ISA 1.1's pages: an unassigned opcode of a second page, and the reserved pages 0x9_..0xF_.
  ExpectRule({0x61, 0}, "unknown opcode");
  ExpectRule({0x75, 0}, "unknown opcode");
  ExpectRule({0x83, 0}, "unknown opcode");
  ExpectRule({0x90, 0}, "unknown opcode");
  ExpectRule({0xF0, 0}, "unknown opcode");
}

// ISA 1.1 (§2, "Opcode pages"): the page names the unit; the second pages decode to TAE, VAE
// and AAE; a word of an ISA 1.0 instruction means the same as before (tae.mmcfg's b_dtype took
// bits that were reserved, with s8 = 0).
TEST(OpcodePages, SecondPagesDecodeToTheirUnits) {
  EXPECT_EQ(Make(VaeSoftmax{}).unit(), Unit::kVae);
  EXPECT_EQ(Make(VaeLayerNorm{}).unit(), Unit::kVae);
  EXPECT_EQ(Make(VaeDiv{}).unit(), Unit::kVae);
  EXPECT_EQ(Make(VaeSelect{}).unit(), Unit::kVae);
  EXPECT_EQ(Make(AaeGatherCfg{}).unit(), Unit::kAae);
  EXPECT_EQ(Make(AaeGather{}).unit(), Unit::kAae);
  EXPECT_EQ(Make(TaePitch{}).unit(), Unit::kTae);
  EXPECT_EQ(Make(VaePitch{}).unit(), Unit::kVae);
  EXPECT_EQ(Make(AaePitch{}).unit(), Unit::kAae);
  for (const OpcodeInfo& info : AllOpcodes()) {
    const int page = static_cast<uint8_t>(info.opcode) >> 4;
    EXPECT_LE(page, 8) << info.mnemonic;
    if (page >= 6) {
      EXPECT_EQ(static_cast<int>(info.unit), page - 4) << info.mnemonic;
    }
  }
  TaeMmCfg mm;
  mm.m = 3, mm.k = 5, mm.n = 7;
  const Word128 w = MustEncode(Make(mm));
  absl::StatusOr<Instruction> back = Decode(w);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(std::get<TaeMmCfg>(back->payload).b_dtype, DType::kS8);
  mm.a_dtype = mm.b_dtype = DType::kS16;
  absl::StatusOr<Instruction> s16 = Decode(MustEncode(Make(mm)));
  ASSERT_TRUE(s16.ok()) << s16.status();
  EXPECT_EQ(std::get<TaeMmCfg>(s16->payload).b_dtype, DType::kS16);
}

TEST(InvalidWord, Rule2ReservedBits) {
  // sync has 3 payload bits (48..50): bit 51 and bit 127 are reserved.
  const Word128 sync = MustEncode(Make(Sync{Unit::kTae}));
  ExpectRule(WithBits(sync, 51, 1, 1), "reserved bits");
  ExpectRule(WithBits(sync, 127, 1, 1), "reserved bits");
  // tae.conv ends at bit 48 + 61 = 109.
  const Word128 conv = MustEncode(Make(TaeConv{}));
  ExpectRule(WithBits(conv, 109, 1, 1), "reserved bits");
  ExpectRule(WithBits(MustEncode(Make(End{})), 48, 1, 1), "reserved bits");
  // vae.recip / vae.sqrt / vae.log end at bit 48 + 60 = 108, aae.topk at 48 + 77 = 125.
  for (Payload p : {Payload(VaeRecip{}), Payload(VaeSqrt{}), Payload(VaeLog{})}) {
    ExpectRule(WithBits(MustEncode(Make(p)), 108, 1, 1), "reserved bits");
  }
  ExpectRule(WithBits(MustEncode(Make(AaeTopK{})), 125, 1, 1), "reserved bits");
}

TEST(InvalidWord, Rule3FieldOutOfRange) {
  const Word128 cfg = MustEncode(Make(VaeCfg{}));
  const FieldInfo& f = Field(Opcode::kVaeCfg, "y_bcast");
  ExpectRule(WithBits(cfg, f.lsb, f.spec.width, 3), "field out of range", "y_bcast");
  const Word128 topk = MustEncode(Make(AaeTopK{}));
  const FieldInfo& axis = Field(Opcode::kAaeTopK, "axis");
  ExpectRule(WithBits(topk, axis.lsb, axis.spec.width, 3), "field out of range", "axis");
}

TEST(InvalidWord, Rule4ZeroSize) {
  const Word128 shape = MustEncode(Make(LoadShape{}));
  const FieldInfo& n0 = Field(Opcode::kLoadShape, "n0");
  ExpectRule(WithBits(shape, n0.lsb, n0.spec.width, 0), "zero size", "n0");
  const Word128 kernel = MustEncode(Make(TaeKernel{}));
  const FieldInfo& g = Field(Opcode::kTaeKernel, "groups");
  ExpectRule(WithBits(kernel, g.lsb, g.spec.width, 0), "zero size", "groups");
  const FieldInfo& kh = Field(Opcode::kTaeKernel, "kernel_h");
  ExpectRule(WithBits(kernel, kh.lsb, kh.spec.width, 0), "zero size", "kernel_h");
  const Word128 cfg = MustEncode(Make(VaeCfg{}));
  const FieldInfo& p = Field(Opcode::kVaeCfg, "pixels");
  ExpectRule(WithBits(cfg, p.lsb, p.spec.width, 0), "zero size", "pixels");
  const Word128 move = MustEncode(Make(AaeMoveShape{}));
  const FieldInfo& d3 = Field(Opcode::kAaeMoveShape, "d3");
  ExpectRule(WithBits(move, d3.lsb, d3.spec.width, 0), "zero size", "d3");
  const Word128 reduce = MustEncode(Make(AaeReduce{}));
  const FieldInfo& axes = Field(Opcode::kAaeReduce, "axes");
  ExpectRule(WithBits(reduce, axes.lsb, axes.spec.width, 0), "zero size", "axes");
  const Word128 topk = MustEncode(Make(AaeTopK{}));
  const FieldInfo& k = Field(Opcode::kAaeTopK, "k");
  ExpectRule(WithBits(topk, k.lsb, k.spec.width, 0), "zero size", "k");
}

TEST(InvalidWord, Rule5DTypeNotAllowed) {
  const Word128 tile = MustEncode(Make(TaeTile{}));
  const FieldInfo& f = Field(Opcode::kTaeTile, "in_dtype");
  ExpectRule(WithBits(tile, f.lsb, f.spec.width, static_cast<int>(DType::kS32)),
             "dtype not allowed", "in_dtype");
  const Word128 cfg = MustEncode(Make(VaeCfg{}));
  const FieldInfo& o = Field(Opcode::kVaeCfg, "out_dtype");
  ExpectRule(WithBits(cfg, o.lsb, o.spec.width, static_cast<int>(DType::kS64)), "dtype not allowed",
             "out_dtype");
}

TEST(InvalidWord, Rule6SpaceOrRegionNotAllowed) {
  const Word128 load = MustEncode(Make(Load{}));
  const FieldInfo& s = Field(Opcode::kLoad, "dst_space");
  ExpectRule(WithBits(load, s.lsb, s.spec.width, static_cast<int>(Space::kDdr)),
             "space not allowed", "dst_space");
  ExpectRule(WithBits(load, s.lsb, s.spec.width, 7), "space not allowed", "dst_space");
  const Word128 store = MustEncode(Make(Store{}));
  const FieldInfo& r = Field(Opcode::kStore, "region");
  ExpectRule(WithBits(store, r.lsb, r.spec.width, static_cast<int>(Region::kParam)),
             "region not allowed", "region");
  const FieldInfo& ss = Field(Opcode::kStore, "src_space");
  ExpectRule(WithBits(store, ss.lsb, ss.spec.width, static_cast<int>(Space::kWeight)),
             "space not allowed", "src_space");
}

TEST(InvalidWord, Rule7BadEnum) {
  const Word128 sync = MustEncode(Make(Sync{}));
  const FieldInfo& u = Field(Opcode::kSync, "unit");
  ExpectRule(WithBits(sync, u.lsb, u.spec.width, 5), "bad enum", "unit");
  const Word128 reduce = MustEncode(Make(AaeReduce{}));
  const FieldInfo& op = Field(Opcode::kAaeReduce, "op");
  ExpectRule(WithBits(reduce, op.lsb, op.spec.width, 5), "bad enum", "op");
}

TEST(InvalidWord, Rule8EndWithDependencies) {
  const Word128 end = MustEncode(Make(End{}));
  ExpectRule(WithBits(end, 24, 6, 3), "end with dependencies");
  ExpectRule(WithBits(end, 42, 6, 63), "end with dependencies");
  Instruction inst = Make(End{});
  inst.common.wait[0] = 1;
  EXPECT_FALSE(Encode(inst).ok());
}

TEST(InvalidStruct, EncodeRejectsMisalignedAndOutOfRange) {
  TaeConv conv;
  conv.in = 8;
  absl::StatusOr<Word128> w = Encode(Make(conv));
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("misaligned address"), absl::string_view::npos);
  EXPECT_NE(w.status().message().find("'in'"), absl::string_view::npos);
  conv.in = int64_t{16} << 20;  // one past the 20-bit field
  EXPECT_FALSE(Encode(Make(conv)).ok());
  LoadShape shape;
  shape.pad_value = 40000;
  EXPECT_FALSE(Encode(Make(shape)).ok());
  shape.pad_value = -32768;
  EXPECT_TRUE(Encode(Make(shape)).ok());
  shape.elem = 3;
  EXPECT_FALSE(Encode(Make(shape)).ok());
  Instruction sem = Make(Sync{});
  sem.common.signal[1] = 64;
  EXPECT_FALSE(Encode(sem).ok());
}

// ---- layout ----------------------------------------------------------------------------------

TEST(Layout, FieldsFitAndDoNotOverlap) {
  std::set<int> opcodes;
  std::set<std::string> mnemonics;
  ASSERT_EQ(AllOpcodes().size(), static_cast<size_t>(kNumInstructionKinds));
  for (const OpcodeInfo& info : AllOpcodes()) {
    EXPECT_TRUE(opcodes.insert(static_cast<int>(info.opcode)).second) << info.mnemonic;
    EXPECT_TRUE(mnemonics.insert(info.mnemonic).second) << info.mnemonic;
    EXPECT_NE(static_cast<int>(info.opcode), 0);
    int next = kHeaderBits;
    std::set<std::string> names;
    for (const FieldInfo& f : info.fields) {
      EXPECT_EQ(f.lsb, next) << info.mnemonic << "." << f.name;
      EXPECT_GT(f.spec.width, 0);
      next = f.lsb + f.spec.width;
      EXPECT_TRUE(names.insert(f.name).second) << info.mnemonic << "." << f.name;
      EXPECT_NE(f.name, "layer");
      EXPECT_NE(f.name, "wait");
      EXPECT_NE(f.name, "signal");
    }
    EXPECT_LE(next, 128) << info.mnemonic;
    EXPECT_EQ(FindMnemonic(info.mnemonic), &info);
    EXPECT_EQ(FindOpcode(static_cast<uint8_t>(info.opcode)), &info);
  }
}

TEST(Layout, CommonHeaderBits) {
  Instruction inst = Make(TaeConv{16, 32, 48, true});
  inst.common.layer = 0x1234;
  inst.common.wait = {1, 2};
  inst.common.signal = {62, 63};
  const Word128 w = MustEncode(inst);
  EXPECT_EQ(w[0] & 0xFF, 0x32u);
  EXPECT_EQ((w[0] >> 8) & 0xFFFF, 0x1234u);
  EXPECT_EQ((w[0] >> 24) & 0x3F, 1u);
  EXPECT_EQ((w[0] >> 30) & 0x3F, 2u);
  EXPECT_EQ((w[0] >> 36) & 0x3F, 62u);
  EXPECT_EQ((w[0] >> 42) & 0x3F, 63u);
  EXPECT_EQ((w[0] >> 48) & 0xFFFFF, 1u);  // in = 16 bytes = 1 unit, straddles bit 64
  absl::StatusOr<Instruction> d = Decode(w);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(*d, inst);
  EXPECT_EQ(d->unit(), Unit::kTae);
}

TEST(Layout, UnitsOfInstructions) {
  EXPECT_EQ(Make(Sync{Unit::kVae}).unit(), Unit::kVae);
  EXPECT_EQ(Make(End{}).unit(), Unit::kControl);
  EXPECT_EQ(Make(Load{}).unit(), Unit::kLoad);
  EXPECT_EQ(Make(StoreStride{}).unit(), Unit::kStore);
  EXPECT_EQ(Make(VaeLut16{}).unit(), Unit::kVae);
  EXPECT_EQ(Make(AaeMove{}).unit(), Unit::kAae);
}

// ---- property tests --------------------------------------------------------------------------

int64_t RandomValue(const FieldSpec& spec, std::mt19937_64& rng) {
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  switch (spec.kind) {
    case FieldKind::kUnsigned:
    case FieldKind::kSigned: {
      // Bias toward the extremes.
      const int pick = static_cast<int>(uniform(0, 9));
      if (pick == 0) return spec.min;
      if (pick == 1) return spec.max;
      return uniform(spec.min, spec.max);
    }
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

Instruction RandomInstruction(std::mt19937_64& rng) {
  const int kind = std::uniform_int_distribution<int>(0, kNumInstructionKinds - 1)(rng);
  Instruction inst = MakeDefault(kind);
  for (const FieldInfo& f : AllOpcodes()[kind].fields) {
    EXPECT_TRUE(SetField(inst, f.name, RandomValue(f.spec, rng)).ok());
  }
  if (!std::holds_alternative<End>(inst.payload)) {
    std::uniform_int_distribution<int> sem(0, kNumSemaphores);
    inst.common.layer = static_cast<uint16_t>(rng());
    inst.common.wait = {static_cast<uint8_t>(sem(rng)), static_cast<uint8_t>(sem(rng))};
    inst.common.signal = {static_cast<uint8_t>(sem(rng)), static_cast<uint8_t>(sem(rng))};
  }
  return inst;
}

TEST(Property, RandomValidInstructionsRoundTrip) {
  std::mt19937_64 rng(20261127);
  std::vector<int> per_kind(kNumInstructionKinds, 0);
  constexpr int kCount = 20000;
  for (int i = 0; i < kCount; ++i) {
    const Instruction inst = RandomInstruction(rng);
    ++per_kind[inst.payload.index()];
    absl::StatusOr<Word128> w = Encode(inst);
    ASSERT_TRUE(w.ok()) << w.status();
    absl::StatusOr<Instruction> d = Decode(*w);
    ASSERT_TRUE(d.ok()) << d.status();
    ASSERT_EQ(*d, inst) << inst.mnemonic();
    absl::StatusOr<Word128> w2 = Encode(*d);
    ASSERT_TRUE(w2.ok());
    ASSERT_EQ(*w2, *w);
  }
  for (int k = 0; k < kNumInstructionKinds; ++k) EXPECT_GT(per_kind[k], 0) << k;
  std::printf("round-trip: %d random instructions over %d kinds, 0 mismatches\n", kCount,
              kNumInstructionKinds);
}

TEST(Property, RandomWordsNeverCrashTheDecoder) {
  std::mt19937_64 rng(7);
  constexpr int kCount = 200000;
  int valid = 0;
  for (int i = 0; i < kCount; ++i) {
    Word128 w = {rng(), rng()};
    // Half the words get a valid opcode so the field checks are exercised too; some get
    // sparse payloads, which are far more often valid.
    if (i % 2 == 0) {
      const auto& all = AllOpcodes();
      w[0] = (w[0] & ~uint64_t{0xFF}) | static_cast<uint8_t>(all[rng() % all.size()].opcode);
    }
    if (i % 4 == 0) {
      w[0] &= rng() | 0xFFFFFFFFFFFFull;
      w[1] &= rng() & rng();
    }
    absl::StatusOr<Instruction> d = Decode(w);
    if (!d.ok()) {
      ASSERT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
      continue;
    }
    ++valid;
    // A word that decodes is canonical: it re-encodes to itself.
    absl::StatusOr<Word128> again = Encode(*d);
    ASSERT_TRUE(again.ok()) << again.status();
    ASSERT_EQ(*again, w) << d->mnemonic();
  }
  EXPECT_GT(valid, 100);
  std::printf("decoder fuzz: %d random words, %d valid, 0 crashes\n", kCount, valid);
}

TEST(Property, GetSetFieldByName) {
  Instruction inst = Make(TaeTile{});
  ASSERT_TRUE(SetField(inst, "in_dtype", static_cast<int>(DType::kS16)).ok());
  EXPECT_EQ(std::get<TaeTile>(inst.payload).in_dtype, DType::kS16);
  EXPECT_EQ(*GetField(inst, "in_dtype"), 1);
  EXPECT_EQ(SetField(inst, "nope", 1).code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(SetField(inst, "in_dtype", 3).ok());
  EXPECT_FALSE(SetField(inst, "in_h", 0).ok());
}

TEST(Layout, Helpers) {
  EXPECT_EQ(PixelPitch(3, DType::kS8), 16);
  EXPECT_EQ(PixelPitch(17, DType::kS8), 32);
  EXPECT_EQ(PixelPitch(5, DType::kS32), 32);
  EXPECT_EQ(PixelPitch(2, DType::kS64), 16);
  Window w;
  w.kernel_h = w.kernel_w = 3;
  w.pad_top = w.pad_bottom = w.pad_left = w.pad_right = 1;
  w.stride_h = w.stride_w = 2;
  EXPECT_EQ(*WindowOutputSize(w, 224, 224), (std::array<int64_t, 2>{112, 112}));
  w.dilation_h = 2;
  EXPECT_EQ(*WindowOutputSize(w, 5, 5), (std::array<int64_t, 2>{2, 3}));
  w.pad_top = w.pad_bottom = 0;
  w.dilation_h = 4;
  EXPECT_FALSE(WindowOutputSize(w, 8, 8).ok());  // span 9 > 8
}

// ---- ISA.md agreement ----------------------------------------------------------------------

std::string ReadIsaMd() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  std::string path = srcdir ? absl::StrCat(srcdir, "/openbpu/isa/ISA.md") : "isa/ISA.md";
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Doc, IsaMdListsEveryOpcodeAndField) {
  const std::string doc = ReadIsaMd();
  ASSERT_FALSE(doc.empty());
  for (const OpcodeInfo& info : AllOpcodes()) {
    const std::string row_start =
        absl::StrFormat("| 0x%02X | `%s` |", static_cast<int>(info.opcode), info.mnemonic);
    const size_t pos = doc.find(row_start);
    ASSERT_NE(pos, std::string::npos) << "ISA.md has no row " << row_start;
    const std::string row = doc.substr(pos, doc.find('\n', pos) - pos);
    // Rows that say "as `x`" refer to a kind with the same fields; check that kind instead.
    std::string fields_row = row;
    const size_t as = row.find("| as `");
    if (as != std::string::npos) {
      const size_t b = as + 6;
      const std::string other = row.substr(b, row.find('`', b) - b);
      const OpcodeInfo* o = FindMnemonic(other);
      ASSERT_NE(o, nullptr) << row;
      if (info.opcode == Opcode::kAaeWin) continue;  // "as tae.kernel without groups"
      ASSERT_EQ(o->fields.size(), info.fields.size()) << row;
      for (size_t i = 0; i < o->fields.size(); ++i) {
        EXPECT_EQ(o->fields[i].name, info.fields[i].name) << row;
        EXPECT_EQ(o->fields[i].spec.width, info.fields[i].spec.width) << row;
      }
      continue;
    }
    size_t cursor = 0;
    for (const FieldInfo& f : info.fields) {
      const std::string want = absl::StrCat("`", f.name, "` (", f.spec.width);
      const size_t at = fields_row.find(want, cursor);
      EXPECT_NE(at, std::string::npos)
          << info.mnemonic << ": ISA.md lacks " << want << " (in bit order) in: " << row;
      if (at != std::string::npos) cursor = at;
    }
  }
}

TEST(Doc, IsaMdOpcodeRowsExistInCode) {
  const std::string doc = ReadIsaMd();
  int rows = 0;
  for (size_t pos = doc.find("| 0x"); pos != std::string::npos; pos = doc.find("| 0x", pos + 1)) {
    const std::string row = doc.substr(pos, doc.find('\n', pos) - pos);
    const size_t b = row.find('`');
    if (b == std::string::npos) continue;
    const std::string mn = row.substr(b + 1, row.find('`', b + 1) - b - 1);
    const int opcode = std::stoi(row.substr(4, 2), nullptr, 16);
    const OpcodeInfo* info = FindMnemonic(mn);
    ASSERT_NE(info, nullptr) << "ISA.md lists unknown " << mn;
    EXPECT_EQ(static_cast<int>(info->opcode), opcode) << mn;
    ++rows;
  }
  EXPECT_EQ(rows, kNumInstructionKinds);
}

}  // namespace
}  // namespace openbpu::isa
