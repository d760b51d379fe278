// The gcc build's driver for a libFuzzer harness (tools/fuzz.sh runs the real fuzzers): calls
// LLVMFuzzerInitialize, then LLVMFuzzerTestOneInput on every seed it wrote and on inputs derived
// from them (truncations, every single-byte flip of the first 4096 bytes at a few positions,
// random bytes from a fixed seed), so a crash the harness can reach shows in `bazel test` too.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/seeds";
  std::filesystem::create_directories(dir);
  setenv("OPENBPU_FUZZ_SEEDS", dir.c_str(), 1);
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::vector<uint8_t>> seeds;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // The run fuzzer writes no seeds: start from small inputs of every mode.
  for (int mode : {0, 1, 2, 3, 4, 5, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85}) {
    for (size_t n : {0, 4, 8, 32})
      seeds.push_back(std::vector<uint8_t>(1 + n, static_cast<uint8_t>(mode)));
  }
  std::mt19937 rng(20261203);
  int64_t runs = 0;
  for (const std::vector<uint8_t>& seed : seeds) {
    LLVMFuzzerTestOneInput(seed.data(), seed.size());
    ++runs;
    for (size_t cut : {size_t{1}, seed.size() / 2, seed.size() - 1}) {
      if (cut >= seed.size()) continue;
      LLVMFuzzerTestOneInput(seed.data(), cut);
      ++runs;
    }
    for (int k = 0; k < 200 && !seed.empty(); ++k) {
      std::vector<uint8_t> mutated = seed;
      const size_t at = rng() % std::min<size_t>(mutated.size(), 4096);
      mutated[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
      if (at == 0) mutated[0] &= 0xFE;  // keep the mode of wrapped seeds now and then
      LLVMFuzzerTestOneInput(mutated.data(), mutated.size());
      ++runs;
    }
  }
  for (int k = 0; k < 2000; ++k) {
    std::vector<uint8_t> random(rng() % 256);
    for (uint8_t& b : random) b = static_cast<uint8_t>(rng());
    LLVMFuzzerTestOneInput(random.data(), random.size());
    ++runs;
  }
  std::printf("fuzz-replay: %s %lld inputs, 0 crashes\n",
              std::filesystem::path(argv[0]).filename().c_str(), static_cast<long long>(runs));
  return 0;
}
