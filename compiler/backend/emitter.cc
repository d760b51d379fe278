#include "compiler/backend/emitter.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "isa/assembler.h"

namespace openbpu::backend {

void Emitter::BeginLayer(absl::string_view name) {
  ++layer_;
  layer_name_ = std::string(name);
  layers_[static_cast<uint16_t>(layer_)] = layer_name_;
}

namespace {

// The semaphore of the unit that runs `mnemonic` (isa/ISA.md §1): 1 load, 2 store, 3 tae,
// 4 vae, 5 aae.
int UnitSemaphore(absl::string_view mnemonic) {
  if (absl::StartsWith(mnemonic, "load")) return 1;
  if (absl::StartsWith(mnemonic, "store")) return 2;
  if (absl::StartsWith(mnemonic, "tae.")) return 3;
  if (absl::StartsWith(mnemonic, "vae.")) return 4;
  return 5;
}

}  // namespace

void Emitter::Emit(absl::string_view line, bool data) {
  const size_t space = line.find(' ');
  Line l;
  l.mnemonic = std::string(line.substr(0, space));
  l.fields = space == absl::string_view::npos ? "" : std::string(line.substr(space));
  l.layer = layer_;
  if (data) {
    const int sem = UnitSemaphore(l.mnemonic);
    if (last_data_ >= 0) {
      lines_[last_data_].signal = sem;
      l.wait = sem;
    }
    last_data_ = static_cast<int>(lines_.size());
  }
  lines_.push_back(std::move(l));
  if (layer_ >= 0) {
    auto [it, inserted] = ranges_.emplace(layer_name_, std::make_pair(instructions_, instructions_));
    it->second.second = instructions_;
  }
  ++instructions_;
}

void Emitter::Data(absl::string_view line) { Emit(line, true); }
void Emitter::Config(absl::string_view line) { Emit(line, false); }

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
    Data(absl::StrCat("load dst_space=", space, " dst=", dst + done, " region=param offset=",
                      offset + done));
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
  Data(absl::StrCat("load dst_space=feature dst=", dst, " region=", region, " offset=", offset));
}

void Emitter::StoreBox(const char* region, uint64_t offset, int64_t src, const Box& b) {
  Config(absl::StrCat("store.shape elem=", b.esize, " n0=", b.channels, " n1=", b.width,
                      " n2=", b.rows));
  Config(absl::StrCat("store.stride ddr_s1=", b.full_channels * b.esize,
                      " ddr_s2=", b.full_width * b.full_channels * b.esize, " sram_s1=", b.pitch,
                      " sram_s2=", b.width * b.pitch));
  Data(absl::StrCat("store src_space=feature src=", src, " region=", region, " offset=", offset));
}

absl::StatusOr<isa::Program> Emitter::Finish(uint64_t input_bytes, uint64_t output_bytes,
                                             uint64_t scratch_bytes) const {
  std::string text = absl::StrCat(".march ", march_.name, "\n.ddr input=", input_bytes,
                                  " output=", output_bytes, " scratch=", scratch_bytes, "\n");
  for (const auto& [id, name] : layers_) absl::StrAppend(&text, ".layer ", id, " ", name, "\n");
  for (const Line& l : lines_) {
    absl::StrAppend(&text, l.mnemonic);
    if (l.layer >= 0) absl::StrAppend(&text, " layer=", l.layer);
    if (l.wait > 0) absl::StrAppend(&text, " wait=", l.wait);
    if (l.signal > 0) absl::StrAppend(&text, " signal=", l.signal);
    absl::StrAppend(&text, l.fields, "\n");
  }
  absl::StrAppend(&text, "end\n");
  absl::StatusOr<isa::Program> program = isa::AssembleProgram(text);
  if (!program.ok()) return program.status();
  program->params = params_;
  if (absl::Status st = isa::ValidateProgram(*program); !st.ok()) return st;
  return program;
}

}  // namespace openbpu::backend
