// Unary table ops, table error bounds and quantization lookups of the table-op family
// (docs/NUMERICS.md, "Lookup tables", "SegmentLUT").
#include "compiler/ops/quant_table_util.h"

#include <cmath>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "compiler/ir/node_error.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_util.h"
#include "isa/numerics/lut.h"
#include "isa/numerics/requantize.h"
#include "isa/numerics/segment_lut.h"

namespace openbpu::ops::qtable {
namespace {

// Fraction bits of Log's offset log(s_in) / s_out.
using numerics::kLogOffsetBits;

absl::StatusOr<std::pair<DType, double>> ValueQuant(const ir::Node& node, const ir::Value* v,
                                                    absl::string_view what, int i) {
  absl::StatusOr<const ir::QuantInfo*> q = qarith::PerTensorQuant(node, v, what, i);
  if (!q.ok()) return q.status();
  return std::make_pair((*q)->storage, static_cast<double>((*q)->scales[0]));
}

// Worst error of a 256-entry table against its definition is 0 by construction; against
// float32 fake quantization it is 1 (double half up vs float32 half to even).
absl::Status PrepareUnaryTable(ir::Node& node, const ir::QuantOpContext& ctx,
                               const RealFunctionFactory& factory,
                               numerics::SegmentLutMirror mirror) {
  absl::StatusOr<std::pair<DType, double>> in = InputQuant(node, 0);
  if (!in.ok()) return in.status();
  absl::StatusOr<std::pair<DType, double>> out = OutputQuant(node, 0);
  if (!out.ok()) return out.status();
  for (DType d : {in->first, out->first}) {
    if (absl::Status st = CheckActivationStorage(node, d, ctx); !st.ok()) return st;
  }
  absl::StatusOr<std::function<double(double)>> f = factory(node, in->second);
  if (!f.ok()) {
    return ir::NodeError(node, f.status());
  }
  const auto [lo, hi] = Range(out->first);
  qparams::Table table;
  if (in->first == DType::kInt8) {
    table.lut = numerics::MakeTable(*f, in->second, out->second, -128, 256, lo, hi);
    table.max_lsb = 0;
    return qparams::Store(node, table);
  }
  absl::StatusOr<numerics::SegmentLut> best;
  int64_t best_error = -1;
  int strategy = 0;
  for (numerics::DividePoints st :
       {numerics::DividePoints::kEvenly, numerics::DividePoints::kCurvature}) {
    absl::StatusOr<numerics::SegmentLut> lut =
        numerics::Fit(*f, in->second, out->second, st, mirror);
    if (!lut.ok()) {
      return ir::NodeError(absl::StatusCode::kInvalidArgument, node, lut.status().message());
    }
    const int64_t e = numerics::MaxErrorLsb(*lut, *f, in->second, out->second);
    if (best_error < 0 || e < best_error) {
      best_error = e;
      best = std::move(lut);
      strategy = st == numerics::DividePoints::kEvenly ? 0 : 1;
    }
  }
  table.segment = *std::move(best);
  table.strategy = strategy;
  table.max_lsb = static_cast<int32_t>(best_error);
  return qparams::Store(node, table);
}

absl::Status UnaryTableKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                              std::vector<Tensor>& outputs) {
  absl::StatusOr<std::pair<DType, double>> out = OutputQuant(node, 0);
  if (!out.ok()) return out.status();
  const Tensor& x = *inputs[0];
  const auto [lo, hi] = Range(out->first);
  std::vector<int64_t> y(x.num_elements());
  if (x.dtype() != DType::kInt8 && x.dtype() != DType::kInt16) {
    return absl::InvalidArgumentError(absl::StrCat(
        node.Describe(), ": table input must be int8 or int16, got ", DTypeName(x.dtype())));
  }
  absl::StatusOr<qparams::Table> table = qparams::Load<qparams::Table>(node);
  if (!table.ok()) return table.status();
  if ((x.dtype() == DType::kInt8) != !table->lut.empty()) {
    return ir::NodeError(
        absl::StatusCode::kInvalidArgument, node,
        absl::StrCat("'table' parameters do not match the ", DTypeName(x.dtype()), " input"));
  }
  if (x.dtype() == DType::kInt8) {
    const std::vector<int32_t>& lut = table->lut;
    const int8_t* px = x.data<int8_t>();
    for (size_t i = 0; i < y.size(); ++i) y[i] = numerics::Saturate(lut[px[i] + 128], lo, hi);
  } else {
    const numerics::SegmentLut& lut = *table->segment;
    const int16_t* px = x.data<int16_t>();
    for (size_t i = 0; i < y.size(); ++i) {
      y[i] = numerics::Saturate(numerics::Evaluate(lut.record, lut.tables.data(), px[i]), lo, hi);
    }
  }
  outputs.push_back(IntTensor(out->first, x.shape(), y));
  return absl::OkStatus();
}

}  // namespace

