// Encoding, decoding and validation of BPU instruction words, driven by each struct's field list
// so the encoder, decoder, assembler and ISA.md tables cannot disagree on a layout.
#include "isa/instruction.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace openbpu::isa {
namespace {

using u128 = unsigned __int128;

u128 ToU128(const Word128& w) { return (static_cast<u128>(w[1]) << 64) | w[0]; }
Word128 FromU128(u128 v) { return {static_cast<uint64_t>(v), static_cast<uint64_t>(v >> 64)}; }
uint64_t GetBits(u128 v, int lsb, int width) {
  return static_cast<uint64_t>((v >> lsb) & ((static_cast<u128>(1) << width) - 1));
}
void SetBits(u128& v, int lsb, int width, uint64_t bits) {
  const u128 mask = ((static_cast<u128>(1) << width) - 1) << lsb;
  v = (v & ~mask) | ((static_cast<u128>(bits) << lsb) & mask);
}

template <typename T>
int64_t ToInt(T v) {
  return static_cast<int64_t>(v);
}
template <typename T>
T FromInt(int64_t v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != 0;
  } else {
    return static_cast<T>(v);
  }
}

const char* KindRuleName(FieldKind kind) {
  switch (kind) {
    case FieldKind::kDType:
      return "dtype not allowed";
    case FieldKind::kSpace:
      return "space not allowed";
    case FieldKind::kRegion:
      return "region not allowed";
    case FieldKind::kUnit:
    case FieldKind::kReduceOp:
      return "bad enum";
    default:
      return "field out of range";
  }
}

std::string EnumName(FieldKind kind, int64_t v) {
  const char* name = nullptr;
  switch (kind) {
    case FieldKind::kDType:
      if (v >= 0 && v < 4) name = DTypeName(static_cast<DType>(v));
      break;
    case FieldKind::kSpace:
      if (v >= 0 && v < 5) name = SpaceName(static_cast<Space>(v));
      break;
    case FieldKind::kRegion:
      if (v >= 0 && v < 4) name = RegionName(static_cast<Region>(v));
      break;
    case FieldKind::kUnit:
      if (v >= 0 && v < 5) name = UnitName(static_cast<Unit>(v));
      break;
    case FieldKind::kReduceOp:
      if (v >= 0 && v < 5) name = ReduceOpName(static_cast<ReduceOp>(v));
      break;
    default:
      break;
  }
  return name != nullptr ? std::string(name) : absl::StrCat("code ", v);
}

// Checks a field's natural value; the message names the rule and field.
absl::Status CheckValue(absl::string_view mnemonic, absl::string_view field, const FieldSpec& spec,
                        int64_t v) {
  auto fail = [&](absl::string_view rule, absl::string_view detail) {
    return absl::InvalidArgumentError(
        absl::StrCat(rule, ": ", mnemonic, " field '", field, "' ", detail));
  };
  switch (spec.kind) {
    case FieldKind::kUnsigned:
    case FieldKind::kSigned:
      if (v < spec.min || v > spec.max) {
        if (v == 0 && spec.min >= 1) return fail("zero size", "is 0 (must be >= 1)");
        return fail("field out of range",
                    absl::StrCat("= ", v, " outside [", spec.min, ", ", spec.max, "]"));
      }
      return absl::OkStatus();
    case FieldKind::kAddr16:
      if (v < 0 || v > spec.max) {
        return fail("field out of range",
                    absl::StrCat("= ", v, " outside [0, ", spec.max, "] bytes"));
      }
      if (v % kSramAlign != 0) {
        return fail("misaligned address", absl::StrCat("= ", v, " is not a multiple of 16"));
      }
      return absl::OkStatus();
    case FieldKind::kBool:
      if (v != 0 && v != 1) return fail("field out of range", absl::StrCat("= ", v, " not 0/1"));
      return absl::OkStatus();
    case FieldKind::kElem:
      if (v != 1 && v != 2 && v != 4 && v != 8) {
        return fail("field out of range", absl::StrCat("= ", v, " not 1, 2, 4 or 8 bytes"));
      }
      return absl::OkStatus();
    default:
      if (v < 0 || v >= 32 || (spec.allowed & Bit(static_cast<int>(v))) == 0) {
        return fail(KindRuleName(spec.kind), absl::StrCat("= ", EnumName(spec.kind, v)));
      }
      return absl::OkStatus();
  }
}

