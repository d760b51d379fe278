// Sigmoid: values on both sides, saturation without overflow, dtype rejection.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(SigmoidOpTest, Values) {
  auto out = RunOp("Sigmoid", {In(F({5}, {-1.f, 0.f, 2.f, -100.f, 100.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {5}, {0.26894142f, 0.5f, 0.88079708f, 3.7200760e-44f, 1.f});
}

TEST(SigmoidOpTest, RejectsIntegerInput) {
  auto out = RunOp("Sigmoid", {In(Tensor::FromVector<int32_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
