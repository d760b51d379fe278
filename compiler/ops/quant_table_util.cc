// Unary table ops, table error bounds and quantization lookups of the table-op family
// (docs/NUMERICS.md, "Lookup tables", "SegmentLUT").
#include "compiler/ops/quant_table_util.h"

#include <cmath>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "compiler/ir/node_error.h"
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
  auto& qp = node.mutable_qparams();
  if (in->first == DType::kInt8) {
    const std::vector<int32_t> t =
        numerics::MakeTable(*f, in->second, out->second, -128, 256, lo, hi);
    qp["lut"] = IntTensor(out->first, {256}, std::vector<int64_t>(t.begin(), t.end()));
    qp["lut_max_lsb"] = Tensor::Scalar<int32_t>(0);
    return absl::OkStatus();
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
  const std::vector<int32_t> words = numerics::PackRecord(best->record);
  qp["segment_record"] = Tensor::FromVector<int32_t>({static_cast<int64_t>(words.size())}, words);
  qp["segment_tables"] =
      Tensor::FromVector<int16_t>({numerics::kSegmentTableTotal},
                                  std::vector<int16_t>(best->tables.begin(), best->tables.end()));
  qp["segment_strategy"] = Tensor::Scalar<int32_t>(strategy);
  qp["lut_max_lsb"] = Tensor::Scalar<int32_t>(static_cast<int32_t>(best_error));
  return absl::OkStatus();
}

absl::Status UnaryTableKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                              std::vector<Tensor>& outputs) {
  absl::StatusOr<std::pair<DType, double>> out = OutputQuant(node, 0);
  if (!out.ok()) return out.status();
  const Tensor& x = *inputs[0];
  const auto [lo, hi] = Range(out->first);
  std::vector<int64_t> y(x.num_elements());
  if (x.dtype() == DType::kInt8) {
    absl::StatusOr<const Tensor*> lut = QParam(node, "lut", out->first, 256);
    if (!lut.ok()) return lut.status();
    const std::vector<int64_t> table = (*lut)->ToInt64Vector();
    const int8_t* px = x.data<int8_t>();
    for (size_t i = 0; i < y.size(); ++i) y[i] = table[px[i] + 128];
  } else if (x.dtype() == DType::kInt16) {
    absl::StatusOr<const Tensor*> words =
        QParam(node, "segment_record", DType::kInt32, numerics::kSegmentLutRecordWords);
    if (!words.ok()) return words.status();
    absl::StatusOr<const Tensor*> tables =
        QParam(node, "segment_tables", DType::kInt16, numerics::kSegmentTableTotal);
    if (!tables.ok()) return tables.status();
    absl::StatusOr<numerics::SegmentLutRecord> record =
        numerics::UnpackRecord((*words)->span<int32_t>());
    if (!record.ok()) {
      return ir::NodeError(absl::StatusCode::kInvalidArgument, node, record.status().message());
    }
    const int16_t* px = x.data<int16_t>();
    const int16_t* pt = (*tables)->data<int16_t>();
    for (size_t i = 0; i < y.size(); ++i) {
      y[i] = numerics::Saturate(numerics::Evaluate(*record, pt, px[i]), lo, hi);
    }
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        node.Describe(), ": table input must be int8 or int16, got ", DTypeName(x.dtype())));
  }
  outputs.push_back(IntTensor(out->first, x.shape(), y));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<const Tensor*> QParam(const ir::Node& node, absl::string_view name, DType dtype,
                                     int64_t count) {
  auto it = node.qparams().find(std::string(name));
  if (it == node.qparams().end() || it->second.dtype() != dtype ||
      it->second.num_elements() != count) {
    return absl::InvalidArgumentError(
        absl::StrCat(node.Describe(), ": qparam '", name, "' is missing or malformed"));
  }
  return &it->second;
}

int64_t TableErrorBound(absl::string_view op, DType dtype) {
  // int16 bounds: worst error over every int16 input for the agreement cases' ranges
  // (docs/NUMERICS.md, "Lookup tables").
  static const auto* kInt16 = new std::map<std::string, int64_t, std::less<>>{
      {"Sigmoid", 4}, {"Tanh", 4},        {"Exp", 8},       {"Log", 64},
      {"Sqrt", 2},    {"Reciprocal", 2},  {"Sin", 4},       {"Cos", 4},
      {"Atan", 4},    {"Pow", 32},        {"Erf", 4},       {"Softplus", 4},
      {"Elu", 4},     {"HardSigmoid", 4}, {"HardSwish", 4}, {"Ceil", 1},
      {"Floor", 1},   {"Div", 2},         {"Softmax", 4},   {"LayerNormalization", 4}};
  auto it = kInt16->find(op);
  if (it == kInt16->end()) return -1;
  if (dtype == DType::kInt8) return 1;
  if (dtype == DType::kInt16) return it->second;
  return -1;
}