// Raw bits <-> natural value.
uint64_t ToBits(const FieldSpec& spec, int64_t v) {
  switch (spec.kind) {
    case FieldKind::kAddr16:
      return static_cast<uint64_t>(v / kSramAlign);
    case FieldKind::kElem:
      return v == 1 ? 0 : v == 2 ? 1 : v == 4 ? 2 : 3;
    default:
      return static_cast<uint64_t>(v) & ((uint64_t{1} << spec.width) - 1);
  }
}
int64_t FromBits(const FieldSpec& spec, uint64_t bits) {
  switch (spec.kind) {
    case FieldKind::kSigned: {
      const uint64_t sign = uint64_t{1} << (spec.width - 1);
      return static_cast<int64_t>(bits ^ sign) - static_cast<int64_t>(sign);
    }
    case FieldKind::kAddr16:
      return static_cast<int64_t>(bits) * kSramAlign;
    case FieldKind::kElem:
      return int64_t{1} << bits;
    default:
      return static_cast<int64_t>(bits);
  }
}

template <std::size_t... I>
std::array<Instruction (*)(), sizeof...(I)> MakeFactories(std::index_sequence<I...>) {
  return {+[]() {
    Instruction inst;
    inst.payload.emplace<I>();
    return inst;
  }...};
}
const auto& Factories() {
  static const auto factories =
      MakeFactories(std::make_index_sequence<std::variant_size_v<Payload>>());
  return factories;
}

Unit UnitOfOpcode(uint8_t op) {
  switch (op >> 4) {
    case 1:
      return Unit::kLoad;
    case 2:
      return Unit::kStore;
    case 3:
      return Unit::kTae;
    case 4:
      return Unit::kVae;
    case 5:
      return Unit::kAae;
    // ISA 1.1: a second opcode page per compute unit.
    case 6:
      return Unit::kTae;
    case 7:
      return Unit::kVae;
    case 8:
      return Unit::kAae;
    default:
      return Unit::kControl;
  }
}

// Visits the payload of a (mutable) instruction.
template <typename V>
void VisitFields(Instruction& inst, V&& v) {
  std::visit([&](auto& s) { s.Visit(v); }, inst.payload);
}

std::vector<OpcodeInfo> BuildOpcodes() {
  std::vector<OpcodeInfo> out;
  for (int i = 0; i < kNumInstructionKinds; ++i) {
    Instruction inst = MakeDefault(i);
    OpcodeInfo info;
    info.kind_index = i;
    std::visit(
        [&](auto& s) {
          using T = std::decay_t<decltype(s)>;
          info.opcode = T::kOpcode;
          info.mnemonic = T::kMnemonic;
        },
        inst.payload);
    info.unit = UnitOfOpcode(static_cast<uint8_t>(info.opcode));
    int lsb = kHeaderBits;
    VisitFields(inst, [&](const char* name, auto&, const FieldSpec& spec) {
      info.fields.push_back({name, lsb, spec});
      lsb += spec.width;
    });
    out.push_back(std::move(info));
  }
  return out;
}

const std::array<const OpcodeInfo*, 256>& OpcodeTable() {
  static const std::array<const OpcodeInfo*, 256> table = [] {
    std::array<const OpcodeInfo*, 256> t{};
    for (const OpcodeInfo& info : AllOpcodes()) t[static_cast<uint8_t>(info.opcode)] = &info;
    return t;
  }();
  return table;
}

}  // namespace

const char* UnitName(Unit unit) {
  switch (unit) {
    case Unit::kLoad:
      return "load";
    case Unit::kStore:
      return "store";
    case Unit::kTae:
      return "tae";
    case Unit::kVae:
      return "vae";
    case Unit::kAae:
      return "aae";
    case Unit::kControl:
      return "control";
  }
  return "?";
}

