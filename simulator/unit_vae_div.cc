// The VAE's ISA 1.1 elementwise instructions (isa/ISA.md §4, VAE page 2): vae.div and
// vae.select.
#include "absl/strings/str_cat.h"
#include "simulator/units.h"

namespace openbpu::sim::units {

// Not executed by this build yet: an execution error naming the instruction, never a wrong
// answer.
absl::StatusOr<Lowered> Lower(const isa::VaeDiv&, Lowering&) {
  return absl::UnimplementedError("vae.div is not executed by this simulator build yet");
}
absl::StatusOr<Lowered> Lower(const isa::VaeSelect&, Lowering&) {
  return absl::UnimplementedError("vae.select is not executed by this simulator build yet");
}

}  // namespace openbpu::sim::units
