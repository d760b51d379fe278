// The assembler and disassembler, both driven by the instruction field tables so that every
// field of every kind prints and parses the same way.
#include "isa/assembler.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace openbpu::isa {
namespace {

std::string ValueText(const FieldSpec& spec, int64_t v) {
  switch (spec.kind) {
    case FieldKind::kDType:
      return DTypeName(static_cast<DType>(v));
    case FieldKind::kSpace:
      return SpaceName(static_cast<Space>(v));
    case FieldKind::kRegion:
      return RegionName(static_cast<Region>(v));
    case FieldKind::kUnit:
      return UnitName(static_cast<Unit>(v));
    case FieldKind::kReduceOp:
      return ReduceOpName(static_cast<ReduceOp>(v));
    default:
      return absl::StrCat(v);
  }
}

bool ParseInt(absl::string_view s, int64_t* out) {
  bool neg = absl::ConsumePrefix(&s, "-");
  int64_t v = 0;
  if (absl::ConsumePrefix(&s, "0x") || absl::ConsumePrefix(&s, "0X")) {
    if (s.empty() || !absl::SimpleHexAtoi(s, &v)) return false;
  } else {
    if (s.empty() || s[0] == '+' || s[0] == '-' || !absl::SimpleAtoi(s, &v)) return false;
  }
  *out = neg ? -v : v;
  return true;
}

absl::Status ParseValue(const FieldSpec& spec, absl::string_view text, int64_t* out) {
  if (ParseInt(text, out)) return absl::OkStatus();
  for (int code = 0; code < 8; ++code) {
    switch (spec.kind) {
      case FieldKind::kDType:
      case FieldKind::kSpace:
      case FieldKind::kRegion:
      case FieldKind::kUnit:
      case FieldKind::kReduceOp:
        if (code < (1 << spec.width) && ValueText(spec, code) == text) {
          *out = code;
          return absl::OkStatus();
        }
        break;
      default:
        break;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("bad value '", text, "'"));
}

absl::string_view StripComment(absl::string_view line) {
  const size_t pos = line.find_first_of("#;");
  if (pos != absl::string_view::npos) line = line.substr(0, pos);
  return absl::StripAsciiWhitespace(line);
}

absl::Status ParseSemaphores(absl::string_view text, std::array<uint8_t, 2>* out) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ',');
  if (parts.size() > 2) return absl::InvalidArgumentError("at most two semaphores");
  *out = {0, 0};
  for (size_t i = 0; i < parts.size(); ++i) {
    int64_t v;
    if (!ParseInt(parts[i], &v) || v < 0 || v > kNumSemaphores) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad semaphore id '", parts[i], "' (0..", kNumSemaphores, ")"));
    }
    (*out)[i] = static_cast<uint8_t>(v);
  }
  return absl::OkStatus();
}

std::string SemText(const std::array<uint8_t, 2>& s) {
  return s[1] != 0 ? absl::StrCat(s[0], ",", s[1]) : absl::StrCat(s[0]);
}

absl::Status AtLine(int line, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat("line ", line, ": ", s.message()));
}

}  // namespace

std::string Disassemble(const Instruction& inst) {
  std::string out = inst.mnemonic();
  if (inst.common.layer != kNoLayer) absl::StrAppend(&out, " layer=", inst.common.layer);
  if (inst.common.wait[0] != 0 || inst.common.wait[1] != 0) {
    absl::StrAppend(&out, " wait=", SemText(inst.common.wait));
  }
  if (inst.common.signal[0] != 0 || inst.common.signal[1] != 0) {
    absl::StrAppend(&out, " signal=", SemText(inst.common.signal));
  }
  const OpcodeInfo* info = FindOpcode(static_cast<uint8_t>(inst.opcode()));
  for (const FieldInfo& f : info->fields) {
    absl::StatusOr<int64_t> v = GetField(inst, f.name);
    absl::StrAppend(&out, " ", f.name, "=", ValueText(f.spec, v.ok() ? *v : 0));
  }
  return out;
}