absl::StatusOr<int64_t> MeasuredTableError(const ir::Node& node) {
  auto it = node.qparams().find("lut_max_lsb");
  if (it == node.qparams().end() || it->second.num_elements() != 1) {
    return absl::NotFoundError(absl::StrCat(node.Describe(), ": no qparam 'lut_max_lsb'"));
  }
  return it->second.GetAsInt64(0);
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

namespace {

void SetRecord(ir::Node& node, absl::string_view name, const numerics::RequantizeRecord& r) {
  node.mutable_qparams()[absl::StrCat(name, "_multiplier")] = Tensor::Scalar<int32_t>(r.multiplier);
  node.mutable_qparams()[absl::StrCat(name, "_shift")] = Tensor::Scalar<int32_t>(r.shift);
}

absl::StatusOr<numerics::RequantizeRecord> GetRecord(const ir::Node& node, absl::string_view name) {
  absl::StatusOr<const Tensor*> m =
      QParam(node, absl::StrCat(name, "_multiplier"), DType::kInt32, 1);
  if (!m.ok()) return m.status();
  absl::StatusOr<const Tensor*> n = QParam(node, absl::StrCat(name, "_shift"), DType::kInt32, 1);
  if (!n.ok()) return n.status();
  const int32_t shift = (*n)->data<int32_t>()[0];
  if (shift < numerics::kMinShift || shift > numerics::kMaxShift) {
    return absl::InvalidArgumentError(
        absl::StrCat(node.Describe(), ": qparam '", name, "_shift' out of range"));
  }
  return numerics::RequantizeRecord{(*m)->data<int32_t>()[0], static_cast<int8_t>(shift)};
}

}  // namespace

absl::Status SetRequantizeRecord(ir::Node& node, absl::string_view name, double real) {
  absl::StatusOr<numerics::RequantizeRecord> r = numerics::MakeRequantizeRecord(real);
  if (!r.ok()) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node, r.status().message());
  }
  SetRecord(node, name, *r);
  return absl::OkStatus();
}

absl::StatusOr<numerics::RequantizeRecord> RequantizeRecordParam(const ir::Node& node,
                                                                 absl::string_view name) {
  return GetRecord(node, name);
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
    if (absl::Status st = SetRequantizeRecord(node, "input", in->second); !st.ok()) return st;
    if (absl::Status st = SetRequantizeRecord(node, "output", 1.0 / out->second); !st.ok()) {
      return st;
    }
    // The record rounds s_in to 31 bits, which can move q * s_in across an integer.
    node.mutable_qparams()["lut_max_lsb"] = Tensor::Scalar<int32_t>(1);
    return absl::OkStatus();
  };
  s.qkernel = [table_kernel, ceil](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                   std::vector<Tensor>& outputs) -> absl::Status {
    if (inputs[0]->dtype() != DType::kInt16) return table_kernel(node, inputs, outputs);
    absl::StatusOr<numerics::RequantizeRecord> rin = GetRecord(node, "input");
    if (!rin.ok()) return rin.status();
    absl::StatusOr<numerics::RequantizeRecord> rout = GetRecord(node, "output");
    if (!rout.ok()) return rout.status();
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
  const char* table_name = fn == NormalizedFunction::kSqrt         ? "rsqrt_table"
                           : fn == NormalizedFunction::kReciprocal ? "reciprocal_table"
                                                                   : "log2_table";
  const int64_t table_size = fn == NormalizedFunction::kSqrt ? numerics::kRsqrtTableSize
                             : fn == NormalizedFunction::kReciprocal
                                 ? numerics::kReciprocalTableSize
                                 : numerics::kLog2TableSize;
  s.qprepare = [table_prepare, fn, table_name](ir::Node& node,
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
    if (absl::Status st = SetRequantizeRecord(node, "output", real); !st.ok()) return st;
    auto& qp = node.mutable_qparams();
    qp[table_name] =
        fn == NormalizedFunction::kSqrt
            ? Tensor::FromVector<int32_t>({numerics::kRsqrtTableSize}, numerics::MakeRsqrtTable())
        : fn == NormalizedFunction::kReciprocal
            ? Tensor::FromVector<int32_t>({numerics::kReciprocalTableSize},
                                          numerics::MakeReciprocalTable())
            : Tensor::FromVector<int32_t>({numerics::kLog2TableSize}, numerics::MakeLog2Table());
    if (fn == NormalizedFunction::kLog) {
      const double offset = std::ldexp(std::log(s_in) / s_out, kLogOffsetBits);
      if (!(std::fabs(offset) < 0x1p62)) {
        return absl::InvalidArgumentError(
            absl::StrCat(node.Describe(), ": log(s_in) / s_out is out of range"));
      }
      qp["log_offset"] = Tensor::Scalar<int64_t>(std::llround(offset));
    }
    qp["lut_max_lsb"] = Tensor::Scalar<int32_t>(1);
    return absl::OkStatus();
  };
  s.qkernel = [table_kernel, fn, table_name, table_size](
                  const ir::Node& node, absl::Span<const Tensor* const> inputs,
                  std::vector<Tensor>& outputs) -> absl::Status {
    if (inputs[0]->dtype() != DType::kInt16) return table_kernel(node, inputs, outputs);
    absl::StatusOr<numerics::RequantizeRecord> r = GetRecord(node, "output");
    if (!r.ok()) return r.status();
    absl::StatusOr<const Tensor*> table = QParam(node, table_name, DType::kInt32, table_size);
    if (!table.ok()) return table.status();
    int64_t log_offset = 0;
    if (fn == NormalizedFunction::kLog) {
      absl::StatusOr<const Tensor*> o = QParam(node, "log_offset", DType::kInt64, 1);
      if (!o.ok()) return o.status();
      log_offset = (*o)->data<int64_t>()[0];
    }
    absl::StatusOr<std::pair<DType, double>> out = OutputQuant(node, 0);
    if (!out.ok()) return out.status();
    const auto [lo, hi] = Range(out->first);
    const int32_t* t = (*table)->data<int32_t>();
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
