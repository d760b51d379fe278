// GlobalAveragePool: 3-D to 5-D inputs, rejection of rank < 3 and non-float input.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(GlobalAveragePoolOpTest, AnyRank) {
  auto r = RunOp("GlobalAveragePool", {In(Iota({1, 2, 2, 2}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 2, 1, 1}, {1.5, 5.5});
  r = RunOp("GlobalAveragePool", {In(Iota({2, 1, 3}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {2, 1, 1}, {1, 4});
  r = RunOp("GlobalAveragePool", {In(Iota({1, 1, 2, 1, 2}))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectFloats((*r)[0], {1, 1, 1, 1, 1}, {1.5});
}

TEST(GlobalAveragePoolOpTest, Rejects) {
  ExpectCode(RunOp("GlobalAveragePool", {In(Iota({2, 3}))}), absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("GlobalAveragePool", {In(Tensor::FromVector<int32_t>({1, 1, 2}, {1, 2}))}),
             absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
