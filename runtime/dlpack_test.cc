// DLPack in and out of the runtime on ResNet-18's layer1 conv (runtime/test_model.h): float
// inputs contiguous and channels-last strided, raw int8 inputs used in place, float and raw
// outputs as DLManagedTensor (freed by their deleters; ASan checks for leaks), and bad tensors.
#include "runtime/dlpack.h"

#include <cstring>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/test_model.h"

namespace openbpu::runtime {
namespace {

using ::testing::HasSubstr;
constexpr int64_t kH = 56, kW = 56, kC = 64;

struct Loaded {
  std::unique_ptr<Package> pkg;
  const Model* model = nullptr;
};
Loaded Load() {
  absl::StatusOr<std::unique_ptr<Package>> pkg = Package::LoadMemory(testing::Layer1Conv().hbm);
  EXPECT_TRUE(pkg.ok()) << pkg.status();
  Loaded l;
  l.pkg = *std::move(pkg);
  l.model = l.pkg->models()[0].get();
  return l;
}

DLTensor View(void* data, DLDataType dtype, std::vector<int64_t>& shape,
              std::vector<int64_t>* strides = nullptr) {
  DLTensor t;
  t.data = data;
  t.device = {kDLCPU, 0};
  t.ndim = static_cast<int>(shape.size());
  t.dtype = dtype;
  t.shape = shape.data();
  t.strides = strides != nullptr ? strides->data() : nullptr;
  t.byte_offset = 0;
  return t;
}

TEST(DLPack, FloatAndRawInputsGiveTheRuntimesOutputs) {
  Loaded l = Load();
  ASSERT_NE(l.model, nullptr);
  const std::vector<uint8_t>& q = testing::Layer1Conv().input;
  Tensor nchw(DType::kFloat32, {1, kC, kH, kW});
  std::vector<float> nhwc(static_cast<size_t>(kH * kW * kC));
  for (int64_t c = 0; c < kC; ++c)
    for (int64_t p = 0; p < kH * kW; ++p) {
      const float v = 0.5f * static_cast<int8_t>(q[p * kC + c]);
      nchw.data<float>()[c * kH * kW + p] = v;
      nhwc[p * kC + c] = v;
    }
  absl::StatusOr<std::vector<Tensor>> want = l.model->Run({nchw});
  ASSERT_TRUE(want.ok()) << want.status();

  std::vector<int64_t> shape = {1, kC, kH, kW};
  const DLTensor contiguous = View(nchw.raw(), {kDLFloat, 32, 1}, shape);
  // The same values in channels-last memory, described by strides (no copy to NCHW).
  std::vector<int64_t> strides = {kH * kW * kC, 1, kW * kC, kC};
  const DLTensor strided = View(nhwc.data(), {kDLFloat, 32, 1}, shape, &strides);
  for (const DLTensor* in : {&contiguous, &strided}) {
    absl::StatusOr<std::vector<DLManagedTensor*>> out = RunDLPack(*l.model, {in});
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_EQ(out->size(), 1u);
    DLManagedTensor* y = (*out)[0];
    EXPECT_EQ(y->dl_tensor.ndim, 4);
    EXPECT_EQ(y->dl_tensor.dtype.code, kDLFloat);
    EXPECT_EQ(std::memcmp(y->dl_tensor.data, (*want)[0].raw(), (*want)[0].num_bytes()), 0);
    y->deleter(y);
  }
  // The stored int8 bytes in the aligned NHWC shape: used as they are; raw outputs.
  std::vector<uint8_t> raw_in = q;
  std::vector<int64_t> aligned = {1, kH, kW, kC};
  const DLTensor raw = View(raw_in.data(), {kDLInt, 8, 1}, aligned);
  absl::StatusOr<std::vector<DLManagedTensor*>> out =
      RunDLPack(*l.model, {&raw}, {}, nullptr, /*raw_outputs=*/true);
  ASSERT_TRUE(out.ok()) << out.status();
  DLManagedTensor* y = (*out)[0];
  EXPECT_EQ(y->dl_tensor.dtype.code, kDLInt);
  EXPECT_EQ(y->dl_tensor.shape[3], kC);
  EXPECT_EQ(std::memcmp(y->dl_tensor.data, testing::Layer1Conv().expected.data(),
                        testing::Layer1Conv().expected.size()),
            0);
  y->deleter(y);
}

TEST(DLPack, BadTensorsAreClearErrors) {
  Loaded l = Load();
  ASSERT_NE(l.model, nullptr);
  std::vector<double> f64(static_cast<size_t>(kH * kW * kC));
  std::vector<int64_t> shape = {1, kC, kH, kW};
  DLTensor t = View(f64.data(), {kDLFloat, 64, 1}, shape);
  absl::StatusOr<std::vector<DLManagedTensor*>> out = RunDLPack(*l.model, {&t});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("dtype code 2 with 64 bits"));
  std::vector<float> small(10);
  std::vector<int64_t> wrong = {1, 10};
  t = View(small.data(), {kDLFloat, 32, 1}, wrong);
  out = RunDLPack(*l.model, {&t});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(),
              HasSubstr("must be float32 [1,64,56,56] or int8 [1,56,56,64]"));
  t.device = {kDLCUDA, 0};
  out = RunDLPack(*l.model, {&t});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("not the CPU"));
  out = RunDLPack(*l.model, {nullptr});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("no DLTensor data"));
  out = RunDLPack(*l.model, {});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("has 1 inputs; got 0"));
}

}  // namespace
}  // namespace openbpu::runtime
