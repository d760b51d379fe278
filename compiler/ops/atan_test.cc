// Atan: values including the limits at +-inf.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(AtanOpTest, Values) {
  auto out = RunOp("Atan", {In(F({4}, {0.f, 1.f, -1.f, kInf}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {4}, {0.f, 0.78539816f, -0.78539816f, 1.5707964f});
}

TEST(AtanOpTest, RejectsIntegerInput) {
  auto out = RunOp("Atan", {In(Tensor::FromVector<int32_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
