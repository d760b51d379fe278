// Ceil: rounding toward +inf on both signs.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(CeilOpTest, Values) {
  auto out = RunOp("Ceil", {In(F({5}, {-1.5f, 1.5f, 2.f, -0.2f, 0.2f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {5}, {-1.f, 2.f, 2.f, 0.f, 1.f});
}

TEST(CeilOpTest, RejectsIntegerInput) {
  auto out = RunOp("Ceil", {In(Tensor::FromVector<int32_t>({1}, {4}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
