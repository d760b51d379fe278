// The harness of the exact-op quantized-kernel tests (exact_ops_quant_test.cc and
// exact_ops_agreement_test.cc): hand-made quantized nodes run through qprepare and qkernel, and
// compared with the float kernel on dequantized inputs followed by fake quantization.
#ifndef OPENBPU_COMPILER_OPS_QUANT_EXACT_TEST_UTIL_H_
#define OPENBPU_COMPILER_OPS_QUANT_EXACT_TEST_UTIL_H_

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/tensor.h"
#include "compiler/frontend/graph_builder.h"
#include "compiler/ir/op_registry.h"
#include "compiler/ops/op_test_util.h"
#include "compiler/ops/quant_exact_util.h"
#include "compiler/ops/quant_test_util.h"
#include "compiler/reference/float_interpreter.h"
#include "gtest/gtest.h"
#include "isa/numerics/movement.h"

namespace openbpu::ops::exact_test {

using frontend::Attrs;

// An argument of the node under test: quantized (integer tensor + scale) or
// plain (int64 indices, bool masks, float constants), a graph input or a
// constant, or omitted.
struct QArg {
  enum Kind { kInput, kConstant, kOmitted } kind = kOmitted;
  Tensor tensor;
  float scale = 0;  // > 0: `tensor` holds integers of this scale
};
inline QArg QIn(Tensor q, float s) { return {QArg::kInput, std::move(q), s}; }
inline QArg QConst(Tensor q, float s) { return {QArg::kConstant, std::move(q), s}; }
inline QArg PIn(Tensor t) { return {QArg::kInput, std::move(t), 0}; }
inline QArg PConst(Tensor t) { return {QArg::kConstant, std::move(t), 0}; }
inline QArg None() { return {}; }

// Output i: quantized with storage and scale, or (storage kInvalid) left as
// shape inference typed it.
struct QOut {
  DType storage = DType::kInvalid;
  float scale = 0;
};

using quant_test::Dequantize;

inline Tensor FloatOf(const QArg& a) {
  return a.scale > 0 ? Dequantize(a.tensor, a.scale) : a.tensor;
}

struct QResult {
  std::unique_ptr<ir::Graph> graph;
  std::vector<Tensor> outputs;
};

// Builds the float node, retypes its values as quantized, then runs qprepare
// (if any) and qkernel.
inline absl::StatusOr<QResult> RunQuant(const std::string& op, const std::vector<QArg>& args,
                                        ir::AttributeMap attrs, const std::vector<QOut>& outs,
                                        const std::string& march = "bayes") {
  frontend::GraphBuilder b;
  std::vector<ir::Value*> values;
  for (size_t i = 0; i < args.size(); ++i) {
    const QArg& a = args[i];
    if (a.kind == QArg::kOmitted) {
      values.push_back(nullptr);
    } else if (a.kind == QArg::kConstant) {
      values.push_back(b.Constant(FloatOf(a)));
    } else {
      const Tensor f = FloatOf(a);
      values.push_back(b.Input(absl::StrCat("in", i), f.dtype(), f.shape()));
    }
  }
  for (ir::Value* v : b.OpN(op, values, static_cast<int>(outs.size()), std::move(attrs), "n")) {
    b.Output(v);
  }
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = b.Build();
  if (!g.ok()) return g.status();
  ir::Node* node = (*g)->FindNode("n");
  if (node == nullptr) return absl::InternalError("node folded away");
  for (size_t i = 0; i < args.size(); ++i) {
    const QArg& a = args[i];
    if (a.kind == QArg::kOmitted || a.scale <= 0) continue;
    ir::Value* v = node->input(static_cast<int>(i));
    if (a.kind == QArg::kConstant) v->set_constant(a.tensor);
    v->mutable_type().dtype = a.tensor.dtype();
    v->mutable_type().quant = ir::QuantInfo{a.tensor.dtype(), {a.scale}, -1};
  }
  for (size_t i = 0; i < outs.size(); ++i) {
    if (outs[i].storage == DType::kInvalid) continue;
    ir::TensorType& t = node->output(static_cast<int>(i))->mutable_type();
    t.dtype = outs[i].storage;
    t.quant = ir::QuantInfo{outs[i].storage, {outs[i].scale}, -1};
  }
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(op);
  if (schema == nullptr || !schema->qkernel) return absl::NotFoundError("no qkernel");
  if (schema->qprepare) {
    if (absl::Status st = schema->qprepare(*node, ir::QuantOpContext{march}); !st.ok()) return st;
  }
  std::vector<const Tensor*> inputs;
  for (const QArg& a : args) inputs.push_back(a.kind == QArg::kOmitted ? nullptr : &a.tensor);
  QResult r;
  if (absl::Status st = schema->qkernel(*node, inputs, r.outputs); !st.ok()) return st;
  for (size_t i = 0; i < r.outputs.size(); ++i) {
    const ir::TensorType& want = node->output(static_cast<int>(i))->type();
    if (r.outputs[i].dtype() != want.dtype || r.outputs[i].shape() != want.shape) {
      return absl::InternalError(absl::StrCat("output ", i, " is ", DTypeName(r.outputs[i].dtype()),
                                              ShapeToString(r.outputs[i].shape()), ", value is ",
                                              ir::TensorTypeToString(want)));
    }
  }
  r.graph = *std::move(g);
  return r;
}

// The quantized result vs the float op on dequantized inputs, fake-quantized
// with each quantized output's scale: every element within `max_lsb`, and
// unquantized outputs (indices, masks) equal.
inline void ExpectAgreement(const std::string& op, const std::vector<QArg>& args,
                            ir::AttributeMap attrs, const std::vector<QOut>& outs, int max_lsb) {
  absl::StatusOr<QResult> q = RunQuant(op, args, attrs, outs);
  ASSERT_TRUE(q.ok()) << q.status();
  std::vector<Arg> float_args;
  for (const QArg& a : args) {
    if (a.kind == QArg::kOmitted) {
      float_args.push_back(Omitted());
    } else if (a.kind == QArg::kConstant) {
      float_args.push_back(Const(FloatOf(a)));
    } else {
      float_args.push_back(In(FloatOf(a)));
    }
  }
  absl::StatusOr<std::vector<Tensor>> f =
      RunOp(op, float_args, std::move(attrs), static_cast<int>(outs.size()));
  ASSERT_TRUE(f.ok()) << f.status();
  for (size_t i = 0; i < outs.size(); ++i) {
    const Tensor& got = q->outputs[i];
    const Tensor& ref = (*f)[i];
    ASSERT_EQ(got.shape(), ref.shape()) << op << " output " << i;
    if (outs[i].storage == DType::kInvalid) {
      EXPECT_EQ(got, ref) << op << " output " << i;
      continue;
    }
    const int64_t lo = outs[i].storage == DType::kInt8 ? -128 : -32768;
    const int64_t hi = -lo - 1;
    int64_t worst = 0, off = 0;
    for (int64_t k = 0; k < ref.num_elements(); ++k) {
      const int64_t want =
          qexact::QuantizeLikeFakeQuant(ref.data<float>()[k], outs[i].scale, lo, hi);
      const int64_t d = std::abs(got.GetAsInt64(k) - want);
      worst = std::max(worst, d);
      off += d > 0 ? 1 : 0;
      if (d > max_lsb) {
        ADD_FAILURE() << op << " output " << i << " element " << k << ": got " << got.GetAsInt64(k)
                      << ", float says " << want << " (" << ref.data<float>()[k] << ")";
        return;
      }
    }
    // Never more than max_lsb off (checked above); report how many differ.
    if (off > 0) {
      std::printf("%s output %zu: %lld of %lld elements off by <= %lld LSB\n", op.c_str(), i,
                  static_cast<long long>(off), static_cast<long long>(ref.num_elements()),
                  static_cast<long long>(worst));
    }
  }
}

// Random integers in [lo, hi] of `dtype` (int8 / int16).
inline Tensor RandQ(DType dtype, Shape shape, int64_t lo, int64_t hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  std::vector<int64_t> v(NumElements(shape));
  for (int64_t& x : v) x = dist(rng);
  return qexact::IntTensor(dtype, shape, v);
}

inline Tensor Q8(Shape shape, const std::vector<int8_t>& v) { return Tensor::FromVector(shape, v); }
inline Tensor Q16(Shape shape, const std::vector<int16_t>& v) {
  return Tensor::FromVector(shape, v);
}

constexpr DType kI8 = DType::kInt8;
constexpr DType kI16 = DType::kInt16;

}  // namespace openbpu::ops::exact_test

#endif  // OPENBPU_COMPILER_OPS_QUANT_EXACT_TEST_UTIL_H_
