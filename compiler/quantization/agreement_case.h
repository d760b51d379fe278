// Case generators for the per-op quantized agreement test (docs/NUMERICS.md,
// "What correct means"): every op with a quantized kernel registers one from a
// file next to its kind of ops, and the test fails for a quantized op without.
#ifndef OPENBPU_COMPILER_QUANTIZATION_AGREEMENT_CASE_H_
#define OPENBPU_COMPILER_QUANTIZATION_AGREEMENT_CASE_H_

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/tensor.h"
#include "compiler/ir/graph.h"

namespace openbpu::quantization {

// One float graph holding the op under test (usually one node; constant
// inputs such as weights, shapes or axes are graph constants) and float
// inputs for it. The harness calibrates the graph on `inputs` (MinMax
// observers, so output scales come from the float result), converts it for
// `march` with activations of `activation_dtype`, runs the quantized reference
// on `inputs` and compares with the float graph run on the dequantized integer
// inputs and fake-quantized with the output scale.
//
// A saturation case calibrates on a narrower range than it is tested on:
// `calibration_inputs` (e.g. `inputs` scaled by 0.5), and/or `fixed_ranges`
// pinning a value's scale (as a QAT model's fake quant does) for ops whose
// calibrated output range always holds their inputs' (Concat, Max, Min,
// Where). Running on `inputs` then drives values past the int limits: the
// border QuantizeLinear clips inputs and the op's requantize clips outputs.
// Fake quantization clamps to the same range, so the within-1-LSB bound holds
// unchanged, and the harness checks that the case really saturates.
struct AgreementCase {
  std::string name;  // "conv 3x3 stride 2 groups 4", shown on failure
  std::unique_ptr<ir::Graph> graph;
  std::vector<Tensor> inputs;  // one per graph input, float32 (int64 for indices)
  std::string march = "bayes";
  DType activation_dtype = DType::kInt8;  // kInt16 only for bayes
  // Saturation cases only. Non-empty: calibrate on these (one per graph input) instead of
  // `inputs`.
  std::vector<Tensor> calibration_inputs;
  // Saturation cases only. Value name -> fixed range amax: the value's scale is amax / 127.5
  // (int8) or amax / 32767.5 (int16) whatever calibration sees.
  std::map<std::string, float> fixed_ranges;
  bool saturation() const { return !calibration_inputs.empty() || !fixed_ranges.empty(); }
  // kTable ops: the asserted bound on |integer - fake-quantized float| in output LSBs; 0 means
  // the default (1 for int8 tables, 4 for int16 SegmentLUT).
  int max_lsb = 0;
};

using AgreementCaseGenerator = std::function<std::vector<AgreementCase>(std::mt19937& rng)>;

// op name -> generator; a second generator for the same op aborts at start-up.
std::map<std::string, AgreementCaseGenerator>& AgreementCaseRegistry();
bool RegisterAgreementCases(const std::string& op, AgreementCaseGenerator generator);

#define OPENBPU_REGISTER_AGREEMENT_CASES(id, op, generator) \
  static const bool openbpu_agreement_cases_##id =          \
      ::openbpu::quantization::RegisterAgreementCases(op, generator)

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_AGREEMENT_CASE_H_
