// Test support: a real BPU program packed as an .hbm without the compiler — ResNet-18's layer1
// 3x3 conv (the simulator's hand-written, hand-checked test program, 56x56x64 -> 64 on
// bernoulli2), input "x" and output "y" int8 [1, 64, 56, 56] NHWC with scale 0.5.
#ifndef OPENBPU_RUNTIME_TEST_MODEL_H_
#define OPENBPU_RUNTIME_TEST_MODEL_H_

#include <stdint.h>

#ifdef __cplusplus
#include <string>
#include <vector>

#include "proto/hbm.pb.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif
// For tests written in C: writes the .hbm to `path`; 0 on success.
int obpu_test_write_layer1_hbm(const char* path);
// Its golden input and output (the stored int8 bytes, NHWC), for tests written in C.
int64_t obpu_test_layer1_bytes(void);
const uint8_t* obpu_test_layer1_input(void);
const uint8_t* obpu_test_layer1_expected(void);
#ifdef __cplusplus
}

namespace openbpu::runtime::testing {

struct TestModel {
  std::vector<uint8_t> hbm;  // the file's bytes
  std::vector<uint8_t> input, expected;
};
const TestModel& Layer1Conv();
// Any of the simulator's test programs (simulator/test_programs.h) by name as an .hbm: input "x"
// and output "y" int8 [1, bytes of its DDR region], scale 1 (empty hbm when unknown).
TestModel TestProgramModel(const std::string& name);
// A hybrid model around Layer1Conv (runtime/hybrid_test.cc): float input "x" [1, 64, 56, 56]
// NCHW -> CPU segment "cpu0" QuantizeLinear (scale 0.5) -> BPU segment "bpu1" the conv -> CPU
// segment "cpu2" DequantizeLinear, Relu -> float output "y".
hbm::Payload HybridLayer1Payload();

}  // namespace openbpu::runtime::testing
#endif

#endif  // OPENBPU_RUNTIME_TEST_MODEL_H_
