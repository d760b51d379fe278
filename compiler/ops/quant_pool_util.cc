// Quantized AveragePool, GlobalAveragePool, ReduceMean and ReduceSum of the arithmetic family
// (docs/NUMERICS.md, "Average pooling and mean"): int64 sums requantized by
// s_in / (divisor * s_out).
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/kernels/pool.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_util.h"
#include "compiler/ops/quant_util_internal.h"
#include "isa/numerics/pool.h"

namespace openbpu::ops::qarith {

using numerics::RequantizeRecord;

namespace {

absl::StatusOr<std::vector<bool>> ReducedAxes(const ir::Node& node, int rank) {
  std::vector<int64_t> axes;
  if (node.input(1) != nullptr) {
    axes = ConstantInts(node, 1);
  } else if (node.attrs().Has("axes")) {
    axes = node.attrs().GetInts("axes");
  }
  std::vector<bool> reduced(rank, false);
  if (axes.empty()) {
    if (node.attrs().GetInt("noop_with_empty_axes", 0) == 0) reduced.assign(rank, true);
    return reduced;
  }
  for (int64_t a : axes) {
    absl::StatusOr<int> axis = NormalizeAxis(a, rank);
    if (!axis.ok()) return NodeError(node, axis.status().message());
    reduced[*axis] = true;
  }
  return reduced;
}

absl::StatusOr<kernels::PoolGeometry> PoolGeometryOf(const ir::Node& node, const Shape& x) {
  absl::StatusOr<kernels::AutoPad> auto_pad =
      kernels::ParseAutoPad(node.attrs().GetString("auto_pad", "NOTSET"));
  if (!auto_pad.ok()) return auto_pad.status();
  if (x.size() < 3) return NodeError(node, "input must have rank >= 3");
  return kernels::PlanPool(Shape(x.begin() + 2, x.end()), node.attrs().GetInts("kernel_shape"),
                           node.attrs().GetInts("strides"), node.attrs().GetInts("dilations"),
                           node.attrs().GetInts("pads"), *auto_pad,
                           node.attrs().GetInt("ceil_mode", 0) != 0);
}

// Records "divisor" d = 1..max_divisor: s_in / (d * s_out).
absl::Status PrepareDivisors(ir::Node& node, int64_t max_divisor) {
  absl::StatusOr<float> si = TensorScale(node, node.input(0), "input");
  absl::StatusOr<float> so = TensorScale(node, node.output(0), "output");
  for (const absl::Status& st : {si.status(), so.status()}) {
    if (!st.ok()) return st;
  }
  if (!OutputStorage(node).ok()) return OutputStorage(node).status();
  const DType d = node.input(0)->type().dtype;
  if (d != DType::kInt8 && d != DType::kInt16)
    return NodeError(node, "input must be int8 or int16");
  if (max_divisor > (int64_t{1} << 20)) return NodeError(node, "window too large");
  std::vector<RequantizeRecord> records;
  for (int64_t i = 1; i <= max_divisor; ++i) {
    absl::StatusOr<RequantizeRecord> r =
        Record(node, static_cast<double>(*si) / (static_cast<double>(i) * *so));
    if (!r.ok()) return r.status();
    records.push_back(*r);
  }
  return qparams::Store(node, qparams::Divisors{records});
}

// out[i] = Requantize(sums[i], divisor record of divisors[i]); divisor 0 gives 0.
absl::StatusOr<Tensor> DivideSums(const ir::Node& node, const std::vector<int64_t>& sums,
                                  const std::vector<int64_t>& divisors, int64_t period,
                                  const Shape& shape) {
  absl::StatusOr<DType> storage = OutputStorage(node);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<qparams::Divisors> params = qparams::Load<qparams::Divisors>(node);
  if (!params.ok()) return params.status();
  const std::vector<RequantizeRecord>* r = &params->records;
  const auto [lo, hi] = *StorageRange(*storage);
  for (int64_t d : divisors) {
    if (d > static_cast<int64_t>(r->size())) {
      return NodeError(node, absl::StrCat("'divisor' parameters have ", r->size(),
                                          " records, a window needs ", d));
    }
  }
  return MakeOutput(*storage, shape, [&](int64_t i) -> int64_t {
    const int64_t d = divisors[i % period];
    return d <= 0 ? 0 : numerics::Requantize(sums[i], (*r)[d - 1], lo, hi);
  });
}

template <typename Fn>
absl::Status WithIntInput(const Tensor& x, Fn fn) {
  switch (x.dtype()) {
    case DType::kInt8:
      fn(x.data<int8_t>());
      return absl::OkStatus();
    case DType::kInt16:
      fn(x.data<int16_t>());
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("input must be int8 or int16, got ", DTypeName(x.dtype())));
  }
}

}  // namespace

// ----------------------------------------------------------------- pooling

absl::Status PrepareAveragePool(ir::Node& node, const ir::QuantOpContext&) {
  absl::StatusOr<kernels::PoolGeometry> g = PoolGeometryOf(node, node.input(0)->type().shape);
  if (!g.ok()) return g.status();
  return PrepareDivisors(node, Product(g->kernel));
}

