#include "common/npy.h"

#include <cstdio>

#include "gtest/gtest.h"

namespace openbpu {
namespace {

TEST(NpyTest, RoundTripsEveryDtypeAndRank) {
  std::vector<Tensor> cases = {
      Tensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, -6.5f}),
      Tensor::FromVector<int8_t>({3}, {-128, 0, 127}),
      Tensor::FromVector<int16_t>({1, 1, 2}, {-32768, 32767}),
      Tensor::FromVector<int32_t>({}, {42}),
      Tensor::FromVector<int64_t>({2}, {int64_t{1} << 40, -1}),
      Tensor::FromVector<uint8_t>({0, 4}, {}),
      Tensor::FromVector<bool>({2}, {true, false}),
  };
  for (const Tensor& t : cases) {
    std::string bytes = SerializeNpy(t);
    EXPECT_EQ((bytes.size() - t.num_bytes()) % 64, 0u);
    absl::StatusOr<Tensor> back = ParseNpy(bytes);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, t) << ShapeToString(t.shape());
  }
}

// Bytes numpy 1.24 writes for np.arange(6, dtype='<f4').reshape(2, 3).
TEST(NpyTest, ReadsNumpyWrittenHeader) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  header.append(128 - 10 - header.size() - 1, ' ');
  header += "\n";
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes.push_back(static_cast<char>(header.size()));
  bytes.push_back(0);
  bytes += header;
  for (int i = 0; i < 6; ++i) {
    float f = static_cast<float>(i);
    bytes.append(reinterpret_cast<const char*>(&f), 4);
  }
  absl::StatusOr<Tensor> t = ParseNpy(bytes);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->shape(), (Shape{2, 3}));
  EXPECT_EQ(t->data<float>()[5], 5.f);
}

TEST(NpyTest, RejectsMalformedInput) {
  std::string good = SerializeNpy(Tensor::FromVector<float>({4}, {1, 2, 3, 4}));
  EXPECT_FALSE(ParseNpy("").ok());
  EXPECT_FALSE(ParseNpy("not a numpy file at all").ok());
  EXPECT_FALSE(ParseNpy(good.substr(0, good.size() - 1)).ok()) << "truncated data";
  EXPECT_FALSE(ParseNpy(good.substr(0, 20)).ok()) << "truncated header";
  std::string fortran = good;
  fortran.replace(fortran.find("False"), 5, "True ");
  EXPECT_FALSE(ParseNpy(fortran).ok());
  std::string big_endian = good;
  big_endian.replace(big_endian.find("<f4"), 3, ">f4");
  EXPECT_FALSE(ParseNpy(big_endian).ok());
  std::string huge = good;
  huge.replace(huge.find("(4,)"), 4, "(99999999999,)");
  EXPECT_FALSE(ParseNpy(huge).ok());
  std::string negative = good;
  negative.replace(negative.find("(4,)"), 4, "(-4,)");
  EXPECT_FALSE(ParseNpy(negative).ok());
  // Every truncation of a valid file is an error, never a crash.
  for (size_t n = 0; n < good.size(); ++n) EXPECT_FALSE(ParseNpy(good.substr(0, n)).ok());
}

TEST(NpyTest, FileRoundTrip) {
  std::string path = ::testing::TempDir() + "/t.npy";
  Tensor t = Tensor::FromVector<float>({3}, {0.25f, -1, 7});
  ASSERT_TRUE(WriteNpy(path, t).ok());
  absl::StatusOr<Tensor> back = ReadNpy(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, t);
  EXPECT_EQ(ReadNpy(path + ".missing").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace openbpu
