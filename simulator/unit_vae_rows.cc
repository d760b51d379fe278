// The VAE's ISA 1.1 row instructions (isa/ISA.md §4, VAE page 2): vae.softmax and
// vae.layernorm.
#include "absl/strings/str_cat.h"
#include "simulator/units.h"

namespace openbpu::sim::units {

// Not executed by this build yet: an execution error naming the instruction, never a wrong
// answer. (Being implemented with their lowerings; see the ISA 1.1 issue.)
template <typename T>
absl::StatusOr<Lowered> NotYet(const T&) {
  return absl::UnimplementedError(
      absl::StrCat(T::kMnemonic, " is not executed by this simulator build yet"));
}

absl::StatusOr<Lowered> Lower(const isa::VaeSoftmax& v, Lowering&) { return NotYet(v); }
absl::StatusOr<Lowered> Lower(const isa::VaeLayerNorm& v, Lowering&) { return NotYet(v); }

}  // namespace openbpu::sim::units
