// Quantization lookups and qparam records of the exact-op family.
#include "compiler/ops/quant_exact_util.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "compiler/ir/node_error.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_util.h"
#include "isa/numerics/compare.h"
#include "isa/numerics/requantize.h"

namespace openbpu::ops::qexact {
namespace {

absl::StatusOr<float> PerTensorScale(const ir::Node& node, const ir::Value* v,
                                     absl::string_view what, int i) {
  absl::StatusOr<const ir::QuantInfo*> q = qarith::PerTensorQuant(node, v, what, i);
  if (!q.ok()) return q.status();
  return (*q)->scales[0];
}

}  // namespace

absl::StatusOr<float> InputScale(const ir::Node& node, int i) {
  return PerTensorScale(node, node.input(i), "input", i);
}

absl::StatusOr<float> OutputScale(const ir::Node& node, int i) {
  return PerTensorScale(node, node.output(i), "output", i);
}

bool InputIsQuantized(const ir::Node& node, int i) {
  return node.input(i) != nullptr && node.input(i)->type().quant.has_value();
}

absl::StatusOr<numerics::RequantizeRecord> MakeRecord(const ir::Node& node, double real) {
  absl::StatusOr<numerics::RequantizeRecord> r = numerics::MakeRequantizeRecord(real);
  if (!r.ok()) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node, r.status().message());
  }
  return r;
}

int64_t QuantizeLikeFakeQuant(float x, float scale, int64_t lo, int64_t hi) {
  const float inv = 1.0f / scale;
  const float p = x * inv;
  if (std::isnan(p)) return 0;
  const float q = std::nearbyint(p);
  if (q <= static_cast<float>(lo)) return lo;
  if (q >= static_cast<float>(hi)) return hi;
  return static_cast<int64_t>(q);
}

absl::StatusOr<std::vector<double>> ConstantRealValues(const ir::Node& node, int i) {
  const ir::Value* v = node.input(i);
  if (v == nullptr) return std::vector<double>{};
  if (!v->is_constant()) {
    return absl::UnimplementedError(
        absl::StrCat(node.Describe(), ": input ", i, " must be a constant when quantized"));
  }
  const Tensor& t = v->constant();
  std::vector<double> out(t.num_elements());
  if (!v->type().quant.has_value()) {
    if (t.dtype() != DType::kFloat32) {
      return absl::InvalidArgumentError(absl::StrCat(node.Describe(), ": input ", i,
                                                     " must be float32 or quantized, got ",
                                                     DTypeName(t.dtype())));
    }
    for (int64_t k = 0; k < t.num_elements(); ++k) out[k] = t.data<float>()[k];
    return out;
  }
  const ir::QuantInfo& q = *v->type().quant;
  if (q.scales.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(node.Describe(), ": input ", i, " has no scales"));
  }
  int64_t inner = 1;
  if (q.scales.size() > 1) {
    if (q.axis < 0 || q.axis >= t.rank() ||
        t.dim(q.axis) != static_cast<int64_t>(q.scales.size())) {
      return absl::InvalidArgumentError(
          absl::StrCat(node.Describe(), ": input ", i, " has malformed per-channel scales"));
    }
    for (int d = q.axis + 1; d < t.rank(); ++d) inner *= t.dim(d);
  }
  for (int64_t k = 0; k < t.num_elements(); ++k) {
    const size_t c = q.scales.size() == 1 ? 0 : static_cast<size_t>((k / inner) % t.dim(q.axis));
    out[k] = static_cast<double>(t.GetAsInt64(k)) * static_cast<double>(q.scales[c]);
  }
  return out;
}

Tensor IntTensor(DType storage, const Shape& shape, const std::vector<int64_t>& values) {
  Tensor t(storage, shape);
  OPENBPU_DTYPE_SWITCH(storage, T, {
    T* p = t.data<T>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<T>(values[i]);
  });
  return t;
}

absl::StatusOr<DType> OutputStorage(const ir::Node& node, int i) {
  const ir::Value* v = node.output(i);
  if (v == nullptr || !v->type().quant.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(node.Describe(), ": output ", i, " is not quantized"));
  }
  return v->type().quant->storage;
}

absl::Status PrepareRequantizeInputs(ir::Node& node, absl::Span<const int> inputs) {
  absl::StatusOr<float> s_out = OutputScale(node, 0);
  if (!s_out.ok()) return s_out.status();
  std::vector<numerics::RequantizeRecord> records;
  for (int i : inputs) {
    absl::StatusOr<float> s_in = InputScale(node, i);
    if (!s_in.ok()) return s_in.status();
    absl::StatusOr<numerics::RequantizeRecord> r =
        MakeRecord(node, static_cast<double>(*s_in) / static_cast<double>(*s_out));
    if (!r.ok()) return r.status();
    records.push_back(*r);
  }
  return qparams::Store(node, qparams::InputRecords{records});
}

