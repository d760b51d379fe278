// Shared parts of the arithmetic family's quantized kernels (docs/NUMERICS.md): storage ranges,
// per-node records and scales, and the conv / linear / matmul epilogue. The kernels themselves are
// in quant_conv_util.cc, quant_matmul_util.cc, quant_eltwise_util.cc and quant_pool_util.cc.
#include "compiler/ops/quant_util.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "compiler/ir/node_error.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_util_internal.h"
#include "isa/numerics/elementwise.h"

namespace openbpu::ops::qarith {

using numerics::RequantizeRecord;

absl::Status NodeError(const ir::Node& node, absl::string_view message) {
  return ir::NodeError(absl::StatusCode::kInvalidArgument, node, message);
}

absl::StatusOr<const ir::QuantInfo*> QuantOf(const ir::Node& node, const ir::Value* v,
                                             absl::string_view what) {
  if (v == nullptr || !v->type().quant.has_value()) {
    return NodeError(node, absl::StrCat(what, " is not quantized"));
  }
  return &*v->type().quant;
}

absl::StatusOr<float> TensorScale(const ir::Node& node, const ir::Value* v,
                                  absl::string_view what) {
  absl::StatusOr<const ir::QuantInfo*> q = QuantOf(node, v, what);
  if (!q.ok()) return q.status();
  if ((*q)->scales.size() != 1) {
    return NodeError(node, absl::StrCat(what, " must have one (per-tensor) scale"));
  }
  return (*q)->scales[0];
}

absl::StatusOr<std::vector<double>> ChannelScales(const ir::Node& node, const ir::Value* v,
                                                  absl::string_view what, int axis, int64_t count) {
  absl::StatusOr<const ir::QuantInfo*> q = QuantOf(node, v, what);
  if (!q.ok()) return q.status();
  const std::vector<float>& s = (*q)->scales;
  if (s.size() == 1) return std::vector<double>(count, s[0]);
  const int rank = static_cast<int>(v->type().shape.size());
  const int qaxis = (*q)->axis < 0 ? (*q)->axis + rank : (*q)->axis;
  if (qaxis != axis || static_cast<int64_t>(s.size()) != count) {
    return NodeError(node, absl::StrCat(what, " must be per-tensor or have ", count,
                                        " scales along axis ", axis));
  }
  return std::vector<double>(s.begin(), s.end());
}

absl::StatusOr<RequantizeRecord> Record(const ir::Node& node, double real) {
  absl::StatusOr<RequantizeRecord> r = numerics::MakeRequantizeRecord(real);
  if (!r.ok()) return NodeError(node, r.status().message());
  return r;
}

absl::StatusOr<DType> OutputStorage(const ir::Node& node) {
  absl::StatusOr<const ir::QuantInfo*> q = QuantOf(node, node.output(0), "output");
  if (!q.ok()) return q.status();
  if (!StorageRange((*q)->storage).ok()) {
    return NodeError(node, absl::StrCat("output storage ", DTypeName((*q)->storage)));
  }
  return (*q)->storage;
}

absl::Status RequireIntTensor(const Tensor* t, absl::string_view what, bool allow_int32) {
  if (t == nullptr) return absl::InvalidArgumentError(absl::StrCat(what, " is missing"));
  if (t->dtype() == DType::kInt8 || t->dtype() == DType::kInt16 ||
      (allow_int32 && t->dtype() == DType::kInt32)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(what, " must be an int8 or int16 tensor, got ", DTypeName(t->dtype())));
}

int64_t Product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t x : v) p *= x;
  return p;
}

absl::StatusOr<std::pair<int64_t, int64_t>> StorageRange(DType storage) {
  switch (storage) {
    case DType::kInt8:
      return std::make_pair<int64_t, int64_t>(-128, 127);
    case DType::kInt16:
      return std::make_pair<int64_t, int64_t>(-32768, 32767);
    case DType::kInt32:
      return std::make_pair<int64_t, int64_t>(INT32_MIN, INT32_MAX);
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("quantized storage must be int8, int16 or int32, got ", DTypeName(storage)));
  }
}

absl::StatusOr<const ir::QuantInfo*> PerTensorQuant(const ir::Node& node, const ir::Value* v,
                                                    absl::string_view what, int i) {
  if (v == nullptr || !v->type().quant.has_value()) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                         absl::StrCat(what, " ", i, " is not quantized"));
  }
  const ir::QuantInfo& q = *v->type().quant;
  if (q.scales.size() != 1) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                         absl::StrCat(what, " ", i, " must have one scale, has ", q.scales.size()));
  }
  if (!(q.scales[0] > 0) || !std::isfinite(q.scales[0])) {
    return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                         absl::StrCat(what, " ", i, " has invalid scale ", q.scales[0]));
  }
  return &q;
}

// ---------------------------------------------------------------- epilogue