const char* SpaceName(Space space) {
  switch (space) {
    case Space::kDdr:
      return "ddr";
    case Space::kFeature:
      return "feature";
    case Space::kWeight:
      return "weight";
    case Space::kAcc:
      return "acc";
    case Space::kLut:
      return "lut";
  }
  return "?";
}

const char* RegionName(Region region) {
  switch (region) {
    case Region::kInput:
      return "input";
    case Region::kOutput:
      return "output";
    case Region::kParam:
      return "param";
    case Region::kScratch:
      return "scratch";
  }
  return "?";
}

const char* DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kS8:
      return "s8";
    case DType::kS16:
      return "s16";
    case DType::kS32:
      return "s32";
    case DType::kS64:
      return "s64";
  }
  return "?";
}

const char* ReduceOpName(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return "sum";
    case ReduceOp::kMax:
      return "max";
    case ReduceOp::kMin:
      return "min";
    case ReduceOp::kArgMax:
      return "argmax";
    case ReduceOp::kArgMin:
      return "argmin";
  }
  return "?";
}

Opcode Instruction::opcode() const {
  return std::visit([](const auto& s) { return std::decay_t<decltype(s)>::kOpcode; }, payload);
}

const char* Instruction::mnemonic() const {
  return std::visit([](const auto& s) { return std::decay_t<decltype(s)>::kMnemonic; }, payload);
}

Unit Instruction::unit() const {
  if (const auto* sync = std::get_if<Sync>(&payload)) return sync->unit;
  if (const auto* xsync = std::get_if<XSync>(&payload)) return xsync->unit;
  return UnitOfOpcode(static_cast<uint8_t>(opcode()));
}

const std::vector<OpcodeInfo>& AllOpcodes() {
  static const std::vector<OpcodeInfo>* const all = new std::vector<OpcodeInfo>(BuildOpcodes());
  return *all;
}

const OpcodeInfo* FindOpcode(uint8_t opcode) { return OpcodeTable()[opcode]; }

const OpcodeInfo* FindMnemonic(absl::string_view mnemonic) {
  for (const OpcodeInfo& info : AllOpcodes()) {
    if (info.mnemonic == mnemonic) return &info;
  }
  return nullptr;
}

Instruction MakeDefault(int kind_index) { return Factories()[kind_index](); }

absl::Status Validate(const Instruction& inst) {
  const char* mn = inst.mnemonic();
  for (int i = 0; i < 2; ++i) {
    if (inst.common.wait[i] > kNumSemaphores || inst.common.signal[i] > kNumSemaphores) {
      return absl::InvalidArgumentError(
          absl::StrCat("field out of range: ", mn, " semaphore id above ", kNumSemaphores));
    }
  }
  if (std::holds_alternative<End>(inst.payload) &&
      (inst.common.wait != std::array<uint8_t, 2>{0, 0} ||
       inst.common.signal != std::array<uint8_t, 2>{0, 0})) {
    return absl::InvalidArgumentError("end with dependencies: end must not wait or signal");
  }
  Instruction copy = inst;
  absl::Status status;
  VisitFields(copy, [&](const char* name, auto& member, const FieldSpec& spec) {
    if (status.ok()) status = CheckValue(mn, name, spec, ToInt(member));
  });
  return status;
}

absl::StatusOr<Word128> Encode(const Instruction& inst) {
  if (absl::Status s = Validate(inst); !s.ok()) return s;
  u128 w = 0;
  SetBits(w, 0, 8, static_cast<uint8_t>(inst.opcode()));
  SetBits(w, 8, 16, inst.common.layer);
  SetBits(w, 24, 6, inst.common.wait[0]);
  SetBits(w, 30, 6, inst.common.wait[1]);
  SetBits(w, 36, 6, inst.common.signal[0]);
  SetBits(w, 42, 6, inst.common.signal[1]);
  Instruction copy = inst;
  int lsb = kHeaderBits;
  VisitFields(copy, [&](const char*, auto& member, const FieldSpec& spec) {
    SetBits(w, lsb, spec.width, ToBits(spec, ToInt(member)));
    lsb += spec.width;
  });
  return FromU128(w);
}

