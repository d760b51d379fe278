#include "common/tensor.h"

#include "gtest/gtest.h"

namespace openbpu {
namespace {

TEST(TensorTest, ShapeHelpers) {
  EXPECT_EQ(NumElements({}), 1);
  EXPECT_EQ(NumElements({2, 3, 4}), 24);
  EXPECT_EQ(NumElements({2, 0}), 0);
  EXPECT_EQ(ShapeToString({1, 3, 224, 224}), "[1,3,224,224]");
  EXPECT_EQ(RowMajorStrides({2, 3, 4}), (std::vector<int64_t>{12, 4, 1}));
}

TEST(TensorTest, FromVectorAndAccess) {
  Tensor t = Tensor::FromVector<float>({2, 2}, {1.5f, -2.f, 3.f, 4.25f});
  EXPECT_EQ(t.dtype(), DType::kFloat32);
  EXPECT_EQ(t.num_bytes(), 16u);
  EXPECT_EQ(t.data<float>()[3], 4.25f);
  EXPECT_EQ(t.GetAsInt64(1), -2);
  EXPECT_TRUE(t.Reshape({4}).ok());
  EXPECT_FALSE(t.Reshape({3}).ok());
}

TEST(TensorTest, CastTruncatesTowardZeroAndBoolIsNonzero) {
  Tensor t = Tensor::FromVector<float>({4}, {1.7f, -1.7f, 0.f, 2.f});
  EXPECT_EQ(t.CastTo(DType::kInt64).ToInt64Vector(), (std::vector<int64_t>{1, -1, 0, 2}));
  Tensor b = t.CastTo(DType::kBool);
  EXPECT_EQ(b.ToInt64Vector(), (std::vector<int64_t>{1, 1, 0, 1}));
}

TEST(TensorTest, EqualityComparesDtypeShapeAndBytes) {
  Tensor a = Tensor::FromVector<int32_t>({2}, {1, 2});
  Tensor b = Tensor::FromVector<int32_t>({2}, {1, 2});
  Tensor c = Tensor::FromVector<int32_t>({1, 2}, {1, 2});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, a.CastTo(DType::kInt64));
}

}  // namespace
}  // namespace openbpu