int64_t TableErrorBound(absl::string_view op, DType dtype) {
  const ir::OpSchema* schema = ir::OpRegistry::Global().Find(op);
  if (schema == nullptr || schema->int16_table_error_lsb < 0) return -1;
  if (dtype == DType::kInt8) return 1;
  if (dtype == DType::kInt16) return schema->int16_table_error_lsb;
  return -1;
}

absl::StatusOr<std::pair<DType, double>> InputQuant(const ir::Node& node, int i) {
  return ValueQuant(node, node.input(i), "input", i);
}

absl::StatusOr<std::pair<DType, double>> OutputQuant(const ir::Node& node, int i) {
  return ValueQuant(node, i < node.num_outputs() ? node.output(i) : nullptr, "output", i);
}

std::pair<int64_t, int64_t> Range(DType storage) {
  switch (storage) {
    case DType::kInt8:
      return {-128, 127};
    case DType::kInt16:
      return {-32768, 32767};
    default:
      return {INT32_MIN, INT32_MAX};
  }
}

absl::Status CheckActivationStorage(const ir::Node& node, DType storage,
                                    const ir::QuantOpContext& ctx) {
  if (storage == DType::kInt8) return absl::OkStatus();
  if (storage == DType::kInt16) {
    if (ctx.march == "bernoulli2") {
      return absl::InvalidArgumentError(
          absl::StrCat(node.Describe(), ": int16 activations need a bayes march, not bernoulli2"));
    }
    return absl::OkStatus();
  }
  return absl::UnimplementedError(absl::StrCat(
      node.Describe(), ": table ops take int8 or int16 activations, got ", DTypeName(storage)));
}

absl::StatusOr<std::vector<double>> ConstantReal(const ir::Node& node, int i) {
  const ir::Value* v = node.input(i);
  if (v == nullptr) return std::vector<double>();
  if (!v->is_constant()) {
    return absl::UnimplementedError(
        absl::StrCat(node.Describe(), ": input ", i, " must be a constant when quantized"));
  }
  const Tensor& t = v->constant();
  std::vector<double> values(t.num_elements());
  for (int64_t k = 0; k < t.num_elements(); ++k) values[k] = t.GetAsDouble(k);
  if (!v->type().quant.has_value() || t.dtype() == DType::kFloat32) return values;
  // q * scale in float32, as DequantizeLinear computes it.
  const ir::QuantInfo& q = *v->type().quant;
  if (q.scales.size() == 1) {
    for (double& x : values) x = static_cast<float>(x) * q.scales[0];
    return values;
  }
  if (q.axis < 0 || q.axis >= t.rank() || static_cast<int64_t>(q.scales.size()) != t.dim(q.axis)) {
    return absl::InvalidArgumentError(
        absl::StrCat(node.Describe(), ": input ", i, " has malformed per-channel scales"));
  }
  int64_t inner = 1;
  for (int d = q.axis + 1; d < t.rank(); ++d) inner *= t.dim(d);
  for (int64_t k = 0; k < t.num_elements(); ++k) {
    values[k] = static_cast<float>(values[k]) * q.scales[(k / inner) % t.dim(q.axis)];
  }
  return values;
}

absl::StatusOr<numerics::RequantizeRecord> MakeRecord(const ir::Node& node, double real) {
  absl::StatusOr<numerics::RequantizeRecord> r = numerics::MakeRequantizeRecord(real);
  if (!r.ok()) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node, r.status().message());
  }
  return r;
}

