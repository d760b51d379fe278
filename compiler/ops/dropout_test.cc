// Dropout: inference is the identity with an all-true mask; training is rejected.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

TEST(DropoutOpTest, InferenceIsIdentity) {
  const Tensor x = F({2, 2}, {1.f, -2.f, 3.f, 0.f});
  auto out = RunOp("Dropout", {In(x)}, Attrs({{"seed", int64_t{0}}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0], x);
  // A runtime ratio, an explicit training_mode = false and the mask output.
  out =
      RunOp("Dropout", {In(x), In(Tensor::Scalar<float>(0.1f)), Const(Tensor::Scalar<bool>(false))},
            {}, /*num_outputs=*/2);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0], x);
  EXPECT_EQ((*out)[1], Tensor::FromVector<bool>({2, 2}, {true, true, true, true}));
}

TEST(DropoutOpTest, RejectsTrainingMode) {
  const Tensor x = F({2}, {1.f, 2.f});
  auto out = RunOp("Dropout", {In(x), Omitted(), Const(Tensor::Scalar<bool>(true))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
  // A training_mode only known at run time cannot be honoured either.
  out = RunOp("Dropout", {In(x), Omitted(), In(Tensor::Scalar<bool>(false))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
  out = RunOp("Dropout", {In(Tensor::FromVector<int32_t>({1}, {1}))});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented) << out.status();
}

}  // namespace
}  // namespace openbpu::ops
