// Program serialization and the defensive parser (every read bounds-checked, every count
// checked against the bytes left before anything is allocated).
#include "isa/program.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace openbpu::isa {
namespace {

class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v) { Le(v, 2); }
  void U32(uint32_t v) { Le(v, 4); }
  void U64(uint64_t v) { Le(v, 8); }
  void Bytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  std::vector<uint8_t> Take() { return std::move(out_); }

 private:
  void Le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> out_;
};

class Reader {
 public:
  explicit Reader(absl::Span<const uint8_t> b) : b_(b) {}
  size_t remaining() const { return b_.size() - pos_; }
  size_t pos() const { return pos_; }
  absl::Status Need(size_t n, absl::string_view what) const {
    if (remaining() < n) {
      return absl::InvalidArgumentError(absl::StrCat("truncated: ", what, " needs ", n,
                                                     " bytes at offset ", pos_, ", ", remaining(),
                                                     " left"));
    }
    return absl::OkStatus();
  }
  uint64_t Le(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(b_[pos_ + i]) << (8 * i);
    pos_ += n;
    return v;
  }
  const uint8_t* Skip(size_t n) {
    const uint8_t* p = b_.data() + pos_;
    pos_ += n;
    return p;
  }

 private:
  absl::Span<const uint8_t> b_;
  size_t pos_ = 0;
};

bool IsS16(DType d) { return d == DType::kS16 || d == DType::kS64; }

// Names the field when `inst` uses a 16-bit feature dtype.
const char* Int16Use(const Instruction& inst) {
  if (const auto* t = std::get_if<TaeTile>(&inst.payload)) {
    if (IsS16(t->in_dtype)) return "in_dtype";
  } else if (const auto* mm = std::get_if<TaeMmCfg>(&inst.payload)) {
    if (IsS16(mm->a_dtype)) return "a_dtype";
    if (IsS16(mm->b_dtype)) return "b_dtype";
  } else if (const auto* v = std::get_if<VaeCfg>(&inst.payload)) {
    if (IsS16(v->x_dtype)) return "x_dtype";
    if (IsS16(v->y_dtype)) return "y_dtype";
    if (IsS16(v->out_dtype)) return "out_dtype";
  } else if (const auto* a = std::get_if<AaeTile>(&inst.payload)) {
    if (IsS16(a->in_dtype)) return "in_dtype";
    if (IsS16(a->out_dtype)) return "out_dtype";
  } else if (std::holds_alternative<VaeLut16>(inst.payload) ||
             std::holds_alternative<VaeRecip>(inst.payload) ||
             std::holds_alternative<VaeSqrt>(inst.payload) ||
             std::holds_alternative<VaeLog>(inst.payload)) {
    return "opcode";
  }
  return nullptr;
}

}  // namespace

