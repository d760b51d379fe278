// Typed quantization parameters: the integer parameters a quantized node carries, one struct per
// family, every record type an isa/ or isa/numerics type (so the simulator, which reads the same
// records from SRAM, never depends on compiler/). This file and qparams.cc are the only code that
// reads or writes Node::qparams(): qprepare functions Store a family, integer kernels, the
// verifier and tests Load it (which Validates it), and the back end will Load it to pack records.
//
// One HBIR encoding per family: the family's fields as named tensors "<family>.<field>"; every
// requantize record, wherever it appears, is an int32 [n, 2] tensor of (multiplier, shift) rows.
// Fields missing, of the wrong dtype or length, or out of the isa's ranges are errors naming the
// node ("run convert first" when the family is absent altogether).
#ifndef OPENBPU_COMPILER_OPS_QPARAMS_H_
#define OPENBPU_COMPILER_OPS_QPARAMS_H_

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "compiler/ir/graph.h"
#include "compiler/ir/op_registry.h"
#include "isa/numerics/elementwise.h"
#include "isa/numerics/layer_norm.h"
#include "isa/numerics/requantize.h"
#include "isa/numerics/segment_lut.h"
#include "isa/numerics/softmax.h"
#include "isa/records.h"

namespace openbpu::ops::qparams {

using numerics::RequantizeRecord;

// Conv, FusedConv, ConvTranspose, FusedLinear, Gemm, MatMul ("requant"): one vae.requant record
// per output channel. `bias` is always 0 here: the int32 bias is input B, summed into the
// accumulator; lo/hi are the storage range intersected with the fused activation.
struct Requant {
  std::vector<isa::RequantParam> channels;
};

// Add / Sub ("add"): the march's formula (bayes / bayes-e, or bernoulli2).
struct Add {
  std::variant<numerics::BayesAddParams, numerics::Bernoulli2AddParams> params;
};

// Mul ("mul").
struct Mul {
  numerics::MulParams params;
};

// One record per data input, requantizing it to the output scale ("inputs"): Concat, Max, Min,
// and Where's two data inputs.
struct InputRecords {
  std::vector<RequantizeRecord> records;
};

// AveragePool, GlobalAveragePool, ReduceMean, ReduceSum ("divisor"): records of
// s_in / (divisor * s_out), one per distinct window size.
struct Divisors {
  std::vector<RequantizeRecord> records;
};

// Equal, Greater, Less, GreaterOrEqual, LessOrEqual ("cmp"): the two inputs' exact scales and the
// op's predicate. A compare of two float (unquantized) inputs stores nothing.
using Compare = isa::CmpParam;

// PRelu and LeakyRelu ("slope"): x >= 0 requantized by `positive`, x < 0 by negative[c] after
// multiplying by negative_sign[c] (+1 / -1), c the slope element (LeakyRelu: one).
struct Slope {
  RequantizeRecord positive;
  std::vector<RequantizeRecord> negative;
  std::vector<int32_t> negative_sign;
};

// Clip ("clip"): the constant bounds on the input's grid; absent bounds do not clamp.
struct Clip {
  std::optional<int32_t> min, max;
};

// Pad ("pad"): the constant value on the input's grid (reflect / edge pads store 0).
struct Pad {
  int32_t value = 0;
};

// Linear Resize ("resize"): output = s_in / (s_out * 2^weight_frac_bits), weight_frac_bits =
// 16 per interpolated dimension (16 or 32). Nearest Resize is an exact gather and stores nothing.
struct Resize {
  RequantizeRecord output;
  int32_t weight_frac_bits = 16;
};

// Unary table ops ("table"): int8 input reads a 256-entry table (`lut`, indexed q + 128, entries
// in the output's storage range); int16 input a fitted SegmentLUT (`segment`, `strategy` 0 =
// evenly divided, 1 = by curvature). `max_lsb`: the table's measured worst error against the
// real function over every input, in output LSBs.
struct Table {
  std::vector<int32_t> lut;
  std::optional<numerics::SegmentLut> segment;
  int32_t strategy = 0;
  int32_t max_lsb = 0;
};

// Ceil / Floor of int16 input ("rounding"): k = floor(q * input) (Ceil: -floor(-q * input)),
// y = Requantize(k, output); int8 input uses Table. `max_lsb` as for Table (1: the input record
// rounds s_in to 31 bits).
struct Rounding {
  RequantizeRecord input;
  RequantizeRecord output;
  int32_t max_lsb = 1;
};

// Reciprocal, Sqrt, Log ("norm"): the vae.recip / vae.sqrt / vae.log table and record.
// `max_lsb` as for Table.
struct NormTable {
  isa::NormFunction function = isa::NormFunction::kReciprocal;
  isa::NormTable table;
  int32_t max_lsb = 0;
};

// Div ("div"), Softmax ("softmax"), LayerNormalization ("layernorm"): the isa/numerics structs
// their row loops take.
using Div = numerics::DivParams;
using Softmax = numerics::SoftmaxParams;
using LayerNorm = numerics::LayerNormParams;

// Range and length checks of each family (the isa's record checks: isa::CheckRecord, the
// Unpack* functions of isa/records.h). Errors do not name a node; Load adds it.
absl::Status Validate(const Requant& p);
absl::Status Validate(const Add& p);
absl::Status Validate(const Mul& p);
absl::Status Validate(const InputRecords& p);
absl::Status Validate(const Divisors& p);
absl::Status Validate(const Compare& p);
absl::Status Validate(const Slope& p);
absl::Status Validate(const Clip& p);
absl::Status Validate(const Pad& p);
absl::Status Validate(const Resize& p);
absl::Status Validate(const Table& p);
absl::Status Validate(const Rounding& p);
absl::Status Validate(const NormTable& p);
absl::Status Validate(const Div& p);
absl::Status Validate(const Softmax& p);
absl::Status Validate(const LayerNorm& p);

// Writes the family's encoding on `node`, replacing that family's previous fields. Validates
// first: storing parameters the isa would reject is an error naming the node.
absl::Status Store(ir::Node& node, const Requant& p);
absl::Status Store(ir::Node& node, const Add& p);
absl::Status Store(ir::Node& node, const Mul& p);
absl::Status Store(ir::Node& node, const InputRecords& p);
absl::Status Store(ir::Node& node, const Divisors& p);
absl::Status Store(ir::Node& node, const Compare& p);
absl::Status Store(ir::Node& node, const Slope& p);
absl::Status Store(ir::Node& node, const Clip& p);
absl::Status Store(ir::Node& node, const Pad& p);
absl::Status Store(ir::Node& node, const Resize& p);
absl::Status Store(ir::Node& node, const Table& p);
absl::Status Store(ir::Node& node, const Rounding& p);
absl::Status Store(ir::Node& node, const NormTable& p);
absl::Status Store(ir::Node& node, const Div& p);
absl::Status Store(ir::Node& node, const Softmax& p);
absl::Status Store(ir::Node& node, const LayerNorm& p);

// Reads and validates the family from `node`: FailedPrecondition naming the node when the family
// is absent (qprepare has not run), InvalidArgument when a field is missing, malformed or out of
// range.
template <typename T>
absl::StatusOr<T> Load(const ir::Node& node);

// True when `node` carries any field of the family.
template <typename T>
bool Has(const ir::Node& node);

// A schema's qcheck for family T: Load<T>(node).status().
template <typename T>
ir::QuantCheckFn CheckFn() {
  return [](const ir::Node& node) { return Load<T>(node).status(); };
}

// The measured worst table error (max_lsb) of a Table, Rounding or NormTable node; NotFound
// naming the node when it has none of them.
absl::StatusOr<int64_t> MeasuredTableError(const ir::Node& node);

}  // namespace openbpu::ops::qparams

#endif  // OPENBPU_COMPILER_OPS_QPARAMS_H_
