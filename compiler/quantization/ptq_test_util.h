// Helpers the PTQ method tests share (ptq_methods_test, tune_scales_test, empirical_bias_test).
#ifndef OPENBPU_COMPILER_QUANTIZATION_PTQ_TEST_UTIL_H_
#define OPENBPU_COMPILER_QUANTIZATION_PTQ_TEST_UTIL_H_

#include <cstdint>
#include <random>
#include <utility>

#include "common/tensor.h"
#include "compiler/quantization/qconfig.h"

namespace openbpu::quantization::ptq_test {

// A float tensor of N(0, sigma^2) values from a seeded generator.
inline Tensor Normal(Shape shape, uint32_t seed, float sigma = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, sigma);
  Tensor t(DType::kFloat32, std::move(shape));
  for (float& v : t.span<float>()) v = d(rng);
  return t;
}

// Every node int8 with the MSE observer (bpu quantize's default observer).
inline QConfigMap MseMap() {
  QKwargs kwargs;
  kwargs.observer = ObserverConfig::MSE();
  QConfigMap map;
  map.SetGlobal(*GetDefaultCalibQConfig(QDType::kQInt8, kwargs));
  return map;
}

}  // namespace openbpu::quantization::ptq_test

#endif  // OPENBPU_COMPILER_QUANTIZATION_PTQ_TEST_UTIL_H_