absl::StatusOr<Instruction> AssembleLine(absl::string_view line) {
  line = StripComment(line);
  std::vector<absl::string_view> tokens =
      absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (tokens.empty()) return absl::InvalidArgumentError("empty line");
  const OpcodeInfo* info = FindMnemonic(tokens[0]);
  if (info == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown mnemonic '", tokens[0], "'"));
  }
  Instruction inst = MakeDefault(info->kind_index);
  std::vector<std::string> seen;
  for (size_t i = 1; i < tokens.size(); ++i) {
    const size_t eq = tokens[i].find('=');
    if (eq == absl::string_view::npos || eq == 0 || eq + 1 == tokens[i].size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected field=value, got '", tokens[i], "'"));
    }
    const absl::string_view key = tokens[i].substr(0, eq);
    const absl::string_view value = tokens[i].substr(eq + 1);
    for (const std::string& s : seen) {
      if (s == key) return absl::InvalidArgumentError(absl::StrCat("duplicate field '", key, "'"));
    }
    seen.emplace_back(key);
    if (key == "layer") {
      int64_t v;
      if (!ParseInt(value, &v) || v < 0 || v > 0xFFFF) {
        return absl::InvalidArgumentError(absl::StrCat("bad layer id '", value, "'"));
      }
      inst.common.layer = static_cast<uint16_t>(v);
      continue;
    }
    if (key == "wait" || key == "signal") {
      absl::Status s =
          ParseSemaphores(value, key == "wait" ? &inst.common.wait : &inst.common.signal);
      if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat(key, ": ", s.message()));
      continue;
    }
    const FieldInfo* field = nullptr;
    for (const FieldInfo& f : info->fields) {
      if (f.name == key) field = &f;
    }
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(info->mnemonic, " has no field '", key, "'"));
    }
    int64_t v;
    if (absl::Status s = ParseValue(field->spec, value, &v); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("field '", key, "': ", s.message()));
    }
    if (absl::Status s = SetField(inst, key, v); !s.ok()) return s;
  }
  if (absl::Status s = Validate(inst); !s.ok()) return s;
  return inst;
}

absl::StatusOr<std::vector<Instruction>> AssembleInstructions(absl::string_view text) {
  std::vector<Instruction> out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (StripComment(line).empty()) continue;
    absl::StatusOr<Instruction> inst = AssembleLine(line);
    if (!inst.ok()) return AtLine(line_no, inst.status());
    out.push_back(*std::move(inst));
  }
  return out;
}