absl::Status RequantizedFold(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                             bool is_max, std::vector<Tensor>& outputs) {
  absl::StatusOr<qparams::InputRecords> params = qparams::Load<qparams::InputRecords>(node);
  if (!params.ok()) return params.status();
  if (params->records.size() != inputs.size()) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                         absl::StrCat("'inputs' parameters have ", params->records.size(),
                                      " records for ", inputs.size(), " inputs"));
  }
  const std::vector<numerics::RequantizeRecord>* records = &params->records;
  absl::StatusOr<DType> storage = OutputStorage(node, 0);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<std::pair<int64_t, int64_t>> range = StorageRange(*storage);
  if (!range.ok()) return range.status();
  std::vector<Shape> shapes;
  for (const Tensor* t : inputs) shapes.push_back(t->shape());
  absl::StatusOr<Shape> shape = BroadcastShapesN(shapes);
  if (!shape.ok()) return shape.status();
  std::vector<int64_t> acc(NumElements(*shape));
  for (size_t k = 0; k < inputs.size(); ++k) {
    const std::vector<int64_t> index = BroadcastIndex(inputs[k]->shape(), *shape);
    const std::vector<int64_t> q = inputs[k]->ToInt64Vector();
    for (size_t i = 0; i < index.size(); ++i) {
      const int64_t v =
          numerics::Requantize(q[index[i]], (*records)[k], range->first, range->second);
      acc[i] = k == 0 ? v : (is_max ? std::max(acc[i], v) : std::min(acc[i], v));
    }
  }
  outputs.push_back(IntTensor(*storage, *shape, acc));
  return absl::OkStatus();
}

absl::Status PrepareCompare(ir::Node& node, isa::CmpPredicate predicate) {
  const bool qa = InputIsQuantized(node, 0), qb = InputIsQuantized(node, 1);
  if (!qa && !qb) return absl::OkStatus();
  qparams::Compare p;
  p.predicate = predicate;
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<float> s = InputScale(node, i);
    if (!s.ok()) return s.status();
    (i == 0 ? p.x_scale : p.y_scale) = numerics::ExactScaleOf(*s);
  }
  return qparams::Store(node, p);
}

absl::Status CompareKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                           const ir::KernelFn& float_kernel, std::vector<Tensor>& outputs) {
  if (!qparams::Has<qparams::Compare>(node)) return float_kernel(node, inputs, outputs);
  absl::StatusOr<qparams::Compare> p = qparams::Load<qparams::Compare>(node);
  if (!p.ok()) return p.status();
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  absl::StatusOr<Shape> shape = BroadcastShapes(a.shape(), b.shape());
  if (!shape.ok()) return shape.status();
  const std::vector<int64_t> ia = BroadcastIndex(a.shape(), *shape);
  const std::vector<int64_t> ib = BroadcastIndex(b.shape(), *shape);
  const std::vector<int64_t> qa = a.ToInt64Vector(), qb = b.ToInt64Vector();
  Tensor out(DType::kBool, *shape);
  bool* po = out.data<bool>();
  for (size_t i = 0; i < ia.size(); ++i) {
    po[i] = isa::CmpHolds(p->predicate,
                          numerics::CompareScaled(qa[ia[i]], p->x_scale, qb[ib[i]], p->y_scale));
  }
  outputs.push_back(std::move(out));
  return absl::OkStatus();
}

void SetRequantizedFoldQuant(ir::OpSchema& s, bool is_max) {
  s.qkind = ir::QuantKind::kArithmetic;
  s.qprepare = [](ir::Node& node, const ir::QuantOpContext&) -> absl::Status {
    std::vector<int> all;
    for (int i = 0; i < node.num_inputs(); ++i) all.push_back(i);
    return PrepareRequantizeInputs(node, all);
  };
  s.qcheck = qparams::CheckFn<qparams::InputRecords>();
  s.qkernel = [is_max](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                       std::vector<Tensor>& outputs) -> absl::Status {
    return RequantizedFold(node, inputs, is_max, outputs);
  };
}

void SetCompareQuant(ir::OpSchema& s, isa::CmpPredicate predicate) {
  s.qkind = ir::QuantKind::kExact;
  s.qprepare = [predicate](ir::Node& node, const ir::QuantOpContext&) {
    return PrepareCompare(node, predicate);
  };
  // A compare of two float inputs has no parameters (it runs the float kernel).
  s.qcheck = [](const ir::Node& node) -> absl::Status {
    if (!InputIsQuantized(node, 0) && !InputIsQuantized(node, 1)) return absl::OkStatus();
    return qparams::Load<qparams::Compare>(node).status();
  };
  s.qkernel = [kernel = s.kernel](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                  std::vector<Tensor>& outputs) {
    return CompareKernel(node, inputs, kernel, outputs);
  };
}

absl::Status SaturatedMap(const Tensor& x, int64_t (*fn)(int64_t), std::vector<Tensor>& outputs) {
  absl::StatusOr<std::pair<int64_t, int64_t>> range = StorageRange(x.dtype());
  if (!range.ok()) return range.status();
  const int64_t lo = range->first, hi = range->second;
  absl::StatusOr<Tensor> y =
      MapStorage(x, [lo, hi, fn](int64_t q) { return numerics::Saturate(fn(q), lo, hi); });
  if (!y.ok()) return y.status();
  outputs.push_back(*std::move(y));
  return absl::OkStatus();
}

}  // namespace openbpu::ops::qexact
