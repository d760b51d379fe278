// HardSwish: both saturated regions and the quadratic middle.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(HardSwishOpTest, Values) {
  auto out = RunOp("HardSwish", {In(F({7}, {-4.f, -3.f, -1.f, 0.f, 1.f, 3.f, 4.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {7}, {0.f, 0.f, -1.f / 3.f, 0.f, 2.f / 3.f, 3.f, 4.f});
}

TEST(HardSwishOpTest, RejectsAttributesAndIntegers) {
  // ONNX HardSwish fixes alpha and beta: they are not attributes.
  auto out = RunOp("HardSwish", {In(F({1}, {0.f}))}, Attrs({{"alpha", 0.2f}}));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
  out = RunOp("HardSwish", {In(Tensor::FromVector<int32_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