absl::StatusOr<Program> AssembleProgram(absl::string_view text) {
  Program p;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line_no;
    absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(raw);
    if (absl::ConsumePrefix(&trimmed, ".layer")) {
      // The name is the rest of the line (comments are not stripped here).
      trimmed = absl::StripLeadingAsciiWhitespace(trimmed);
      const size_t sp = trimmed.find_first_of(" \t");
      int64_t id;
      if (sp == absl::string_view::npos || !ParseInt(trimmed.substr(0, sp), &id) || id < 0 ||
          id >= kNoLayer) {
        return AtLine(line_no, absl::InvalidArgumentError("expected .layer ID NAME"));
      }
      absl::string_view name =
          absl::StripTrailingAsciiWhitespace(absl::StripLeadingAsciiWhitespace(trimmed.substr(sp)));
      if (name.empty() || !p.layers.emplace(static_cast<uint16_t>(id), std::string(name)).second) {
        return AtLine(line_no,
                      absl::InvalidArgumentError(absl::StrCat("empty or duplicate layer ", id)));
      }
      continue;
    }
    absl::string_view line = StripComment(raw);
    if (line.empty()) continue;
    if (line[0] != '.') {
      absl::StatusOr<Instruction> inst = AssembleLine(line);
      if (!inst.ok()) return AtLine(line_no, inst.status());
      p.instructions.push_back(*std::move(inst));
      continue;
    }
    std::vector<absl::string_view> tokens =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (tokens[0] == ".march" && tokens.size() == 2) {
      absl::StatusOr<const March*> m = FindMarch(tokens[1]);
      if (!m.ok()) return AtLine(line_no, m.status());
      p.march = (*m)->id;
    } else if (tokens[0] == ".cores") {
      int64_t v;
      if (tokens.size() != 2 || !ParseInt(tokens[1], &v) || v < 1 || v > kMaxCores) {
        return AtLine(line_no, absl::InvalidArgumentError(
                                   absl::StrCat("expected .cores N (1..", kMaxCores, ")")));
      }
      p.cores = static_cast<uint8_t>(v);
    } else if (tokens[0] == ".ddr") {
      for (size_t i = 1; i < tokens.size(); ++i) {
        std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(tokens[i], '=');
        int64_t v;
        if (!ParseInt(kv.second, &v) || v < 0) {
          return AtLine(line_no, absl::InvalidArgumentError(
                                     absl::StrCat("bad .ddr value '", tokens[i], "'")));
        }
        if (kv.first == "input") {
          p.ddr_input_bytes = v;
        } else if (kv.first == "output") {
          p.ddr_output_bytes = v;
        } else if (kv.first == "scratch") {
          p.ddr_scratch_bytes = v;
        } else {
          return AtLine(line_no, absl::InvalidArgumentError(
                                     absl::StrCat("unknown .ddr region '", kv.first, "'")));
        }
      }
    } else if (tokens[0] == ".params") {
      for (size_t i = 1; i < tokens.size(); ++i) {
        absl::string_view hex = tokens[i];
        if (hex.size() % 2 != 0) {
          return AtLine(line_no, absl::InvalidArgumentError("odd number of hex digits"));
        }
        for (size_t j = 0; j < hex.size(); j += 2) {
          int64_t byte;
          if (!absl::SimpleHexAtoi(hex.substr(j, 2), &byte) || !std::isxdigit(hex[j]) ||
              !std::isxdigit(hex[j + 1])) {
            return AtLine(line_no, absl::InvalidArgumentError(
                                       absl::StrCat("bad hex '", hex.substr(j, 2), "'")));
          }
          p.params.push_back(static_cast<uint8_t>(byte));
        }
      }
    } else {
      return AtLine(
          line_no, absl::InvalidArgumentError(absl::StrCat("unknown directive '", tokens[0], "'")));
    }
  }
  if (absl::Status s = ValidateProgram(p); !s.ok()) return s;
  return p;
}

std::string DisassembleProgram(const Program& p) {
  std::string out = absl::StrCat(".march ", MarchName(p.march), "\n");
  if (p.cores > 1) absl::StrAppend(&out, ".cores ", static_cast<int>(p.cores), "\n");
  absl::StrAppend(&out, ".ddr input=", p.ddr_input_bytes, " output=", p.ddr_output_bytes,
                  " scratch=", p.ddr_scratch_bytes, "\n");
  for (const auto& [id, name] : p.layers) absl::StrAppend(&out, ".layer ", id, " ", name, "\n");
  for (size_t i = 0; i < p.params.size(); i += 32) {
    absl::StrAppend(&out, ".params ");
    for (size_t j = i; j < p.params.size() && j < i + 32; ++j) {
      absl::StrAppendFormat(&out, "%02x", p.params[j]);
    }
    absl::StrAppend(&out, "\n");
  }
  int core = 0;
  for (size_t i = 0; i < p.instructions.size(); ++i) {
    const Instruction& inst = p.instructions[i];
    if (p.cores > 1 && (i == 0 || std::holds_alternative<End>(p.instructions[i - 1].payload))) {
      absl::StrAppend(&out, "# core ", core++, "\n");
    }
    absl::StrAppend(&out, Disassemble(inst), "  # ", i);
    auto it = p.layers.find(inst.common.layer);
    if (it != p.layers.end()) absl::StrAppend(&out, " ", it->second);
    absl::StrAppend(&out, "\n");
  }
  return out;
}

}  // namespace openbpu::isa