absl::Status AveragePoolKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                               std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  absl::StatusOr<kernels::PoolGeometry> g = PoolGeometryOf(node, x.shape());
  if (!g.ok()) return g.status();
  const numerics::PoolWindows w{g->input,     g->output,     g->kernel,  g->strides,
                                g->dilations, g->pads_begin, g->pads_end};
  const int64_t channels = x.dim(0) * x.dim(1);
  const int64_t out_size = Product(g->output);
  std::vector<int64_t> sums(channels * out_size);
  if (absl::Status st =
          WithIntInput(x, [&](auto* p) { numerics::SumPool(p, channels, w, sums.data()); });
      !st.ok()) {
    return st;
  }
  const std::vector<int64_t> divisors =
      numerics::PoolDivisors(w, node.attrs().GetInt("count_include_pad", 0) != 0);
  Shape shape = {x.dim(0), x.dim(1)};
  shape.insert(shape.end(), g->output.begin(), g->output.end());
  absl::StatusOr<Tensor> y = DivideSums(node, sums, divisors, out_size, shape);
  if (!y.ok()) return y.status();
  outputs.push_back(*std::move(y));
  return absl::OkStatus();
}

absl::Status PrepareGlobalAveragePool(ir::Node& node, const ir::QuantOpContext&) {
  const Shape& x = node.input(0)->type().shape;
  if (x.size() < 3) return NodeError(node, "input must have rank >= 3");
  const int64_t spatial = NumElements(Shape(x.begin() + 2, x.end()));
  // One record: divisor index 1 holds s_in / (spatial * s_out).
  absl::StatusOr<float> si = TensorScale(node, node.input(0), "input");
  absl::StatusOr<float> so = TensorScale(node, node.output(0), "output");
  for (const absl::Status& st : {si.status(), so.status()}) {
    if (!st.ok()) return st;
  }
  if (!OutputStorage(node).ok()) return OutputStorage(node).status();
  absl::StatusOr<RequantizeRecord> r =
      Record(node, static_cast<double>(*si) / (static_cast<double>(spatial) * *so));
  if (!r.ok()) return r.status();
  return qparams::Store(node, qparams::Divisors{{*r}});
}

absl::Status GlobalAveragePoolKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                     std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  if (x.rank() < 3) return NodeError(node, "input must have rank >= 3");
  const int64_t channels = x.dim(0) * x.dim(1);
  const int64_t spatial = x.num_elements() / std::max<int64_t>(1, channels);
  std::vector<int64_t> sums(channels, 0);
  if (absl::Status st = WithIntInput(x,
                                     [&](auto* p) {
                                       for (int64_t c = 0; c < channels; ++c) {
                                         int64_t s = 0;
                                         for (int64_t i = 0; i < spatial; ++i)
                                           s += p[c * spatial + i];
                                         sums[c] = s;
                                       }
                                     });
      !st.ok()) {
    return st;
  }
  Shape shape(x.rank(), 1);
  shape[0] = x.dim(0);
  shape[1] = x.dim(1);
  absl::StatusOr<Tensor> y = DivideSums(node, sums, {spatial > 0 ? 1 : 0}, 1, shape);
  if (!y.ok()) return y.status();
  outputs.push_back(*std::move(y));
  return absl::OkStatus();
}

absl::Status PrepareReduce(ir::Node& node, const ir::QuantOpContext&, bool mean) {
  const Shape& x = node.input(0)->type().shape;
  absl::StatusOr<std::vector<bool>> reduced = ReducedAxes(node, static_cast<int>(x.size()));
  if (!reduced.ok()) return reduced.status();
  int64_t count = 1;
  for (size_t d = 0; d < x.size(); ++d) {
    if ((*reduced)[d]) count *= x[d];
  }
  absl::StatusOr<float> si = TensorScale(node, node.input(0), "input");
  absl::StatusOr<float> so = TensorScale(node, node.output(0), "output");
  for (const absl::Status& st : {si.status(), so.status()}) {
    if (!st.ok()) return st;
  }
  if (!OutputStorage(node).ok()) return OutputStorage(node).status();
  const double divisor = mean ? static_cast<double>(std::max<int64_t>(count, 1)) : 1.0;
  absl::StatusOr<RequantizeRecord> r = Record(node, static_cast<double>(*si) / (divisor * *so));
  if (!r.ok()) return r.status();
  return qparams::Store(node, qparams::Divisors{{*r}});
}

absl::Status ReduceKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs) {
  const Tensor& x = *inputs[0];
  absl::StatusOr<std::vector<bool>> reduced = ReducedAxes(node, x.rank());
  if (!reduced.ok()) return reduced.status();
  // Kept dimensions in order: output flat index of every input element.
  const int rank = x.rank();
  int64_t out_count = 1;
  for (int d = 0; d < rank; ++d) {
    if (!(*reduced)[d]) out_count *= x.dim(d);
  }
  std::vector<int64_t> sums(out_count, 0);
  std::vector<int64_t> coord(rank, 0);
  const std::vector<int64_t> v = x.ToInt64Vector();
  if (x.dtype() != DType::kInt8 && x.dtype() != DType::kInt16) {
    return NodeError(node, "input must be int8 or int16");
  }
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    int64_t o = 0;
    for (int d = 0; d < rank; ++d) {
      if (!(*reduced)[d]) o = o * x.dim(d) + coord[d];
    }
    sums[o] += v[i];
    for (int d = rank - 1; d >= 0; --d) {
      if (++coord[d] < x.dim(d)) break;
      coord[d] = 0;
    }
  }
  const Shape& shape = node.output(0)->type().shape;
  if (NumElements(shape) != out_count) return NodeError(node, "output shape mismatch");
  absl::StatusOr<Tensor> y = DivideSums(node, sums, {1}, 1, shape);
  if (!y.ok()) return y.status();
  outputs.push_back(*std::move(y));
  return absl::OkStatus();
}

}  // namespace openbpu::ops::qarith
