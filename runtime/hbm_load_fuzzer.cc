// libFuzzer target: the .hbm loader (runtime::Package::LoadMemory) on arbitrary bytes. Never a
// crash, hang or leak: any input is a model or an error. Byte 0 picks the mode: odd bytes are
// the file as given; even bytes get the .hbm prefix and a correct CRC-32 around the rest, so the
// fuzzer reaches the protobuf parse and the validation behind the checksum.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "hbm/hbm.h"
#include "runtime/runtime.h"
#include "runtime/test_model.h"

namespace {

void Load(const uint8_t* data, size_t size) {
  absl::StatusOr<std::unique_ptr<openbpu::runtime::Package>> pkg =
      openbpu::runtime::Package::LoadMemory(absl::MakeConstSpan(data, size));
  if (!pkg.ok()) {
    if (pkg.status().message().empty()) std::abort();  // every error says what is wrong
    return;
  }
  for (const auto& m : (*pkg)->models()) {
    for (const auto& t : m->inputs()) {
      if (t.bytes == 0 && !t.valid_shape.empty() && t.valid_shape[0] > 0) continue;
    }
  }
}

}  // namespace

// Seeds: with OPENBPU_FUZZ_SEEDS=DIR, writes valid files there first (the script's corpus).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("OPENBPU_FUZZ_SEEDS");
  if (dir == nullptr) return 0;
  for (const char* name :
       {"conv_requant", "eltwise_lut8", "matmul_raw_s32", "two_core_matmul", "hybrid_layer1"}) {
    // A hybrid model's segments (CPU nodes, attributes, constants, value types) too.
    const std::vector<uint8_t> hbm =
        std::string(name) == "hybrid_layer1"
            ? *openbpu::hbm::WriteHbm(openbpu::runtime::testing::HybridLayer1Payload())
            : openbpu::runtime::testing::TestProgramModel(name).hbm;
    std::ofstream(std::string(dir) + "/" + name + ".hbm", std::ios::binary)
        .write(reinterpret_cast<const char*>(hbm.data()), static_cast<long>(hbm.size()));
    // The same as the wrapped mode sees it: byte 0 even, then the payload without prefix and CRC.
    std::string wrapped(1, '\0');
    wrapped.append(reinterpret_cast<const char*>(hbm.data()) + openbpu::hbm::kHbmPrefixBytes,
                   hbm.size() - openbpu::hbm::kHbmPrefixBytes - openbpu::hbm::kHbmCrcBytes);
    std::ofstream(std::string(dir) + "/" + name + ".payload", std::ios::binary) << wrapped;
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (data[0] & 1) {
    Load(data + 1, size - 1);
    return 0;
  }
  const std::vector<uint8_t> file = openbpu::hbm::FrameHbm(absl::MakeConstSpan(data + 1, size - 1));
  Load(file.data(), file.size());
  return 0;
}