absl::StatusOr<Instruction> Decode(const Word128& word) {
  const u128 w = ToU128(word);
  const uint8_t op = static_cast<uint8_t>(GetBits(w, 0, 8));
  const OpcodeInfo* info = FindOpcode(op);
  if (info == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrFormat("unknown opcode: 0x%02x (word 0x%016x%016x)", op, word[1], word[0]));
  }
  Instruction inst = MakeDefault(info->kind_index);
  inst.common.layer = static_cast<uint16_t>(GetBits(w, 8, 16));
  inst.common.wait = {static_cast<uint8_t>(GetBits(w, 24, 6)),
                      static_cast<uint8_t>(GetBits(w, 30, 6))};
  inst.common.signal = {static_cast<uint8_t>(GetBits(w, 36, 6)),
                        static_cast<uint8_t>(GetBits(w, 42, 6))};
  int end = kHeaderBits;
  for (const FieldInfo& f : info->fields) end = f.lsb + f.spec.width;
  if (end < 128 && (w >> end) != 0) {
    int first = end;
    while (((w >> first) & 1) == 0) ++first;
    return absl::InvalidArgumentError(absl::StrCat("reserved bits: ", info->mnemonic,
                                                   " has reserved bit ", first,
                                                   " set (fields end at bit ", end, ")"));
  }
  absl::Status status;
  int lsb = kHeaderBits;
  VisitFields(inst, [&](const char* name, auto& member, const FieldSpec& spec) {
    const int64_t v = FromBits(spec, GetBits(w, lsb, spec.width));
    lsb += spec.width;
    if (!status.ok()) return;
    status = CheckValue(info->mnemonic, name, spec, v);
    if (status.ok()) member = FromInt<std::decay_t<decltype(member)>>(v);
  });
  if (!status.ok()) return status;
  if (op == static_cast<uint8_t>(Opcode::kEnd) &&
      (inst.common.wait != std::array<uint8_t, 2>{0, 0} ||
       inst.common.signal != std::array<uint8_t, 2>{0, 0})) {
    return absl::InvalidArgumentError("end with dependencies: end must not wait or signal");
  }
  return inst;
}

absl::StatusOr<std::array<int64_t, 2>> WindowOutputSize(const Window& w, int64_t in_h,
                                                        int64_t in_w) {
  auto one = [](int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe) -> int64_t {
    const int64_t span = pb + in + pe - ((k - 1) * d + 1);
    return span < 0 ? 0 : span / s + 1;
  };
  const int64_t oh = one(in_h, w.kernel_h, w.stride_h, w.dilation_h, w.pad_top, w.pad_bottom);
  const int64_t ow = one(in_w, w.kernel_w, w.stride_w, w.dilation_w, w.pad_left, w.pad_right);
  if (oh < 1 || ow < 1 || w.stride_h < 1 || w.stride_w < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("window ", w.kernel_h, "x", w.kernel_w, " (dilation ", w.dilation_h, "x",
                     w.dilation_w, ") does not fit the padded ", in_h, "x", in_w, " input"));
  }
  return std::array<int64_t, 2>{oh, ow};
}

absl::StatusOr<int64_t> GetField(const Instruction& inst, absl::string_view name) {
  Instruction copy = inst;
  bool found = false;
  int64_t value = 0;
  VisitFields(copy, [&](const char* n, auto& member, const FieldSpec&) {
    if (!found && name == n) {
      found = true;
      value = ToInt(member);
    }
  });
  if (!found) {
    return absl::NotFoundError(absl::StrCat(inst.mnemonic(), " has no field '", name, "'"));
  }
  return value;
}

absl::Status SetField(Instruction& inst, absl::string_view name, int64_t value) {
  bool found = false;
  absl::Status status;
  const char* mn = inst.mnemonic();
  VisitFields(inst, [&](const char* n, auto& member, const FieldSpec& spec) {
    if (found || name != n) return;
    found = true;
    status = CheckValue(mn, n, spec, value);
    if (status.ok()) member = FromInt<std::decay_t<decltype(member)>>(value);
  });
  if (!found) return absl::NotFoundError(absl::StrCat(mn, " has no field '", name, "'"));
  return status;
}

}  // namespace openbpu::isa
