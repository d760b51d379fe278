// The OpenBPU runtime (README.md): load an .hbm file and run its models from a C++ application.
//
//   absl::StatusOr<std::unique_ptr<Package>> pkg = Package::LoadFile("model.hbm");
//   const Model* model = *(*pkg)->GetModel("resnet18");
//   absl::StatusOr<std::vector<Tensor>> out = model->Run({image});  // float in, float out
//
// Loading checks the file (size, magic, format version, CRC, then every model's program and
// descriptors) and lowers each model's program once into an immutable object (packed weights and
// tables, resolved addresses) that every run shares; a run keeps only its own scratch memory.
// A Model is thread-safe: any number of threads may call Run on it at once.
//
// Each section of a model (today its BPU program; with hybrid models also CPU segments) is loaded
// by the loader registered for its type (section.h), so this core names no backend: linking
// //runtime brings the BPU program loader (the simulator); //runtime:core alone has none.
#ifndef OPENBPU_RUNTIME_RUNTIME_H_
#define OPENBPU_RUNTIME_RUNTIME_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/tensor.h"

namespace openbpu::runtime {

// Where a run happens: the functional simulator (outputs, no timing), the timing simulator
// (modeled latency and per-layer times, no outputs) or both at once (outputs and timing, with the
// hazard checker on; RunOptions::check_hazards turns it on for kFunctional).
enum class Backend { kFunctional, kTiming, kBoth };
const char* BackendName(Backend b);
// "func", "perf" or "both" (the simulator's mode names), or INVALID_ARGUMENT.
absl::StatusOr<Backend> ParseBackend(absl::string_view name);

enum class Layout { kNHWC, kNCHW };
enum class QuantType { kNone, kScale };

// An input or output of a model as the application sees it.
struct TensorInfo {
  std::string name;
  DType dtype = DType::kInt8;  // the stored integers (BPU_RAW); kBool / kInt64 are not quantized
  Shape valid_shape;           // the model's shape, in its (ONNX) dimension order
  // The shape as stored, in `layout` order (NHWC: the channel dimension moved last); the BPU's
  // DDR tensors are dense, so it holds exactly the valid elements.
  Shape aligned_shape;
  Layout layout = Layout::kNHWC;
  QuantType quant_type = QuantType::kScale;
  std::vector<float> scales;  // real = scale * q: one, or one per channel along `axis`
  int axis = -1;
  uint64_t bytes = 0;  // of the stored tensor
};

struct LayerTime {
  std::string name;
  uint64_t start_cycle = 0, end_cycle = 0;  // first start, last end of its instructions
  uint64_t instructions = 0;
};

// One segment of a hybrid model's run, in run order. A BPU segment's time is modeled (the timing
// simulator's cycles); a CPU segment's is measured on this host and is never added to cycles.
struct SegmentTime {
  std::string name;  // "bpu0", "cpu1", ...
  bool bpu = true;
  uint64_t cycles = 0;    // BPU, timing backends: modeled cycles
  double latency_us = 0;  // BPU, timing backends: modeled latency
  double host_us = 0;     // CPU, every backend: measured wall-clock time of its nodes on the host
  int nodes = 0;          // CPU: graph nodes run
};

// Timing of one run (Backend kTiming and kBoth; zero for kFunctional). For a hybrid model,
// cycles / latency_us / instructions / layers are the BPU segments' (modeled; layer cycles
// counted from the first BPU segment's start with the BPU segments back to back) and host_us
// the CPU segments' measured host time (in every backend; with kTiming they run on zero inputs),
// kept apart: perf output never adds the two.
struct RunStats {
  uint64_t cycles = 0;
  double latency_us = 0;
  uint64_t instructions = 0;
  std::vector<LayerTime> layers;
  std::string report;  // the timing simulator's summary: totals, each unit's busy time, each layer
  std::vector<SegmentTime> segments;  // hybrid models only
  double host_us = 0;                 // hybrid models: the CPU segments' measured host time
};

struct RunOptions {
  Backend backend = Backend::kFunctional;
  // Timing: one instruction at a time, no unit overlap (debugging a schedule).
  bool force_serial = false;
  // kFunctional: check every instruction's accesses against the ones it is not ordered after
  // (the simulator's hazard checker; a race is an error naming both instructions). Off by
  // default, the hot path: a diagnostic of the program, which the compiler's tests run on every
  // compiled model. kBoth always checks.
  bool check_hazards = false;
  // kFunctional / kBoth: host threads one instruction's tiles are spread over (1 to 256); the
  // outputs are the same for every count.
  int threads = 1;
};

class Executor;  // internal: the loaded sections of one model (section.h)

class Model {
 public:
  const std::string& name() const { return name_; }
  const std::string& march() const { return march_; }
  const std::vector<TensorInfo>& inputs() const { return inputs_; }
  const std::vector<TensorInfo>& outputs() const { return outputs_; }

