// Section loaders (internal to the runtime and its backends): a model in an .hbm file is made of
// sections of a type — today one "bpu.program" (its BPU program, run by the simulator); with
// hybrid models also CPU segments — and each type has a loader registered here, so the runtime
// core (runtime.cc) names no backend. A backend library registers its loader at static
// initialization (alwayslink), e.g. runtime/bpu_section.cc for "bpu.program".
#ifndef OPENBPU_RUNTIME_SECTION_H_
#define OPENBPU_RUNTIME_SECTION_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "proto/hbm.pb.h"
#include "runtime/runtime.h"

namespace openbpu::runtime {

// One loaded section: immutable after loading, Run callable from any number of threads at once.
// It reads the model's DDR input region image and writes its output region image.
class Executor {
 public:
  virtual ~Executor() = default;
  virtual absl::Status Run(absl::Span<const uint8_t> input_region,
                           absl::Span<uint8_t> output_region, const RunOptions& options,
                           RunStats* stats) const = 0;
};

// Loads the section of `type` of `model` (of the file's `march`).
using SectionLoader = std::function<absl::StatusOr<std::unique_ptr<Executor>>(
    const hbm::Model& model, const std::string& march)>;

// Registers the loader of `type`; returns true (for `static const bool registered = ...`). A
// second loader for one type is a programming error and aborts.
bool RegisterSectionLoader(const std::string& type, SectionLoader loader);
// The loader of `type`, or FAILED_PRECONDITION naming the types linked in.
absl::StatusOr<SectionLoader> FindSectionLoader(const std::string& type);
std::vector<std::string> SectionTypes();

// The section type of an .hbm model's BPU program.
inline constexpr char kBpuProgramSection[] = "bpu.program";
// The section type of a hybrid model (Model.segments): BPU segments through the "bpu.program"
// loader, CPU segments with the float kernels of common/kernels (runtime/hybrid_section.cc).
inline constexpr char kHybridSection[] = "hybrid";

// The descriptor as the application sees it; InvalidArgument when its byte size is not its
// elements'.
absl::StatusOr<TensorInfo> DescriptorInfo(const hbm::TensorDesc& d);

}  // namespace openbpu::runtime

#endif  // OPENBPU_RUNTIME_SECTION_H_