absl::Status PrepareEpilogue(ir::Node& node, const std::vector<double>& acc_scales,
                             const ir::Value* sumin, int channel_axis) {
  absl::StatusOr<DType> storage = OutputStorage(node);
  if (!storage.ok()) return storage.status();
  const auto [lo, hi] = *StorageRange(*storage);
  const int64_t channels = static_cast<int64_t>(acc_scales.size());
  absl::StatusOr<std::vector<double>> out_scales =
      ChannelScales(node, node.output(0), "output", channel_axis, channels);
  if (!out_scales.ok()) return out_scales.status();
  double sumin_scale = 0;
  if (sumin != nullptr) {
    absl::StatusOr<float> s = TensorScale(node, sumin, "sumin");
    if (!s.ok()) return s.status();
    sumin_scale = *s;
  }
  const std::string act = node.attrs().GetString("activation", "none");
  qparams::Requant params;
  for (int64_t c = 0; c < channels; ++c) {
    const double so = (*out_scales)[c];
    absl::StatusOr<RequantizeRecord> ra = Record(node, acc_scales[c] / so);
    if (!ra.ok()) return ra.status();
    RequantizeRecord rs;
    if (sumin != nullptr) {
      absl::StatusOr<RequantizeRecord> r = Record(node, sumin_scale / so);
      if (!r.ok()) return r.status();
      rs = *r;
      if (!numerics::SumRecordsCompatible(*ra, rs)) {
        return NodeError(node,
                         absl::StrCat("the sumin and accumulator requantize shifts of channel ", c,
                                      " differ by more than 32 (scales too far apart)"));
      }
    }
    isa::RequantParam p;
    p.acc = *ra;
    p.sumin = rs;
    p.lo = static_cast<int32_t>(act == "relu" || act == "relu6" ? int64_t{0} : lo);
    int64_t h = hi;
    // round half away from zero of 6 / s_out, in double.
    if (act == "relu6") h = std::min<double>(hi, std::round(6.0 / so));
    p.hi = static_cast<int32_t>(h);
    params.channels.push_back(p);
  }
  return qparams::Store(node, params);
}

namespace {

absl::StatusOr<qparams::Requant> LoadEpilogue(const ir::Node& node, DType storage,
                                              int64_t channels) {
  absl::StatusOr<qparams::Requant> e = qparams::Load<qparams::Requant>(node);
  if (!e.ok()) return e.status();
  if (static_cast<int64_t>(e->channels.size()) != channels) {
    return NodeError(node, absl::StrCat("'requant' parameters have ", e->channels.size(),
                                        " channels, the output ", channels));
  }
  // The stored clamp is within the output's storage range already; intersecting again keeps a
  // hand-edited HBIR file from writing outside it.
  const auto [lo, hi] = *StorageRange(storage);
  for (isa::RequantParam& c : e->channels) {
    c.lo = static_cast<int32_t>(std::max<int64_t>(lo, c.lo));
    c.hi = static_cast<int32_t>(std::min<int64_t>(hi, c.hi));
  }
  return e;
}

}  // namespace

absl::Status CheckBias(const ir::Node& node, int i, const std::vector<double>& acc_scales) {
  const ir::Value* b = node.input(i);
  if (b == nullptr) return absl::OkStatus();
  if (b->type().dtype != DType::kInt32) return NodeError(node, "the bias must be int32");
  absl::StatusOr<std::vector<double>> s =
      ChannelScales(node, b, "bias", 0, static_cast<int64_t>(acc_scales.size()));
  if (!s.ok()) return s.status();
  for (size_t c = 0; c < acc_scales.size(); ++c) {
    if (std::fabs((*s)[c] - acc_scales[c]) > 1e-6 * acc_scales[c]) {
      return NodeError(node, absl::StrCat("bias scale ", (*s)[c], " of channel ", c,
                                          " is not s_x * s_w = ", acc_scales[c]));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<double>> AccScales(const ir::Node& node, int weight_axis,
                                              int64_t channels) {
  absl::StatusOr<float> sx = TensorScale(node, node.input(0), "input X");
  if (!sx.ok()) return sx.status();
  const ir::Value* w = node.input(1);
  if (w == nullptr || w->type().dtype != DType::kInt8) {
    return NodeError(node, "the weight must be int8");
  }
  absl::StatusOr<std::vector<double>> sw = ChannelScales(node, w, "weight", weight_axis, channels);
  if (!sw.ok()) return sw.status();
  std::vector<double> acc(channels);
  for (int64_t c = 0; c < channels; ++c) acc[c] = static_cast<double>(*sx) * (*sw)[c];
  return acc;
}

absl::Status CheckActivationInput(const ir::Node& node) {
  const ir::Value* x = node.input(0);
  if (x == nullptr || (x->type().dtype != DType::kInt8 && x->type().dtype != DType::kInt16)) {
    return NodeError(node, "input X must be int8 or int16");
  }
  return absl::OkStatus();
}

absl::StatusOr<Tensor> ApplyEpilogue(const ir::Node& node, const std::vector<int64_t>& acc,
                                     const Shape& shape, int64_t channels, int64_t inner,
                                     const Tensor* sumin) {
  absl::StatusOr<DType> storage = OutputStorage(node);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<qparams::Requant> e = LoadEpilogue(node, *storage, channels);
  if (!e.ok()) return e.status();
  std::vector<int32_t> s;
  if (sumin != nullptr) {
    if (absl::Status st = RequireIntTensor(sumin, "sumin", false); !st.ok()) return st;
    if (sumin->shape() != shape) return NodeError(node, "sumin shape differs from the output's");
    s = ToVector<int32_t>(*sumin);
  }
  return MakeOutput(*storage, shape, [&](int64_t o) {
    const int64_t c = (o / inner) % channels;
    const int64_t a = std::clamp<int64_t>(acc[o], -(int64_t{1} << 60), int64_t{1} << 60);
    const isa::RequantParam& r = e->channels[c];
    return numerics::RequantizeWithSumin(a, r.acc, s.empty() ? 0 : s[o], r.sumin, r.lo, r.hi);
  });
}

}  // namespace openbpu::ops::qarith
