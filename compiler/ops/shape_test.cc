// Shape: start/end clamping and folding to a constant.
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/reference/float_interpreter.h"
#include "gtest/gtest.h"

namespace openbpu::ops {
namespace {

using frontend::Attrs;

// An op argument: a runtime graph input, a constant, or an omitted input.
struct Arg {
  enum Kind { kInput, kConstant, kOmitted } kind;
  Tensor tensor;
};
[[maybe_unused]] Arg In(Tensor t) { return {Arg::kInput, std::move(t)}; }
[[maybe_unused]] Arg Const(Tensor t) { return {Arg::kConstant, std::move(t)}; }
[[maybe_unused]] Arg Omitted() { return {Arg::kOmitted, Tensor()}; }

// Builds a one-node graph (shape inference, folding when all inputs are
// constant) and runs it on the reference interpreter.
[[maybe_unused]] absl::StatusOr<std::vector<Tensor>> RunOp(const std::string& op,
                                                           std::vector<Arg> args,
                                                           ir::AttributeMap attrs = {},
                                                           int num_outputs = 1) {
  frontend::GraphBuilder b;
  std::vector<ir::Value*> values;
  std::vector<Tensor> feeds;
  for (size_t i = 0; i < args.size(); ++i) {
    const Arg& a = args[i];
    if (a.kind == Arg::kOmitted) {
      values.push_back(nullptr);
    } else if (a.kind == Arg::kConstant) {
      values.push_back(b.Constant(a.tensor));
    } else {
      values.push_back(b.Input(absl::StrCat("in", i), a.tensor.dtype(), a.tensor.shape()));
      feeds.push_back(a.tensor);
    }
  }
  for (ir::Value* v : b.OpN(op, values, num_outputs, std::move(attrs))) b.Output(v);
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  if (!g.ok()) return g.status();
  return reference::RunFloat(**g, feeds);
}

template <typename T>
void ExpectTensor(const Tensor& t, const Shape& shape, const std::vector<T>& values) {
  ASSERT_EQ(DTypeName(t.dtype()), DTypeName(DTypeOf<T>::value));
  ASSERT_EQ(ShapeToString(t.shape()), ShapeToString(shape));
  EXPECT_EQ(std::vector<T>(t.data<T>(), t.data<T>() + t.num_elements()), values);
}

template <typename T>
Tensor T1(const std::vector<T>& v) {
  return Tensor::FromVector<T>({static_cast<int64_t>(v.size())}, v);
}

[[maybe_unused]] Tensor I64(const std::vector<int64_t>& v) { return T1<int64_t>(v); }

// Every dtype a data-movement op must handle.
[[maybe_unused]] constexpr DType kAllDTypes[] = {DType::kFloat32, DType::kFloat64, DType::kInt8,
                                                 DType::kInt16,   DType::kInt32,   DType::kInt64,
                                                 DType::kUInt8,   DType::kBool};

[[maybe_unused]] void ExpectCode(const absl::StatusOr<std::vector<Tensor>>& r,
                                 absl::StatusCode code) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code) << r.status();
}

TEST(ShapeTest, StartEnd) {
  const Tensor x(DType::kBool, {2, 3, 4});
  struct Case {
    ir::AttributeMap attrs;
    std::vector<int64_t> want;
  };
  const std::vector<Case> cases = {
      {{}, {2, 3, 4}},
      {Attrs({{"start", int64_t{1}}}), {3, 4}},
      {Attrs({{"end", int64_t{-1}}}), {2, 3}},
      {Attrs({{"start", int64_t{-1}}}), {4}},
      {Attrs({{"start", int64_t{-10}}, {"end", int64_t{10}}}), {2, 3, 4}},
      {Attrs({{"start", int64_t{2}}, {"end", int64_t{1}}}), {}},
      {Attrs({{"start", std::numeric_limits<int64_t>::min()},
              {"end", std::numeric_limits<int64_t>::max()}}),
       {2, 3, 4}},
  };
  for (const Case& c : cases) {
    auto r = RunOp("Shape", {In(x)}, c.attrs);
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectTensor<int64_t>((*r)[0], {static_cast<int64_t>(c.want.size())}, c.want);
  }
}

TEST(ShapeTest, FoldsToConstant) {
  frontend::GraphBuilder b;
  ir::Value* x = b.Input("x", DType::kFloat32, {1, 3, 8, 8});
  ir::Value* s = b.Op("Shape", {x});
  b.Output(s);
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE((*g)->nodes().empty());
  ASSERT_TRUE((*g)->outputs()[0]->is_constant());
  EXPECT_EQ((*g)->outputs()[0]->constant(), I64({1, 3, 8, 8}));
}

TEST(ShapeTest, Scalar) {
  auto r = RunOp("Shape", {In(Tensor::Scalar<float>(1))});
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectTensor<int64_t>((*r)[0], {0}, {});
}

}  // namespace
}  // namespace openbpu::ops
