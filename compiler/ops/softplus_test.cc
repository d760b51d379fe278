// Softplus: values, and no overflow or underflow for large |x|.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(SoftplusOpTest, Values) {
  auto out = RunOp("Softplus", {In(F({5}, {-1.f, 0.f, 1.f, 100.f, -100.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {5}, {0.31326169f, 0.69314718f, 1.31326169f, 100.f, 3.7200760e-44f});
}

TEST(SoftplusOpTest, RejectsIntegerInput) {
  auto out = RunOp("Softplus", {In(Tensor::FromVector<int32_t>({1}, {2}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