  // Float inputs (float32, each input's valid shape; kBool / kInt64 inputs as they are) are
  // quantized with the input scales (x / scale, rounded half to even, saturated: QuantizeLinear,
  // as a QuantStub does); outputs come back dequantized to float32 in the model's shape (q x
  // scale, as a DeQuantStub does; kBool / kInt64 outputs as they are). Backend kTiming returns no
  // outputs. `stats`, when given, gets the run's timing.
  absl::StatusOr<std::vector<Tensor>> Run(const std::vector<Tensor>& inputs,
                                          const RunOptions& options = {},
                                          RunStats* stats = nullptr) const;

  // BPU_RAW: inputs already quantized, each exactly its TensorInfo::bytes in its layout; the
  // outputs' stored bytes. No conversion at all.
  absl::StatusOr<std::vector<std::vector<uint8_t>>> RunRaw(
      const std::vector<absl::Span<const uint8_t>>& inputs, const RunOptions& options = {},
      RunStats* stats = nullptr) const;

  ~Model();

 private:
  friend class Package;
  Model() = default;
  std::string name_, march_;
  std::vector<TensorInfo> inputs_, outputs_;
  std::vector<uint64_t> input_offsets_, output_offsets_;  // in the DDR input / output regions
  uint64_t input_region_bytes_ = 0, output_region_bytes_ = 0;
  std::unique_ptr<const Executor> executor_;
};

class Package {
 public:
  // Reads and checks an .hbm file (every error names the file and what is wrong), then loads
  // every model.
  static absl::StatusOr<std::unique_ptr<Package>> LoadFile(const std::string& path);
  static absl::StatusOr<std::unique_ptr<Package>> LoadMemory(absl::Span<const uint8_t> bytes);

  const std::string& march() const { return march_; }
  std::vector<std::string> model_names() const;
  // NOT_FOUND naming the models the package has.
  absl::StatusOr<const Model*> GetModel(absl::string_view name) const;
  const std::vector<std::unique_ptr<Model>>& models() const { return models_; }

 private:
  Package() = default;
  std::string march_;
  std::vector<std::unique_ptr<Model>> models_;
};

// Float tensor -> the stored integers of `info` (QuantizeLinear into its layout), and back
// (dequantized, in the model's order): what Model::Run does around RunRaw, for applications that
// keep raw buffers.
absl::StatusOr<std::vector<uint8_t>> QuantizeInput(const Tensor& x, const TensorInfo& info);
// The same from float32 memory in the valid shape: element (i0, i1, ...) at data[sum_k i_k x
// strides[k]] (strides in elements, one per dimension; empty: contiguous row-major). For
// application buffers of any layout (DLPack), read in place.
absl::StatusOr<std::vector<uint8_t>> QuantizeInputFrom(const float* data,
                                                       absl::Span<const int64_t> strides,
                                                       const TensorInfo& info);
absl::StatusOr<Tensor> DequantizeOutput(absl::Span<const uint8_t> raw, const TensorInfo& info);

// A tensor of info's dtype and valid shape (the model's order) <-> its stored bytes in info's
// layout, with no conversion: what a hybrid model's segments pass between them, and the path of
// unquantized (bool, int64, float32) inputs and outputs.
absl::StatusOr<std::vector<uint8_t>> PackTensor(const Tensor& x, const TensorInfo& info);
absl::StatusOr<Tensor> UnpackTensor(absl::Span<const uint8_t> raw, const TensorInfo& info);

}  // namespace openbpu::runtime

#endif  // OPENBPU_RUNTIME_RUNTIME_H_
