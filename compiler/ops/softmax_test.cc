// Softmax: last and inner axes, large and -inf inputs, and a bad axis.
#include <limits>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/ops/op_test_util.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

absl::StatusOr<Tensor> RunSoftmax(const Tensor& x, ir::AttributeMap attrs = {}) {
  return FirstOutput(RunOp("Softmax", {In(x)}, std::move(attrs)));
}

// Probabilities within 1e-6.
void ExpectNear(const absl::StatusOr<Tensor>& t, const Shape& shape,
                const std::vector<float>& values) {
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(ShapeToString(t->shape()), ShapeToString(shape));
  ASSERT_EQ(t->num_elements(), static_cast<int64_t>(values.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_NEAR(t->data<float>()[i], values[i], 1e-6f) << "at " << i;
  }
}

constexpr float kP0 = 0.09003057f, kP1 = 0.24472847f, kP2 = 0.66524096f;  // softmax(1, 2, 3)

TEST(SoftmaxTest, DefaultLastAxis) {
  ExpectNear(RunSoftmax(F({2, 3}, {1, 2, 3, 1001, 1002, 1003})), {2, 3},
             {kP0, kP1, kP2, kP0, kP1, kP2});
}

TEST(SoftmaxTest, InnerAxis) {
  // [3, 2] along axis 0: each column is softmax(1, 2, 3).
  const Tensor x = F({3, 2}, {1, -5, 2, -4, 3, -3});
  ExpectNear(RunSoftmax(x, Attrs({{"axis", int64_t{0}}})), {3, 2}, {kP0, kP0, kP1, kP1, kP2, kP2});
  ExpectNear(RunSoftmax(x, Attrs({{"axis", int64_t{-2}}})), {3, 2}, {kP0, kP0, kP1, kP1, kP2, kP2});
  // Middle axis of [1, 3, 2].
  Tensor x3 = x;
  ASSERT_TRUE(x3.Reshape({1, 3, 2}).ok());
  ExpectNear(RunSoftmax(x3, Attrs({{"axis", int64_t{1}}})), {1, 3, 2},
             {kP0, kP0, kP1, kP1, kP2, kP2});
}

TEST(SoftmaxTest, NegativeInfinity) {
  const float inf = std::numeric_limits<float>::infinity();
  ExpectNear(RunSoftmax(F({3}, {-inf, 0, 0})), {3}, {0, 0.5f, 0.5f});
}

TEST(SoftmaxTest, RejectsBadAxis) {
  EXPECT_EQ(RunSoftmax(F({2}, {1, 2}), Attrs({{"axis", int64_t{1}}})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunSoftmax(F({2}, {1, 2}).CastTo(DType::kInt32)).status().code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::ops
