#include "compiler/backend/emitter.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "isa/assembler.h"

namespace openbpu::backend {

void Emitter::BeginLayer(absl::string_view name) {
  OnCore(0);
  ++layer_;
  layer_name_ = std::string(name);
  layers_[static_cast<uint16_t>(layer_)] = layer_name_;
}

namespace {

// The unit that runs `mnemonic` (isa/ISA.md §1): 0 load, 1 store, 2 tae, 3 vae, 4 aae.
int UnitOf(absl::string_view mnemonic) {
  if (absl::StartsWith(mnemonic, "load")) return 0;
  if (absl::StartsWith(mnemonic, "store")) return 1;
  if (absl::StartsWith(mnemonic, "tae.")) return 2;
  if (absl::StartsWith(mnemonic, "vae.")) return 3;
  return 4;
}
constexpr const char* kUnitNames[5] = {"load", "store", "tae", "vae", "aae"};

// O0: the semaphore of the consumer's unit (1..5), signalled only by the previous data
// instruction. O2: one semaphore per ordered pair of units (6..29).
int ChainSemaphore(int unit) { return 1 + unit; }
int PairSemaphore(int producer, int consumer) {
  return 6 + producer * 5 + consumer - (consumer > producer ? 1 : 0);
}
// Multi-core: a producer unit of the other core and a consumer unit of this one (30..54; two
// cores at most).
int CrossSemaphore(int producer_unit, int consumer_unit) {
  return 30 + producer_unit * 5 + consumer_unit;
}

// `same_core` false: only DDR is shared (each core has its own SRAMs).
bool Conflicts(const std::vector<Emitter::Access>& a, const std::vector<Emitter::Access>& b,
               bool same_core = true) {
  for (const Emitter::Access& x : a) {
    for (const Emitter::Access& y : b) {
      if (!same_core && !absl::StartsWith(x.space, "ddr:")) continue;
      if ((x.write || y.write) && x.space == y.space && x.begin < y.end && y.begin < x.end) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

void Emitter::Emit(absl::string_view line, bool data, std::vector<Access> accesses) {
  const size_t space = line.find(' ');
  Line l;
  l.mnemonic = std::string(line.substr(0, space));
  l.fields = space == absl::string_view::npos ? "" : std::string(line.substr(space));
  l.layer = layer_;
  l.core = core_;
  if (!data) {
    l.all = cores_ > 1;
    lines_.push_back(std::move(l));
    return;
  }
  if (all_cores_) {
    // A copy per core; one that writes DDR only on core 0 (the others' copies would race it).
    const bool writes_ddr = std::any_of(accesses.begin(), accesses.end(), [](const Access& a) {
      return a.write && absl::StartsWith(a.space, "ddr:");
    });
    all_cores_ = false;
    const int saved = core_;
    for (int c = 0; c < (writes_ddr ? 1 : cores_); ++c) {
      core_ = c;
      Emit(line, true, accesses);
    }
    core_ = saved;
    all_cores_ = true;
    return;
  }
  l.unit = UnitOf(l.mnemonic);
  l.accesses = std::move(accesses);
  // The pitch register of its unit (aae.move and aae.gather have their own strides).
  if (l.unit >= 2 && l.mnemonic != "aae.move" && l.mnemonic != "aae.gather") {
    const int u = l.unit - 2;
    if (pending_pitch_[u] != pitch_state_[u]) {
      Line cfg;
      cfg.mnemonic = absl::StrCat(l.mnemonic.substr(0, 3), ".pitch");
      cfg.fields = pending_pitch_[u].empty() ? "" : absl::StrCat(" ", pending_pitch_[u]);
      cfg.layer = layer_;
      cfg.core = core_;
      cfg.all = cores_ > 1;
      lines_.push_back(std::move(cfg));
      pitch_state_[u] = pending_pitch_[u];
    }
    pending_pitch_[u].clear();
  }
  if (!overlap_) {
    const int sem = ChainSemaphore(l.unit);
    if (last_data_ >= 0) {
      lines_[last_data_].signals.push_back(sem);
      l.waits.push_back(sem);
    }
    last_data_ = static_cast<int>(lines_.size());
    lines_.push_back(std::move(l));
    return;
  }
  const int queue = l.core * 5 + l.unit;
  std::vector<Access> acc = l.accesses;
  lines_.push_back(std::move(l));
  Schedule(static_cast<int>(lines_.size()) - 1, queue, acc);
}

void Emitter::InsertLine(int at, Line line) {
  lines_.insert(lines_.begin() + at, std::move(line));
  for (auto& q : unit_lines_) {
    for (int& i : q) {
      if (i >= at) ++i;
    }
  }
}

void Emitter::Schedule(int index, int queue, const std::vector<Access>& accesses) {
  const int unit = queue % 5, core = queue / 5;
  std::vector<int> waits;
  for (int q = 0; q < 5 * cores_; ++q) {
    if (q == queue) continue;
    const int u = q % 5;
    const bool same_core = q / 5 == core;
    const std::vector<int>& lines = unit_lines_[q];
    // The latest instruction of queue q this one must follow.
    int needed = -1;
    for (int k = static_cast<int>(lines.size()) - 1; k > claimed_[q][queue]; --k) {
      const Line& p = lines_[lines[k]];
      if (accesses.empty() || p.accesses.empty() || Conflicts(accesses, p.accesses, same_core)) {
        needed = k;
        break;
      }
    }
    if (needed < 0) continue;  // nothing, or already ordered through an earlier wait of `queue`
    Line& producer = lines_[lines[needed]];
    const int at = lines[needed] + 1;
    if (!same_core) {
      // An xsync right after the producer in its queue pushes this core's semaphore.
      const int sem = CrossSemaphore(u, unit);
      Line x;
      x.mnemonic = "xsync";
      x.fields = absl::StrCat(" unit=", kUnitNames[u], " core=", core, " sem=", sem);
      x.layer = producer.layer;
      x.sync = true;
      x.core = producer.core;
      InsertLine(at, std::move(x));
      ++index;
      ++cross_core_syncs_;
      claimed_[q][queue] = needed;
      waits.push_back(sem);
      continue;
    }
    const int sem = PairSemaphore(u, unit);
    if (producer.signals.size() < 2) {
      producer.signals.push_back(sem);
    } else {
      // A sync right after the producer in its queue signals on its behalf.
      Line sync;
      sync.mnemonic = "sync";
      sync.fields = absl::StrCat(" unit=", kUnitNames[u]);
      sync.layer = producer.layer;
      sync.signals.push_back(sem);
      sync.sync = true;
      sync.core = producer.core;
      InsertLine(at, std::move(sync));
      ++index;
    }
    claimed_[q][queue] = needed;
    waits.push_back(sem);
  }
  // Waits beyond two go on syncs in this unit's queue just before the instruction.
  while (waits.size() > 2) {
    Line sync;
    sync.mnemonic = "sync";
    sync.fields = absl::StrCat(" unit=", kUnitNames[unit]);
    sync.layer = lines_[index].layer;
    sync.waits = {waits[waits.size() - 2], waits.back()};
    sync.sync = true;
    sync.core = core;
    waits.resize(waits.size() - 2);
    InsertLine(index, std::move(sync));
    ++index;
  }
  lines_[index].waits = waits;
  unit_lines_[queue].push_back(index);
}

namespace {

// `key=value` fields of an instruction line (integers only; others are skipped).
std::map<std::string, int64_t> IntFields(absl::string_view fields) {
  std::map<std::string, int64_t> out;
  for (absl::string_view f : absl::StrSplit(fields, ' ', absl::SkipEmpty())) {
    const size_t eq = f.find('=');
    if (eq == absl::string_view::npos) continue;
    int64_t v = 0;
    if (absl::SimpleAtoi(f.substr(eq + 1), &v)) out[std::string(f.substr(0, eq))] = v;
  }
  return out;
}

std::string StringField(absl::string_view fields, absl::string_view key) {
  for (absl::string_view f : absl::StrSplit(fields, ' ', absl::SkipEmpty())) {
    if (absl::StartsWith(f, absl::StrCat(key, "="))) return std::string(f.substr(key.size() + 1));
  }
  return "";
}

int64_t Get(const std::map<std::string, int64_t>& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

}  // namespace

void Emitter::Data(absl::string_view line, std::vector<Access> accesses) {
  if (chain_base_ >= 0 && absl::StrContains(line, " region=chain")) {
    const size_t space = line.find(' ');
    EmitChainCopy(line.substr(0, space), line.substr(space), std::move(accesses));
    return;
  }
  Emit(line, true, std::move(accesses));
}

void Emitter::Pitch(absl::string_view unit_prefix, std::string fields) {
  const int u = unit_prefix == "tae" ? 0 : unit_prefix == "vae" ? 1 : 2;
  pending_pitch_[u] = absl::StrJoin(absl::StrSplit(fields, ' ', absl::SkipEmpty()), " ");
}

void Emitter::Config(absl::string_view line) {
  if (absl::StartsWith(line, "load.") || absl::StartsWith(line, "store.")) {
    auto& config = absl::StartsWith(line, "load.") ? load_config_ : store_config_;
    // A configuration word sets every field of its register (omitted fields are 0).
    const bool shape = absl::StrContains(line.substr(0, line.find(' ')), ".shape");
    for (const char* k : {"elem", "n0", "n1", "n2", "pad_top", "pad_bottom", "pad_left",
                          "pad_right", "pad_value", "ddr_s1", "ddr_s2", "sram_s1", "sram_s2"}) {
      const bool shape_field =
          std::string(k).rfind("ddr_", 0) != 0 && std::string(k).rfind("sram_", 0) != 0;
      if (shape_field == shape) config.erase(k);
    }
    for (const auto& [k, v] : IntFields(line.substr(line.find(' ') + 1))) config[k] = v;
    if (absl::StartsWith(line, "load.shape")) load_shape_line_ = std::string(line);
    if (absl::StartsWith(line, "load.stride")) load_stride_line_ = std::string(line);
  }
  Emit(line, false, {});
}

int64_t Emitter::ConstantSlot(int64_t value, int64_t elem) {
  auto it = constant_slots_.find({value, elem});
  if (it != constant_slots_.end()) return it->second;
  const int64_t slots = kChainConstantBytes / 16;
  if (static_cast<int64_t>(constant_slots_.size()) >= slots) return -1;
  const int64_t at = chain_base_ + chain_bytes_ + 16 * static_cast<int64_t>(constant_slots_.size());
  std::vector<uint8_t> bytes(16);
  for (int64_t i = 0; i < 16; ++i) {
    bytes[static_cast<size_t>(i)] =
        static_cast<uint8_t>(static_cast<uint64_t>(value) >> (8 * (i % elem)));
  }
  // Keep the load unit's configuration as the lowering left it (its next loads may rely on it).
  const std::map<std::string, int64_t> saved = load_config_;
  const std::string shape = load_shape_line_, stride = load_stride_line_;
  LoadParams("feature", static_cast<uint64_t>(at), AddParams(bytes), 16);
  if (!shape.empty()) Config(shape);
  if (!stride.empty()) Config(stride);
  load_config_ = saved;
  constant_slots_[{value, elem}] = at;
  return at;
}

bool Emitter::EmitChainCopy(absl::string_view mnemonic, absl::string_view fields,
                            std::vector<Access> accesses) {
  auto fail = [&](absl::string_view why) {
    if (error_.empty()) error_ = absl::StrCat("on-chip chain: ", mnemonic, fields, ": ", why);
    return false;
  };
  const bool load = mnemonic == "load";
  if (!load && mnemonic != "store") return fail("not a load or store");
  const std::map<std::string, int64_t> f = IntFields(fields);
  const std::map<std::string, int64_t>& c = load ? load_config_ : store_config_;
  const int64_t elem = Get(c, "elem");
  const int64_t n0 = Get(c, "n0"), n1 = Get(c, "n1"), n2 = Get(c, "n2");
  const int64_t ds1 = Get(c, "ddr_s1"), ds2 = Get(c, "ddr_s2");
  const int64_t ss1 = Get(c, "sram_s1"), ss2 = Get(c, "sram_s2");
  if (elem <= 0 || ds1 % elem || ds2 % elem || ss1 % elem || ss2 % elem) {
    return fail("strides are not whole elements");
  }
  constexpr int64_t kMaxStride = (1 << 19) - 1, kMaxDim = 65535;
  for (int64_t s : {ds1, ds2, ss1, ss2}) {
    if (s / elem > kMaxStride) return fail("a stride beyond aae.move's 20 bits");
  }
  const int64_t chain = chain_base_ + Get(f, "offset");
  const std::string sram_space = StringField(fields, load ? "dst_space" : "src_space");
  if (sram_space != "feature" && sram_space != "weight" && sram_space != "acc") {
    return fail("a space aae.move cannot reach");
  }
  const int64_t sram = Get(f, load ? "dst" : "src");
  for (Access& a : accesses) {
    if (a.space == "ddr:chain") {
      a.space = "feature";
      a.begin += chain_base_;
      a.end += chain_base_;
    }
  }
  auto move = [&](int64_t d0, int64_t d1, int64_t d2, const std::string& src_space, int64_t src,
                  const int64_t src_s[3], const std::string& dst_space, int64_t dst,
                  const int64_t dst_s[3], std::vector<Access> acc) {
    Config(absl::StrCat("aae.move.shape elem=", elem, " d0=", d0, " d1=", d1, " d2=", d2, " d3=1"));
    Config(absl::StrCat("aae.move.src s0=", src_s[0], " s1=", src_s[1], " s2=", src_s[2], " s3=0"));
    Config(absl::StrCat("aae.move.dst s0=", dst_s[0], " s1=", dst_s[1], " s2=", dst_s[2], " s3=0"));
    Emit(absl::StrCat("aae.move src_space=", src_space, " src=", src, " dst_space=", dst_space,
                      " dst=", dst),
         true, std::move(acc));
  };
  if (n0 > kMaxDim || n1 > kMaxDim || n2 > kMaxDim) return fail("a dimension beyond 65535");
  if (load) {
    const int64_t pt = Get(c, "pad_top"), pb = Get(c, "pad_bottom");
    const int64_t pl = Get(c, "pad_left"), pr = Get(c, "pad_right");
    const int64_t sram_s[3] = {1, ss1 / elem, ss2 / elem};
    if (pt || pb || pl || pr) {
      // Fill the whole padded box with the pad value, then copy the data over it.
      const int64_t slot = ConstantSlot(Get(c, "pad_value"), elem);
      if (slot < 0) return fail("more distinct pad values than constant slots");
      const int64_t zero[3] = {0, 0, 0};
      std::vector<Access> acc;
      for (const Access& a : accesses) {
        if (a.write) acc.push_back(a);
      }
      acc.push_back(Read("feature", slot, 16));
      if (pl + n1 + pr > kMaxDim || pt + n2 + pb > kMaxDim) return fail("padded box too big");
      move(n0, pl + n1 + pr, pt + n2 + pb, "feature", slot, zero, sram_space, sram, sram_s, acc);
    }
    const int64_t chain_s[3] = {1, ds1 / elem, ds2 / elem};
    move(n0, n1, n2, "feature", chain, chain_s, sram_space, sram + pt * ss2 + pl * ss1, sram_s,
         std::move(accesses));
  } else {
    const int64_t sram_s[3] = {1, ss1 / elem, ss2 / elem};
    const int64_t chain_s[3] = {1, ds1 / elem, ds2 / elem};
    move(n0, n1, n2, sram_space, sram, sram_s, "feature", chain, chain_s, std::move(accesses));
  }
  return true;
}

std::vector<std::pair<int, int>> Emitter::Order() const {
  std::vector<std::pair<int, int>> order;
  order.reserve(lines_.size() + static_cast<size_t>(cores_));
  for (int c = 0; c < cores_; ++c) {
    for (int i = 0; i < static_cast<int>(lines_.size()); ++i) {
      if (lines_[i].all || lines_[i].core == c) order.emplace_back(i, c);
    }
    order.emplace_back(-1, c);
  }
  return order;
}

std::map<int, std::pair<int, int>> Emitter::LayerRanges() const {
  std::map<int, std::pair<int, int>> ranges;
  const std::vector<std::pair<int, int>> order = Order();
  for (int k = 0; k < static_cast<int>(order.size()); ++k) {
    const int i = order[k].first;
    if (i < 0 || lines_[i].layer < 0) continue;
    auto [it, inserted] = ranges.emplace(lines_[i].layer, std::make_pair(k, k));
    it->second.second = k;
  }
  return ranges;
}

uint64_t Emitter::AddParams(const std::vector<uint8_t>& bytes) {
  while (params_.size() % 16) params_.push_back(0);
  const uint64_t at = params_.size();
  params_.insert(params_.end(), bytes.begin(), bytes.end());
  while (params_.size() % 16) params_.push_back(0);
  return at;
}

void Emitter::LoadParams(const char* space, uint64_t dst, uint64_t offset, uint64_t bytes) {
  // n1 has 14 bits: at most 16383 rows of 16 bytes per load.
  constexpr uint64_t kChunk = 8192 * 16;
  for (uint64_t done = 0; done < bytes; done += kChunk) {
    const uint64_t n = std::min(kChunk, bytes - done);
    Config(absl::StrCat("load.shape elem=1 n0=16 n1=", (n + 15) / 16, " n2=1"));
    Config("load.stride ddr_s1=16 ddr_s2=0 sram_s1=16 sram_s2=0");
    Data(absl::StrCat("load dst_space=", space, " dst=", dst + done,
                      " region=param offset=", offset + done),
         {Write(space, static_cast<int64_t>(dst + done), static_cast<int64_t>(Align16(n)))});
  }
}

void Emitter::LoadBox(const char* region, uint64_t offset, int64_t dst, const Box& b) {
  Config(absl::StrCat("load.shape elem=", b.esize, " n0=", b.channels, " n1=", b.width,
                      " n2=", b.rows, " pad_top=", b.pad_top, " pad_bottom=", b.pad_bottom,
                      " pad_left=", b.pad_left, " pad_right=", b.pad_right));
  const int64_t padded_w = b.pad_left + b.width + b.pad_right;
  Config(absl::StrCat("load.stride ddr_s1=", b.full_channels * b.esize,
                      " ddr_s2=", b.full_width * b.full_channels * b.esize, " sram_s1=", b.pitch,
                      " sram_s2=", padded_w * b.pitch));
  const int64_t ddr_bytes = ((b.rows - 1) * b.full_width + b.width) * b.full_channels * b.esize;
  std::vector<Access> accesses = {
      Write("feature", dst, (b.pad_top + b.rows + b.pad_bottom) * padded_w * b.pitch)};
  if (std::string(region) != "param") {
    accesses.push_back(Read(absl::StrCat("ddr:", region), static_cast<int64_t>(offset), ddr_bytes));
  }
  Data(absl::StrCat("load dst_space=feature dst=", dst, " region=", region, " offset=", offset),
       std::move(accesses));
}

void Emitter::StoreBox(const char* region, uint64_t offset, int64_t src, const Box& b) {
  Config(absl::StrCat("store.shape elem=", b.esize, " n0=", b.channels, " n1=", b.width,
                      " n2=", b.rows));
  Config(absl::StrCat("store.stride ddr_s1=", b.full_channels * b.esize,
                      " ddr_s2=", b.full_width * b.full_channels * b.esize, " sram_s1=", b.pitch,
                      " sram_s2=", b.width * b.pitch));
  const int64_t ddr_bytes = ((b.rows - 1) * b.full_width + b.width) * b.full_channels * b.esize;
  Data(absl::StrCat("store src_space=feature src=", src, " region=", region, " offset=", offset),
       {Read("feature", src, b.rows * b.width * b.pitch),
        Write(absl::StrCat("ddr:", region), static_cast<int64_t>(offset), ddr_bytes)});
}

absl::StatusOr<isa::Program> Emitter::Finish(uint64_t input_bytes, uint64_t output_bytes,
                                             uint64_t scratch_bytes) const {
  if (!error_.empty()) return absl::UnimplementedError(error_);
  std::string text =
      absl::StrCat(".march ", march_.name, "\n.cores ", cores_, "\n.ddr input=", input_bytes,
                   " output=", output_bytes, " scratch=", scratch_bytes, "\n");
  for (const auto& [id, name] : layers_) absl::StrAppend(&text, ".layer ", id, " ", name, "\n");
  for (const auto& [index, core] : Order()) {
    if (index < 0) {
      absl::StrAppend(&text, "end\n");
      continue;
    }
    const Line& l = lines_[index];
    absl::StrAppend(&text, l.mnemonic);
    // Only data instructions carry their layer id: a configuration instruction runs as soon as
    // its queue reaches it, often long before its layer's work, and would stretch the layer's
    // cycle span in the statistics. The layer table's instruction ranges still include them.
    if (l.layer >= 0 && (l.unit >= 0 || l.sync)) absl::StrAppend(&text, " layer=", l.layer);
    if (!l.waits.empty()) absl::StrAppend(&text, " wait=", absl::StrJoin(l.waits, ","));
    if (!l.signals.empty()) absl::StrAppend(&text, " signal=", absl::StrJoin(l.signals, ","));
    absl::StrAppend(&text, l.fields, "\n");
  }
  absl::StatusOr<isa::Program> program = isa::AssembleProgram(text);
  if (!program.ok()) return program.status();
  program->params = params_;
  if (absl::Status st = isa::ValidateProgram(*program); !st.ok()) return st;
  return program;
}

}  // namespace openbpu::backend
