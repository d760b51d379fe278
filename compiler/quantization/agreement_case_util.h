// Shared builders for the agreement_cases_*.cc generators: random inputs, a graph under
// construction with its float inputs, and the expansion of variants over every configuration.
#ifndef OPENBPU_COMPILER_QUANTIZATION_AGREEMENT_CASE_UTIL_H_
#define OPENBPU_COMPILER_QUANTIZATION_AGREEMENT_CASE_UTIL_H_

#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/tensor.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/ir/graph.h"
#include "compiler/quantization/agreement_case.h"

namespace openbpu::quantization {

// A float32 tensor of independent uniform values in [lo, hi).
Tensor UniformTensor(const Shape& shape, float lo, float hi, std::mt19937& rng);
// A 1-D int64 tensor holding `v` (shapes, axes, pads as constant inputs).
Tensor I64(const std::vector<int64_t>& v);
Tensor F32(const Shape& shape, const std::vector<float>& v);

// One case under construction: graph inputs with their float data, constants.
struct CaseContext {
  frontend::GraphBuilder b;
  std::vector<Tensor> inputs;
  std::mt19937* rng = nullptr;

  ir::Value* In(Tensor t);
  ir::Value* U(const Shape& shape, float lo = -2.f, float hi = 2.f) {
    return In(UniformTensor(shape, lo, hi, *rng));
  }
  ir::Value* CU(const Shape& shape, float lo, float hi) {
    return b.Constant(UniformTensor(shape, lo, hi, *rng));
  }
  ir::Value* C(Tensor t) { return b.Constant(std::move(t)); }
  void Out(ir::Value* v) { b.Output(v); }
  void Out(const std::vector<ir::Value*>& vs) {
    for (ir::Value* v : vs) b.Output(v);
  }

  // Saturation variants (AgreementCase::calibration_inputs / fixed_ranges): calibrate on the
  // float32 inputs times `calibration_scale`, and pin the range of the values in `fixed_ranges`.
  float calibration_scale = 1.f;
  std::map<std::string, float> fixed_ranges;
  void FixRange(ir::Value* v, float amax) { fixed_ranges[v->name()] = amax; }
};

// A named way to build the graph of one case.
using CaseVariant = std::pair<std::string, std::function<void(CaseContext&)>>;

// `v` as a saturation variant, "saturating <name>": calibrated on its float32 inputs times
// `calibration_scale` (< 1) and tested on the inputs themselves.
CaseVariant Saturating(CaseVariant v, float calibration_scale = 0.5f);
// The variant of `variants` named `name` as a saturation variant (aborts if there is none).
CaseVariant Saturating(const std::vector<CaseVariant>& variants, const std::string& name,
                       float calibration_scale = 0.5f);

// Every variant on every (march, activation dtype) configuration: bayes int8, bayes int16,
// bernoulli2 int8, in that order. A variant whose graph does not build aborts (a programming
// error in a test-only generator).
std::vector<AgreementCase> ConfigCases(const std::string& op,
                                       const std::vector<CaseVariant>& variants, std::mt19937& rng);

// Appends `more` to `cases` (saturation cases are generated after a generator's other cases, so
// those draw the same random inputs as without them).
void AppendCases(std::vector<AgreementCase>& cases, std::vector<AgreementCase> more);

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_AGREEMENT_CASE_UTIL_H_
