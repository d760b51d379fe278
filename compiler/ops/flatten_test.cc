// Flatten: axis range [-r, r], any dtype.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(FlattenTest, Axes) {
  const Tensor x(DType::kFloat32, {2, 3, 4});
  const std::vector<std::pair<int64_t, Shape>> cases = {
      {0, {1, 24}}, {1, {2, 12}}, {3, {24, 1}}, {-1, {6, 4}}, {-3, {1, 24}}};
  for (const auto& [axis, shape] : cases) {
    auto r = RunOp("Flatten", {In(x)}, Attrs({{"axis", axis}}));
    ASSERT_TRUE(r.ok()) << axis << ": " << r.status();
    EXPECT_EQ((*r)[0].shape(), shape) << axis;
  }
  auto r = RunOp("Flatten", {In(x)});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0].shape(), (Shape{2, 12}));
}

TEST(FlattenTest, KeepsValuesInt64AndBool) {
  auto r = RunOp("Flatten", {In(Tensor::FromVector<int64_t>({2, 1, 2}, {1, -2, 3, -4}))},
                 Attrs({{"axis", int64_t{2}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {2, 2}, {1, -2, 3, -4});
  r = RunOp("Flatten", {In(Tensor::Scalar<bool>(true))}, Attrs({{"axis", int64_t{0}}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<bool>((*r)[0], {1, 1}, {true});
}

TEST(FlattenTest, Errors) {
  const Tensor x(DType::kFloat32, {2, 3, 4});
  ExpectCode(RunOp("Flatten", {In(x)}, Attrs({{"axis", int64_t{4}}})),
             absl::StatusCode::kInvalidArgument);
  ExpectCode(RunOp("Flatten", {In(x)}, Attrs({{"axis", int64_t{-4}}})),
             absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace openbpu::ops
