// libFuzzer target: running a loaded model (a small conv + requantize, the simulator's
// conv_requant program as an .hbm; or, with bit 7 of byte 0, a hybrid model whose CPU segments
// quantize, dequantize and apply Relu around a BPU conv) with arbitrary inputs. Byte 0 picks the
// path and backend; the rest is the input: raw bytes of any length for RunRaw (the wrong size is an
// error, the right size runs), or float32 values (NaN, infinities, anything) of any count for Run.
// Never a crash; a right-sized input always runs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "hbm/hbm.h"
#include "runtime/runtime.h"
#include "runtime/test_model.h"

namespace {

const openbpu::runtime::Model& TheModel() {
  static const auto* pkg = [] {
    const std::vector<uint8_t> hbm =
        openbpu::runtime::testing::TestProgramModel("conv_requant").hbm;
    auto loaded = openbpu::runtime::Package::LoadMemory(hbm);
    if (!loaded.ok()) std::abort();
    return loaded->release();
  }();
  return *pkg->models()[0];
}

// A hybrid model (testing::HybridLayer1Payload: CPU QuantizeLinear, the layer1 conv on the BPU,
// CPU DequantizeLinear and Relu) whose float input goes through a CPU segment first.
const openbpu::runtime::Model& TheHybridModel() {
  static const auto* pkg = [] {
    absl::StatusOr<std::vector<uint8_t>> hbm =
        openbpu::hbm::WriteHbm(openbpu::runtime::testing::HybridLayer1Payload());
    if (!hbm.ok()) std::abort();
    auto loaded = openbpu::runtime::Package::LoadMemory(*hbm);
    if (!loaded.ok()) std::abort();
    return loaded->release();
  }();
  return *pkg->models()[0];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  // Bit 7 of byte 0 picks the hybrid model (its input is float32, so raw bytes are its floats).
  const openbpu::runtime::Model& model = (mode & 0x80) ? TheHybridModel() : TheModel();
  openbpu::runtime::RunOptions options;
  options.backend = static_cast<openbpu::runtime::Backend>(((mode & 0x7f) >> 1) % 3);
  const uint8_t* in = data + 1;
  const size_t n = size - 1;
  const auto& info = model.inputs()[0];
  if (mode & 1) {
    absl::StatusOr<std::vector<std::vector<uint8_t>>> out =
        model.RunRaw({absl::MakeConstSpan(in, n)}, options);
    if (n == info.bytes && !out.ok()) std::abort();  // a right-sized input must run
    return 0;
  }
  // Float values, reshaped to the input's shape when the count fits, else a [1, count] tensor.
  const int64_t count = static_cast<int64_t>(n / sizeof(float));
  openbpu::Shape shape =
      count == openbpu::NumElements(info.valid_shape) ? info.valid_shape : openbpu::Shape{1, count};
  openbpu::Tensor x(openbpu::DType::kFloat32, shape);
  if (count > 0) std::memcpy(x.raw(), in, static_cast<size_t>(count) * sizeof(float));
  absl::StatusOr<std::vector<openbpu::Tensor>> out = model.Run({x}, options);
  if (shape == info.valid_shape && !out.ok()) std::abort();
  return 0;
}
