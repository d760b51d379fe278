// Cos: values at well-known angles.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(CosOpTest, Values) {
  auto out = RunOp("Cos", {In(F({3}, {0.f, 3.1415927f, 1.0471976f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {3}, {1.f, -1.f, 0.5f});
}

TEST(CosOpTest, RejectsIntegerInput) {
  auto out = RunOp("Cos", {In(Tensor::FromVector<int32_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
