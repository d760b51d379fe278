// Sin: values at well-known angles.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(SinOpTest, Values) {
  auto out = RunOp("Sin", {In(F({4}, {0.f, 1.5707964f, 0.5235988f, -1.5707964f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {4}, {0.f, 1.f, 0.5f, -1.f});
}

TEST(SinOpTest, RejectsIntegerInput) {
  auto out = RunOp("Sin", {In(Tensor::FromVector<int32_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
