// Erf: values of the error function.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(ErfOpTest, Values) {
  auto out = RunOp("Erf", {In(F({4}, {0.f, 0.5f, -1.f, 3.f}))});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {4}, {0.f, 0.52049988f, -0.84270079f, 0.99997791f});
}

TEST(ErfOpTest, RejectsIntegerInput) {
  auto out = RunOp("Erf", {In(Tensor::FromVector<int32_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