void MakeRoundingOp(ir::OpSchema& s, bool ceil) {
  double (*f)(double) =
      ceil ? +[](double x) { return std::ceil(x); } : +[](double x) { return std::floor(x); };
  MakeUnaryTableOp(s, Fixed(f));
  ir::QuantPrepareFn table_prepare = s.qprepare;
  ir::QuantKernelFn table_kernel = s.qkernel;
  s.qprepare = [table_prepare](ir::Node& node, const ir::QuantOpContext& ctx) -> absl::Status {
    absl::StatusOr<std::pair<DType, double>> in = InputQuant(node, 0);
    if (!in.ok()) return in.status();
    if (in->first != DType::kInt16) return table_prepare(node, ctx);
    absl::StatusOr<std::pair<DType, double>> out = OutputQuant(node, 0);
    if (!out.ok()) return out.status();
    for (DType d : {in->first, out->first}) {
      if (absl::Status st = CheckActivationStorage(node, d, ctx); !st.ok()) return st;
    }
    absl::StatusOr<numerics::RequantizeRecord> rin = MakeRecord(node, in->second);
    if (!rin.ok()) return rin.status();
    absl::StatusOr<numerics::RequantizeRecord> rout = MakeRecord(node, 1.0 / out->second);
    if (!rout.ok()) return rout.status();
    // The record rounds s_in to 31 bits, which can move q * s_in across an integer.
    return qparams::Store(node, qparams::Rounding{*rin, *rout, /*max_lsb=*/1});
  };
  s.qcheck = [](const ir::Node& node) -> absl::Status {
    if (node.input(0) != nullptr && node.input(0)->type().dtype == DType::kInt16) {
      return qparams::Load<qparams::Rounding>(node).status();
    }
    return qparams::Load<qparams::Table>(node).status();
  };
  s.qkernel = [table_kernel, ceil](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                   std::vector<Tensor>& outputs) -> absl::Status {
    if (inputs[0]->dtype() != DType::kInt16) return table_kernel(node, inputs, outputs);
    absl::StatusOr<qparams::Rounding> params = qparams::Load<qparams::Rounding>(node);
    if (!params.ok()) return params.status();
    const numerics::RequantizeRecord* rin = &params->input;
    const numerics::RequantizeRecord* rout = &params->output;
    absl::StatusOr<std::pair<DType, double>> out = OutputQuant(node, 0);
    if (!out.ok()) return out.status();
    const auto [lo, hi] = Range(out->first);
    const int16_t* px = inputs[0]->data<int16_t>();
    std::vector<int64_t> y(inputs[0]->num_elements());
    for (size_t i = 0; i < y.size(); ++i) {
      // floor(v * m * 2^-n) with an arithmetic (flooring) shift; ceil(t) = -floor(-t).
      const __int128 p = static_cast<__int128>(ceil ? -px[i] : px[i]) * rin->multiplier;
      const __int128 fl =
          rin->shift >= 0 ? (p >> rin->shift) : p * (static_cast<__int128>(1) << -rin->shift);
      const int64_t k = static_cast<int64_t>(ceil ? -fl : fl);
      y[i] = numerics::Requantize(k, *rout, lo, hi);
    }
    outputs.push_back(IntTensor(out->first, inputs[0]->shape(), y));
    return absl::OkStatus();
  };
}