absl::Status ValidateProgram(const Program& p) {
  absl::StatusOr<const March*> march = FindMarch(p.march);
  if (!march.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown march: code ", static_cast<int>(p.march)));
  }
  for (const auto& [id, name] : p.layers) {
    if (id == kNoLayer) {
      return absl::InvalidArgumentError("layer table: id 0xFFFF is reserved for 'no layer'");
    }
    if (name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("layer table: layer ", id, " has no name"));
    }
    if (name.size() > 0xFFFF) {
      return absl::InvalidArgumentError(absl::StrCat("layer table: layer ", id, " name too long"));
    }
  }
  if (p.instructions.empty()) {
    return absl::InvalidArgumentError("empty program: no instructions (needs at least `end`)");
  }
  if (p.cores < 1 || p.cores > (*march)->cores.value) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cores: the program has ", static_cast<int>(p.cores), " instruction stream(s); ",
        (*march)->name, " has ", (*march)->cores.value, " core(s)"));
  }
  if (p.cores > 1 && p.version_minor < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "version: a program for ", static_cast<int>(p.cores),
        " cores is ISA 1.2; the program header says ISA ", p.version_major, ".", p.version_minor));
  }
  const size_t n = p.instructions.size();
  int ends = 0;  // `end` words before instruction i: the core that runs it
  for (size_t i = 0; i < n; ++i) {
    const Instruction& inst = p.instructions[i];
    if (absl::Status s = Validate(inst); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("instruction ", i, ": ", s.message()));
    }
    // ISA 1.1's words in a program that says ISA 1.0 (§2, "Opcode pages").
    if (p.version_minor < 1) {
      const auto* mm = std::get_if<TaeMmCfg>(&inst.payload);
      const auto* cfg = std::get_if<VaeCfg>(&inst.payload);
      if (static_cast<uint8_t>(inst.opcode()) >= kFirstIsa11Opcode ||
          (mm != nullptr && mm->b_dtype != DType::kS8) || (cfg != nullptr && cfg->dst_pitch != 0)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "version: instruction ", i, " (", inst.mnemonic(),
            mm != nullptr    ? " with b_dtype"
            : cfg != nullptr ? " with dst_pitch"
                             : "",
            ") is ISA 1.1; the program header says ISA ", p.version_major, ".", p.version_minor));
      }
    }
    if (inst.common.layer != kNoLayer && !p.layers.contains(inst.common.layer)) {
      return absl::InvalidArgumentError(absl::StrCat("unknown layer: instruction ", i, " (",
                                                     inst.mnemonic(), ") has layer id ",
                                                     inst.common.layer, " not in the layer table"));
    }
    const bool is_end = std::holds_alternative<End>(inst.payload);
    if (is_end) ++ends;
    if (is_end && ends > p.cores && p.cores == 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("end placement: `end` at instruction ", i, " is not the last of ", n));
    }
    if (is_end && ends > p.cores) {
      return absl::InvalidArgumentError(absl::StrCat("end placement: `end` at instruction ", i,
                                                     " is end number ", ends, " of a program for ",
                                                     static_cast<int>(p.cores), " core(s)"));
    }
    if (!is_end && i + 1 == n) {
      return absl::InvalidArgumentError(absl::StrCat("end placement: the last instruction (", i,
                                                     ", ", inst.mnemonic(), ") is not `end`"));
    }
    if (const auto* x = std::get_if<XSync>(&inst.payload)) {
      if (p.version_minor < 2) {
        return absl::InvalidArgumentError(absl::StrCat(
            "version: instruction ", i, " (xsync) is ISA 1.2; the program header says ISA ",
            p.version_major, ".", p.version_minor));
      }
      if (x->core >= p.cores || x->core == ends) {
        return absl::InvalidArgumentError(absl::StrCat(
            "xsync target: instruction ", i, " (xsync on core ", ends, ") signals core ", x->core,
            x->core == ends ? ", its own core (use sync)" : "", "; the program has ",
            static_cast<int>(p.cores), " core(s)"));
      }
    }
    if (i + 1 == n && ends != p.cores) {
      return absl::InvalidArgumentError(absl::StrCat("end placement: ", ends,
                                                     " `end` word(s) for a program of ",
                                                     static_cast<int>(p.cores), " cores"));
    }
    if (!(*march)->int16_activations.value) {
      if (const char* field = Int16Use(inst)) {
        return absl::InvalidArgumentError(
            absl::StrCat("dtype not supported by the march: instruction ", i, " (", inst.mnemonic(),
                         ") uses 16-bit features (", field, ") on ", (*march)->name));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint8_t>> SerializeProgram(const Program& p) {
  if (absl::Status s = ValidateProgram(p); !s.ok()) return s;
  Writer w;
  w.Bytes(kProgramMagic, 4);
  w.U16(p.version_major);
  w.U16(p.version_minor);
  w.U8(static_cast<uint8_t>(p.march));
  w.U8(static_cast<uint8_t>(p.cores - 1));
  w.U8(0);
  w.U8(0);
  w.U32(static_cast<uint32_t>(p.instructions.size()));
  w.U32(static_cast<uint32_t>(p.layers.size()));
  w.U32(0);
  w.U64(p.ddr_input_bytes);
  w.U64(p.ddr_output_bytes);
  w.U64(p.ddr_scratch_bytes);
  w.U64(p.params.size());
  for (const auto& [id, name] : p.layers) {
    w.U16(id);
    w.U16(static_cast<uint16_t>(name.size()));
    w.Bytes(name.data(), name.size());
  }
  for (const Instruction& inst : p.instructions) {
    absl::StatusOr<Word128> word = Encode(inst);
    if (!word.ok()) return word.status();
    w.U64((*word)[0]);
    w.U64((*word)[1]);
  }
  w.Bytes(p.params.data(), p.params.size());
  return w.Take();
}

absl::StatusOr<Program> ParseProgram(absl::Span<const uint8_t> bytes) {
  Reader r(bytes);
  if (absl::Status s = r.Need(kProgramHeaderBytes, "header"); !s.ok()) return s;
  if (std::memcmp(r.Skip(4), kProgramMagic, 4) != 0) {
    return absl::InvalidArgumentError("bad magic: not an OpenBPU program (expected 'OBPU')");
  }
  Program p;
  p.version_major = static_cast<uint16_t>(r.Le(2));
  p.version_minor = static_cast<uint16_t>(r.Le(2));
  if (p.version_major != kIsaVersionMajor || p.version_minor > kIsaVersionMinor) {
    return absl::UnimplementedError(absl::StrCat(
        "version: program is ISA ", p.version_major, ".", p.version_minor, "; this build reads ",
        kIsaVersionMajor, ".0 to ", kIsaVersionMajor, ".", kIsaVersionMinor));
  }
  const uint8_t march = static_cast<uint8_t>(r.Le(1));
  if (march >= kNumMarches) {
    return absl::InvalidArgumentError(absl::StrCat("unknown march: code ", march));
  }
  p.march = static_cast<MarchId>(march);
  const uint64_t extra_cores = r.Le(1);
  if (extra_cores >= kMaxCores) {
    return absl::InvalidArgumentError(
        absl::StrCat("cores: header byte 9 says ", extra_cores + 1, " cores; at most ", kMaxCores));
  }
  p.cores = static_cast<uint8_t>(extra_cores + 1);
  if (r.Le(2) != 0) return absl::InvalidArgumentError("reserved header bytes 10..11 nonzero");
  const uint64_t count = r.Le(4);
  const uint64_t layer_count = r.Le(4);
  if (r.Le(4) != 0) return absl::InvalidArgumentError("reserved header bytes 20..23 nonzero");
  p.ddr_input_bytes = r.Le(8);
  p.ddr_output_bytes = r.Le(8);
  p.ddr_scratch_bytes = r.Le(8);
  const uint64_t param_bytes = r.Le(8);
  if (count == 0) return absl::InvalidArgumentError("empty program: instruction count is 0");
  // Each layer entry is at least 5 bytes: reject impossible counts before looping.
  if (layer_count > r.remaining() / 5) {
    return absl::InvalidArgumentError(absl::StrCat("truncated: layer table of ", layer_count,
                                                   " entries cannot fit in ", r.remaining(),
                                                   " bytes"));
  }
  for (uint64_t i = 0; i < layer_count; ++i) {
    if (absl::Status s = r.Need(4, absl::StrCat("layer entry ", i)); !s.ok()) return s;
    const uint16_t id = static_cast<uint16_t>(r.Le(2));
    const uint16_t len = static_cast<uint16_t>(r.Le(2));
    if (absl::Status s = r.Need(len, absl::StrCat("name of layer ", id)); !s.ok()) return s;
    const uint8_t* name = r.Skip(len);
    if (!p.layers.emplace(id, std::string(reinterpret_cast<const char*>(name), len)).second) {
      return absl::InvalidArgumentError(absl::StrCat("layer table: duplicate layer id ", id));
    }
  }
  if (count > r.remaining() / 16) {
    return absl::InvalidArgumentError(absl::StrCat("truncated: ", count, " instructions need ",
                                                   count * 16, " bytes, ", r.remaining(), " left"));
  }
  p.instructions.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    Word128 w;
    w[0] = r.Le(8);
    w[1] = r.Le(8);
    absl::StatusOr<Instruction> inst = Decode(w);
    if (!inst.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("instruction ", i, " invalid: ", inst.status().message()));
    }
    p.instructions.push_back(*std::move(inst));
  }
  if (param_bytes > r.remaining()) {
    return absl::InvalidArgumentError(absl::StrCat("truncated: parameter blob of ", param_bytes,
                                                   " bytes, ", r.remaining(), " left"));
  }
  if (param_bytes < r.remaining()) {
    return absl::InvalidArgumentError(absl::StrCat("trailing bytes: ", r.remaining() - param_bytes,
                                                   " bytes after the parameter blob"));
  }
  const uint8_t* blob = r.Skip(param_bytes);
  p.params.assign(blob, blob + param_bytes);
  if (absl::Status s = ValidateProgram(p); !s.ok()) return s;
  return p;
}

}  // namespace openbpu::isa