void MakeNormalizedInt16Op(ir::OpSchema& s, RealFunctionFactory factory,
                           numerics::SegmentLutMirror mirror, NormalizedFunction fn) {
  MakeUnaryTableOp(s, std::move(factory), mirror);
  ir::QuantPrepareFn table_prepare = s.qprepare;
  ir::QuantKernelFn table_kernel = s.qkernel;
  const isa::NormFunction isa_fn = fn == NormalizedFunction::kSqrt ? isa::NormFunction::kSqrt
                                   : fn == NormalizedFunction::kReciprocal
                                       ? isa::NormFunction::kReciprocal
                                       : isa::NormFunction::kLog;
  s.qprepare = [table_prepare, fn, isa_fn](ir::Node& node,
                                           const ir::QuantOpContext& ctx) -> absl::Status {
    absl::StatusOr<std::pair<DType, double>> in = InputQuant(node, 0);
    if (!in.ok()) return in.status();
    if (in->first != DType::kInt16) return table_prepare(node, ctx);
    absl::StatusOr<std::pair<DType, double>> out = OutputQuant(node, 0);
    if (!out.ok()) return out.status();
    for (DType d : {in->first, out->first}) {
      if (absl::Status st = CheckActivationStorage(node, d, ctx); !st.ok()) return st;
    }
    const double s_in = in->second, s_out = out->second;
    const double real = fn == NormalizedFunction::kSqrt ? std::sqrt(s_in) / s_out
                        : fn == NormalizedFunction::kReciprocal
                            ? 1.0 / (s_in * s_out)
                            : std::log(2.0) / (std::ldexp(1.0, 23) * s_out);
    absl::StatusOr<numerics::RequantizeRecord> record = MakeRecord(node, real);
    if (!record.ok()) return record.status();
    qparams::NormTable p;
    p.function = isa_fn;
    p.table.record = *record;
    p.table.entries = fn == NormalizedFunction::kSqrt         ? numerics::MakeRsqrtTable()
                      : fn == NormalizedFunction::kReciprocal ? numerics::MakeReciprocalTable()
                                                              : numerics::MakeLog2Table();
    if (fn == NormalizedFunction::kLog) {
      const double offset = std::ldexp(std::log(s_in) / s_out, kLogOffsetBits);
      if (!(std::fabs(offset) < 0x1p62)) {
        return absl::InvalidArgumentError(
            absl::StrCat(node.Describe(), ": log(s_in) / s_out is out of range"));
      }
      p.table.log_offset = std::llround(offset);
    }
    p.max_lsb = 1;
    return qparams::Store(node, p);
  };
  s.qcheck = [](const ir::Node& node) -> absl::Status {
    if (node.input(0) != nullptr && node.input(0)->type().dtype == DType::kInt16) {
      return qparams::Load<qparams::NormTable>(node).status();
    }
    return qparams::Load<qparams::Table>(node).status();
  };
  s.qkernel = [table_kernel, fn, isa_fn](const ir::Node& node,
                                         absl::Span<const Tensor* const> inputs,
                                         std::vector<Tensor>& outputs) -> absl::Status {
    if (inputs[0]->dtype() != DType::kInt16) return table_kernel(node, inputs, outputs);
    absl::StatusOr<qparams::NormTable> p = qparams::Load<qparams::NormTable>(node);
    if (!p.ok()) return p.status();
    if (p->function != isa_fn) {
      return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                           "'norm' parameters are for another function");
    }
    const numerics::RequantizeRecord* r = &p->table.record;
    const int64_t log_offset = p->table.log_offset;
    absl::StatusOr<std::pair<DType, double>> out = OutputQuant(node, 0);
    if (!out.ok()) return out.status();
    const auto [lo, hi] = Range(out->first);
    const int32_t* t = p->table.entries.data();
    const int16_t* px = inputs[0]->data<int16_t>();
    std::vector<int64_t> y(inputs[0]->num_elements());
    for (size_t i = 0; i < y.size(); ++i) {
      const int64_t q = px[i];
      // One definition shared with the simulator's vae.sqrt / vae.recip / vae.log.
      switch (fn) {
        case NormalizedFunction::kSqrt:
          y[i] = numerics::NormalizedSqrt(t, *r, q, lo, hi);
          break;
        case NormalizedFunction::kReciprocal:
          y[i] = numerics::NormalizedReciprocal(t, *r, q, lo, hi);
          break;
        case NormalizedFunction::kLog:
          y[i] = numerics::NormalizedLog(t, *r, log_offset, q, lo, hi);
          break;
      }
    }
    outputs.push_back(IntTensor(out->first, inputs[0]->shape(), y));
    return absl::OkStatus();
  };
}

void MakeUnaryTableOp(ir::OpSchema& s, RealFunctionFactory factory,
                      numerics::SegmentLutMirror mirror) {
  s.qkind = ir::QuantKind::kTable;
  s.qprepare = [factory, mirror](ir::Node& node, const ir::QuantOpContext& ctx) {
    return PrepareUnaryTable(node, ctx, factory, mirror);
  };
  s.qcheck = qparams::CheckFn<qparams::Table>();
  s.qkernel = UnaryTableKernel;
}

Tensor IntTensor(DType storage, const Shape& shape, const std::vector<int64_t>& values) {
  Tensor t(storage, shape);
  for (size_t i = 0; i < values.size(); ++i) {
    switch (storage) {
      case DType::kInt8:
        t.data<int8_t>()[i] = static_cast<int8_t>(values[i]);
        break;
      case DType::kInt16:
        t.data<int16_t>()[i] = static_cast<int16_t>(values[i]);
        break;
      case DType::kInt32:
        t.data<int32_t>()[i] = static_cast<int32_t>(values[i]);
        break;
      default:
        break;
    }
  }
  return t;
}

}  // namespace openbpu::ops::qtable
