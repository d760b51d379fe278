// Quantized kernels of the arithmetic family (docs/NUMERICS.md, "Add", "Mul",
// "Conv and linear", "Concat", "Average pooling and mean").
#include "compiler/ops/quant_util.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/kernels/conv.h"
#include "common/kernels/gemm.h"
#include "common/kernels/pool.h"
#include "compiler/ops/conv_attrs.h"
#include "compiler/ops/op_util.h"
#include "isa/numerics/elementwise.h"
#include "isa/numerics/pool.h"

namespace openbpu::ops::qarith {
namespace {

using numerics::RequantizeRecord;

absl::Status NodeError(const ir::Node& node, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(node.Describe(), ": ", message));
}

// The QuantInfo of a value, or an error naming the node.
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

// Per-channel scales of `count` channels along `axis` of a value (a single
// scale is broadcast to every channel).
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

// Every element of an int8 / int16 / int32 tensor, widened to T.
template <typename T>
std::vector<T> ToVector(const Tensor& t) {
  std::vector<T> v(t.num_elements());
  switch (t.dtype()) {
    case DType::kInt8:
      std::copy(t.data<int8_t>(), t.data<int8_t>() + v.size(), v.begin());
      break;
    case DType::kInt16:
      std::copy(t.data<int16_t>(), t.data<int16_t>() + v.size(), v.begin());
      break;
    case DType::kInt32:
      std::copy(t.data<int32_t>(), t.data<int32_t>() + v.size(), v.begin());
      break;
    default:
      for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(t.GetAsInt64(i));
  }
  return v;
}

// A tensor of `storage` dtype filled by fn(i) (values already in range).
template <typename Fn>
Tensor MakeOutput(DType storage, const Shape& shape, Fn fn) {
  Tensor out(storage, shape);
  const int64_t n = out.num_elements();
  switch (storage) {
    case DType::kInt8:
      for (int64_t i = 0; i < n; ++i) out.data<int8_t>()[i] = static_cast<int8_t>(fn(i));
      break;
    case DType::kInt16:
      for (int64_t i = 0; i < n; ++i) out.data<int16_t>()[i] = static_cast<int16_t>(fn(i));
      break;
    default:
      for (int64_t i = 0; i < n; ++i) out.data<int32_t>()[i] = static_cast<int32_t>(fn(i));
  }
  return out;
}

int64_t Product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t x : v) p *= x;
  return p;
}

// ---------------------------------------------------------------- epilogue

// Conv / linear / matmul output parameters: per output channel c the
// accumulator record "acc" (s_x s_w[c] / s_out[c]), the sumin record "sumin"
// (s_sumin / s_out[c], zero without sumin) and the activation clamp
// [act_lo, act_hi[c]] (relu: 0; relu6: round(6 / s_out[c])).
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
  std::vector<RequantizeRecord> acc_records, sumin_records;
  std::vector<int64_t> act_hi;
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
    acc_records.push_back(*ra);
    sumin_records.push_back(rs);
    int64_t h = hi;
    // round half away from zero of 6 / s_out, in double.
    if (act == "relu6") h = std::min<double>(hi, std::round(6.0 / so));
    act_hi.push_back(h);
  }
  SetRecords(node, "acc", acc_records);
  SetRecords(node, "sumin", sumin_records);
  SetInts(node, "act_lo", {act == "relu" || act == "relu6" ? int64_t{0} : lo});
  SetInts(node, "act_hi", act_hi);
  return absl::OkStatus();
}

struct Epilogue {
  std::vector<RequantizeRecord> acc, sumin;
  std::vector<int64_t> lo, hi;  // per channel: storage range intersected with the activation
};

absl::StatusOr<Epilogue> LoadEpilogue(const ir::Node& node, DType storage, int64_t channels) {
  Epilogue e;
  absl::StatusOr<std::vector<RequantizeRecord>> acc = GetRecords(node, "acc");
  absl::StatusOr<std::vector<RequantizeRecord>> sumin = GetRecords(node, "sumin");
  absl::StatusOr<std::vector<int64_t>> act_lo = GetInts(node, "act_lo");
  absl::StatusOr<std::vector<int64_t>> act_hi = GetInts(node, "act_hi");
  for (const absl::Status& st : {acc.status(), sumin.status(), act_lo.status(), act_hi.status()}) {
    if (!st.ok()) return st;
  }
  if (static_cast<int64_t>(acc->size()) != channels ||
      static_cast<int64_t>(sumin->size()) != channels || act_lo->size() != 1 ||
      static_cast<int64_t>(act_hi->size()) != channels) {
    return NodeError(node, absl::StrCat("qparams do not have ", channels, " channels"));
  }
  const auto [lo, hi] = *StorageRange(storage);
  e.acc = *acc;
  e.sumin = *sumin;
  for (int64_t c = 0; c < channels; ++c) {
    e.lo.push_back(std::max(lo, (*act_lo)[0]));
    e.hi.push_back(std::min(hi, (*act_hi)[c]));
  }
  return e;
}

// The int32 bias of input `i` (empty when omitted): its scale must be the
// accumulator's s_x * s_w[c].
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

// Accumulator scales s_x * s_w[c] (double product of two floats: exact).
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

// out[o] for accumulators acc[o] (bias already added), channel of o =
// (o / inner) % channels, sumin element o when given.
absl::StatusOr<Tensor> ApplyEpilogue(const ir::Node& node, const std::vector<int64_t>& acc,
                                     const Shape& shape, int64_t channels, int64_t inner,
                                     const Tensor* sumin) {
  absl::StatusOr<DType> storage = OutputStorage(node);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<Epilogue> e = LoadEpilogue(node, *storage, channels);
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
    return numerics::RequantizeWithSumin(a, e->acc[c], s.empty() ? 0 : s[o], e->sumin[c], e->lo[c],
                                         e->hi[c]);
  });
}

// ------------------------------------------------------------------ conv core

// offsets[t * |from| + p]: flat offset in `to` that position p of `from` reaches through kernel
// tap t (p * stride + tap * dilation - pad_begin per dim), or -1 outside `to`. Conv walks
// output positions into the input; ConvTranspose walks input positions into the output.
std::vector<int64_t> TapOffsets(const kernels::ConvGeometry& g, const std::vector<int64_t>& from,
                                const std::vector<int64_t>& to) {
  const int64_t taps = Product(g.kernel);
  const int64_t count = Product(from);
  const int n = static_cast<int>(g.input.size());
  std::vector<int64_t> offsets(taps * count);
  std::vector<int64_t> tap(n), pos(n);
  for (int64_t t = 0; t < taps; ++t) {
    int64_t rest = t;
    for (int d = n - 1; d >= 0; --d) {
      tap[d] = rest % g.kernel[d];
      rest /= g.kernel[d];
    }
    std::fill(pos.begin(), pos.end(), 0);
    for (int64_t p = 0; p < count; ++p) {
      int64_t off = 0;
      for (int d = 0; d < n && off >= 0; ++d) {
        const int64_t i = pos[d] * g.strides[d] + tap[d] * g.dilations[d] - g.pads_begin[d];
        off = (i < 0 || i >= to[d]) ? -1 : off * to[d] + i;
      }
      offsets[t * count + p] = off;
      for (int d = n - 1; d >= 0; --d) {
        if (++pos[d] < from[d]) break;
        pos[d] = 0;
      }
    }
  }
  return offsets;
}

// dst[p] = sum over k of wrow[k] * col[k * pc + p], summed in Acc (int32 when the caller knows
// the sum cannot overflow, else int64) in the scratch a[0, pc).
template <typename Acc>
void IntColumnDot(const int16_t* wrow, const int16_t* col, int64_t k_total, int64_t pc, Acc* a,
                  int64_t* dst) {
  std::fill(a, a + pc, 0);
  for (int64_t k = 0; k < k_total; ++k) {
    const Acc wv = wrow[k];
    if (wv == 0) continue;
    const int16_t* row = col + k * pc;
    for (int64_t p = 0; p < pc; ++p) a[p] += wv * row[p];
  }
  for (int64_t p = 0; p < pc; ++p) dst[p] = a[p];
}

// acc[n, m, p] = sum over (c, tap) of x * w (exact; int32 partial sums when
// they cannot overflow, int64 otherwise).
void IntConvAccumulate(const std::vector<int16_t>& x, int64_t batch, int64_t in_channels,
                       const std::vector<int16_t>& w, int64_t out_channels, int64_t group,
                       const kernels::ConvGeometry& g, int64_t x_bound, std::vector<int64_t>& acc) {
  const int64_t taps = Product(g.kernel);
  const int64_t positions = Product(g.output);
  const int64_t in_size = Product(g.input);
  const int64_t cg = in_channels / group;
  const int64_t mg = out_channels / group;
  const int64_t k_total = cg * taps;
  // offsets[t * P + p]: flat spatial input offset of tap t at output p, or -1.
  const std::vector<int64_t> offsets = TapOffsets(g, g.output, g.input);
  // |x * w| <= x_bound * 128 per term.
  const bool narrow = k_total * x_bound * 128 < (int64_t{1} << 31);
  const int64_t chunk = std::max<int64_t>(
      1, std::min<int64_t>(positions, (int64_t{1} << 21) / std::max<int64_t>(1, k_total)));
  std::vector<int16_t> col(k_total * chunk);
  std::vector<int32_t> acc32(chunk);
  std::vector<int64_t> acc64(chunk);
  acc.assign(batch * out_channels * positions, 0);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t gr = 0; gr < group; ++gr) {
      for (int64_t p0 = 0; p0 < positions; p0 += chunk) {
        const int64_t pc = std::min(chunk, positions - p0);
        for (int64_t c = 0; c < cg; ++c) {
          const int16_t* src = x.data() + (b * in_channels + gr * cg + c) * in_size;
          for (int64_t t = 0; t < taps; ++t) {
            int16_t* dst = col.data() + (c * taps + t) * pc;
            const int64_t* off = offsets.data() + t * positions + p0;
            for (int64_t p = 0; p < pc; ++p) dst[p] = off[p] < 0 ? 0 : src[off[p]];
          }
        }
        for (int64_t mm = 0; mm < mg; ++mm) {
          const int64_t m = gr * mg + mm;
          const int16_t* wrow = w.data() + m * k_total;
          int64_t* dst = acc.data() + (b * out_channels + m) * positions + p0;
          if (narrow) {
            IntColumnDot(wrow, col.data(), k_total, pc, acc32.data(), dst);
          } else {
            IntColumnDot(wrow, col.data(), k_total, pc, acc64.data(), dst);
          }
        }
      }
    }
  }
}

// Transposed conv as per-(output channel, tap) rows plus a scatter:
// row[i] = sum over c in the group of x[c, i] * w[c, j, t] (Acc: int32 when the
// sum cannot overflow, else int64), then acc[n, g * mg + j, o(i, t)] += row[i]
// with o = i * stride + t * dilation - pad_begin per dim (dropped outside the
// output). Every addition is exact.
template <typename Acc>
void IntConvTransposeRows(const int16_t* x, int64_t cg, int64_t in_size, const int16_t* w,
                          int64_t mg, int64_t taps, const int64_t* offsets, int64_t positions,
                          int64_t* acc) {
  std::vector<Acc> row(in_size);
  for (int64_t j = 0; j < mg; ++j) {
    int64_t* dst = acc + j * positions;
    for (int64_t t = 0; t < taps; ++t) {
      std::fill(row.begin(), row.end(), 0);
      bool any = false;
      for (int64_t c = 0; c < cg; ++c) {
        const Acc wv = w[(c * mg + j) * taps + t];
        if (wv == 0) continue;
        any = true;
        const int16_t* src = x + c * in_size;
        Acc* r = row.data();
        for (int64_t i = 0; i < in_size; ++i) r[i] += wv * src[i];
      }
      if (!any) continue;
      const int64_t* off = offsets + t * in_size;
      for (int64_t i = 0; i < in_size; ++i) {
        if (off[i] >= 0) dst[off[i]] += row[i];
      }
    }
  }
}

// acc[n, m, out] of conv_transpose(x [N, C, in...], w [C, M/group, kernel...]).
void IntConvTransposeAccumulate(const std::vector<int16_t>& x, int64_t batch, int64_t in_channels,
                                const std::vector<int16_t>& w, int64_t out_channels, int64_t group,
                                const kernels::ConvGeometry& g, int64_t x_bound,
                                std::vector<int64_t>& acc) {
  const int64_t taps = Product(g.kernel);
  const int64_t positions = Product(g.output);
  const int64_t in_size = Product(g.input);
  const int64_t cg = in_channels / group;
  const int64_t mg = out_channels / group;
  // offsets[t * in_size + i]: flat output offset that input position i feeds
  // through tap t, or -1.
  const std::vector<int64_t> offsets = TapOffsets(g, g.input, g.output);
  // |x * w| <= x_bound * 128 per term, cg terms per row element.
  const bool narrow = cg * x_bound * 128 < (int64_t{1} << 31);
  acc.assign(batch * out_channels * positions, 0);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t gr = 0; gr < group; ++gr) {
      const int16_t* xs = x.data() + (b * in_channels + gr * cg) * in_size;
      const int16_t* ws = w.data() + gr * cg * mg * taps;
      int64_t* dst = acc.data() + (b * out_channels + gr * mg) * positions;
      if (narrow) {
        IntConvTransposeRows<int32_t>(xs, cg, in_size, ws, mg, taps, offsets.data(), positions,
                                      dst);
      } else {
        IntConvTransposeRows<int64_t>(xs, cg, in_size, ws, mg, taps, offsets.data(), positions,
                                      dst);
      }
    }
  }
}

// acc[r, o] += sum_k a[r, k] * b[o, k] for a [rows, k], bt [cols, k].
void IntDotRows(const int16_t* a, int64_t rows, const int16_t* bt, int64_t cols, int64_t k,
                int64_t a_bound, int64_t b_bound, int64_t* acc) {
  const bool narrow = k * a_bound * b_bound < (int64_t{1} << 31);
  for (int64_t r = 0; r < rows; ++r) {
    const int16_t* ar = a + r * k;
    for (int64_t o = 0; o < cols; ++o) {
      const int16_t* br = bt + o * k;
      if (narrow) {
        int32_t s = 0;
        for (int64_t i = 0; i < k; ++i) s += static_cast<int32_t>(ar[i]) * br[i];
        acc[r * cols + o] += s;
      } else {
        int64_t s = 0;
        for (int64_t i = 0; i < k; ++i) s += static_cast<int64_t>(ar[i]) * br[i];
        acc[r * cols + o] += s;
      }
    }
  }
}

int64_t Bound(DType d) { return d == DType::kInt8 ? 128 : 32768; }

// ------------------------------------------------------------------- reduce

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

}  // namespace

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
    return absl::InvalidArgumentError(
        absl::StrCat(node.Describe(), ": ", what, " ", i, " is not quantized"));
  }
  const ir::QuantInfo& q = *v->type().quant;
  if (q.scales.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(node.Describe(), ": ", what, " ", i,
                                                   " must have one scale, has ", q.scales.size()));
  }
  if (!(q.scales[0] > 0) || !std::isfinite(q.scales[0])) {
    return absl::InvalidArgumentError(
        absl::StrCat(node.Describe(), ": ", what, " ", i, " has invalid scale ", q.scales[0]));
  }
  return &q;
}

void SetInts(ir::Node& node, absl::string_view name, const std::vector<int64_t>& values) {
  node.mutable_qparams()[std::string(name)] =
      Tensor::FromVector<int64_t>({static_cast<int64_t>(values.size())}, values);
}

absl::StatusOr<std::vector<int64_t>> GetInts(const ir::Node& node, absl::string_view name) {
  auto it = node.qparams().find(std::string(name));
  if (it == node.qparams().end() || it->second.dtype() != DType::kInt64 || it->second.rank() != 1) {
    return NodeError(node, absl::StrCat("qparam '", name, "' is missing (run qprepare)"));
  }
  return it->second.ToInt64Vector();
}

void SetRecords(ir::Node& node, absl::string_view name,
                const std::vector<RequantizeRecord>& records) {
  std::vector<int64_t> m, s;
  for (const RequantizeRecord& r : records) {
    m.push_back(r.multiplier);
    s.push_back(r.shift);
  }
  SetInts(node, absl::StrCat(name, "_multiplier"), m);
  SetInts(node, absl::StrCat(name, "_shift"), s);
}

absl::StatusOr<std::vector<RequantizeRecord>> GetRecords(const ir::Node& node,
                                                         absl::string_view name) {
  absl::StatusOr<std::vector<int64_t>> m = GetInts(node, absl::StrCat(name, "_multiplier"));
  if (!m.ok()) return m.status();
  absl::StatusOr<std::vector<int64_t>> s = GetInts(node, absl::StrCat(name, "_shift"));
  if (!s.ok()) return s.status();
  if (m->size() != s->size()) return NodeError(node, absl::StrCat("bad qparams '", name, "'"));
  std::vector<RequantizeRecord> out;
  for (size_t i = 0; i < m->size(); ++i) {
    if ((*m)[i] < 0 || (*m)[i] >= (int64_t{1} << 31) || (*s)[i] < numerics::kMinShift ||
        (*s)[i] > numerics::kMaxShift) {
      return NodeError(node, absl::StrCat("bad requantize record in qparams '", name, "'"));
    }
    out.push_back({static_cast<int32_t>((*m)[i]), static_cast<int8_t>((*s)[i])});
  }
  return out;
}

// -------------------------------------------------------------- add / mul

absl::Status PrepareAdd(ir::Node& node, const ir::QuantOpContext& ctx, bool subtract) {
  absl::StatusOr<float> sa = TensorScale(node, node.input(0), "input A");
  absl::StatusOr<float> sb = TensorScale(node, node.input(1), "input B");
  absl::StatusOr<float> so = TensorScale(node, node.output(0), "output");
  for (const absl::Status& st : {sa.status(), sb.status(), so.status()}) {
    if (!st.ok()) return st;
  }
  if (!OutputStorage(node).ok()) return OutputStorage(node).status();
  auto bits = [](const ir::Value* v) {
    return v->type().dtype == DType::kInt16 ? numerics::AddOperandBits::kInt16
                                            : numerics::AddOperandBits::kInt8;
  };
  for (int i = 0; i < 2; ++i) {
    const DType d = node.input(i)->type().dtype;
    if (d != DType::kInt8 && d != DType::kInt16) {
      return NodeError(node, absl::StrCat("input ", i, " must be int8 or int16"));
    }
  }
  if (ctx.march == "bernoulli2") {
    absl::StatusOr<numerics::Bernoulli2AddParams> p =
        numerics::MakeBernoulli2AddParams(*sa, *sb, *so, subtract);
    if (!p.ok()) return NodeError(node, p.status().message());
    SetInts(node, "add",
            {1, p->feature_input, p->w, p->qm, p->lshift, p->out.multiplier, p->out.shift});
    return absl::OkStatus();
  }
  if (ctx.march != "bayes" && ctx.march != "bayes-e") {
    return NodeError(node, absl::StrCat("unknown march '", ctx.march, "'"));
  }
  absl::StatusOr<numerics::BayesAddParams> p = numerics::MakeBayesAddParams(
      *sa, bits(node.input(0)), *sb, bits(node.input(1)), *so, subtract);
  if (!p.ok()) return NodeError(node, p.status().message());
  SetInts(node, "add",
          {0, p->x_input, p->x_sign, p->shift, p->qscale, p->out.multiplier, p->out.shift});
  return absl::OkStatus();
}

// The output storage of a two-input elementwise qkernel whose inputs must be int8 / int16.
absl::StatusOr<DType> BinaryStorage(const ir::Node& node, absl::Span<const Tensor* const> inputs) {
  for (int i = 0; i < 2; ++i) {
    if (absl::Status st = RequireIntTensor(inputs[i], "input", false); !st.ok()) return st;
  }
  return OutputStorage(node);
}

// Two inputs broadcast together: the output shape, each output element's flat index into a
// and b, and their integer values.
struct BroadcastOperands {
  Shape shape;
  std::vector<int64_t> ia, ib;
  std::vector<int32_t> a, b;
};

absl::StatusOr<BroadcastOperands> Broadcast(absl::Span<const Tensor* const> inputs) {
  absl::StatusOr<Shape> shape = BroadcastShapes(inputs[0]->shape(), inputs[1]->shape());
  if (!shape.ok()) return shape.status();
  BroadcastOperands x;
  x.shape = *shape;
  x.ia = BroadcastIndex(inputs[0]->shape(), x.shape);
  x.ib = BroadcastIndex(inputs[1]->shape(), x.shape);
  x.a = ToVector<int32_t>(*inputs[0]);
  x.b = ToVector<int32_t>(*inputs[1]);
  return x;
}

absl::Status AddKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                       std::vector<Tensor>& outputs) {
  absl::StatusOr<DType> storage = BinaryStorage(node, inputs);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<std::vector<int64_t>> v = GetInts(node, "add");
  if (!v.ok()) return v.status();
  if (v->size() != 7) return NodeError(node, "bad qparam 'add'");
  const std::vector<int64_t>& q = *v;
  absl::StatusOr<BroadcastOperands> x = Broadcast(inputs);
  if (!x.ok()) return x.status();
  const Shape& shape = x->shape;
  const auto [lo, hi] = *StorageRange(*storage);
  const std::vector<int64_t>& ia = x->ia;
  const std::vector<int64_t>& ib = x->ib;
  const std::vector<int32_t>& a = x->a;
  const std::vector<int32_t>& b = x->b;
  const RequantizeRecord out{static_cast<int32_t>(q[5]), static_cast<int8_t>(q[6])};
  if (q[0] == 1) {
    numerics::Bernoulli2AddParams p;
    p.feature_input = static_cast<uint8_t>(q[1]);
    p.w = static_cast<int8_t>(q[2]);
    p.qm = static_cast<int16_t>(q[3]);
    p.lshift = static_cast<int8_t>(q[4]);
    p.out = out;
    outputs.push_back(MakeOutput(*storage, shape, [&](int64_t i) {
      return numerics::ApplyBernoulli2Add(p, a[ia[i]], b[ib[i]], lo, hi);
    }));
  } else {
    numerics::BayesAddParams p;
    p.x_input = static_cast<uint8_t>(q[1]);
    p.x_sign = static_cast<int8_t>(q[2]);
    p.shift = static_cast<int8_t>(q[3]);
    p.qscale = static_cast<int16_t>(q[4]);
    p.out = out;
    outputs.push_back(MakeOutput(*storage, shape, [&](int64_t i) {
      return numerics::ApplyBayesAdd(p, a[ia[i]], b[ib[i]], lo, hi);
    }));
  }
  return absl::OkStatus();
}

absl::Status PrepareMul(ir::Node& node, const ir::QuantOpContext&) {
  absl::StatusOr<float> sa = TensorScale(node, node.input(0), "input A");
  absl::StatusOr<float> sb = TensorScale(node, node.input(1), "input B");
  absl::StatusOr<float> so = TensorScale(node, node.output(0), "output");
  for (const absl::Status& st : {sa.status(), sb.status(), so.status()}) {
    if (!st.ok()) return st;
  }
  if (!OutputStorage(node).ok()) return OutputStorage(node).status();
  absl::StatusOr<numerics::MulParams> p = numerics::MakeMulParams(*sa, *sb, *so);
  if (!p.ok()) return NodeError(node, p.status().message());
  SetRecords(node, "mul", {p->out});
  return absl::OkStatus();
}

absl::Status MulKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                       std::vector<Tensor>& outputs) {
  absl::StatusOr<DType> storage = BinaryStorage(node, inputs);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<std::vector<RequantizeRecord>> r = GetRecords(node, "mul");
  if (!r.ok()) return r.status();
  if (r->size() != 1) return NodeError(node, "bad qparam 'mul'");
  absl::StatusOr<BroadcastOperands> x = Broadcast(inputs);
  if (!x.ok()) return x.status();
  const Shape& shape = x->shape;
  const auto [lo, hi] = *StorageRange(*storage);
  const std::vector<int64_t>& ia = x->ia;
  const std::vector<int64_t>& ib = x->ib;
  const std::vector<int32_t>& a = x->a;
  const std::vector<int32_t>& b = x->b;
  const numerics::MulParams p{(*r)[0]};
  outputs.push_back(MakeOutput(*storage, shape, [&](int64_t i) {
    return numerics::ApplyMul(p, a[ia[i]], b[ib[i]], lo, hi);
  }));
  return absl::OkStatus();
}

// ------------------------------------------------------------- conv/linear

absl::Status PrepareConv(ir::Node& node, const ir::QuantOpContext&) {
  if (absl::Status st = CheckActivationInput(node); !st.ok()) return st;
  const Shape& w = node.input(1)->type().shape;
  if (w.empty()) return NodeError(node, "bad weight shape");
  absl::StatusOr<std::vector<double>> acc = AccScales(node, 0, w[0]);
  if (!acc.ok()) return acc.status();
  if (absl::Status st = CheckBias(node, 2, *acc); !st.ok()) return st;
  return PrepareEpilogue(node, *acc, node.num_inputs() > 3 ? node.input(3) : nullptr, 1);
}

// Checks the int8 / int16 input X, int8 weight and optional int32 bias of a Conv or
// ConvTranspose qkernel; the bias (nullptr when omitted).
absl::StatusOr<const Tensor*> ConvBias(const ir::Node& node,
                                       absl::Span<const Tensor* const> inputs) {
  if (absl::Status st = RequireIntTensor(inputs[0], "input X", false); !st.ok()) return st;
  if (inputs[1] == nullptr || inputs[1]->dtype() != DType::kInt8) {
    return NodeError(node, "the weight must be an int8 tensor");
  }
  const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  if (bias != nullptr && bias->dtype() != DType::kInt32) {
    return NodeError(node, "the bias must be an int32 tensor");
  }
  return bias;
}

// acc[n, c, p] += bias[c] for an accumulator of m channels of `positions` each.
void AddBias(const Tensor* bias, int64_t m, int64_t positions, std::vector<int64_t>& acc) {
  if (bias == nullptr) return;
  const int32_t* b = bias->data<int32_t>();
  for (size_t o = 0; o < acc.size(); ++o) acc[o] += b[(o / positions) % m];
}

absl::Status ConvKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                        std::vector<Tensor>& outputs) {
  absl::StatusOr<const Tensor*> bias_or = ConvBias(node, inputs);
  if (!bias_or.ok()) return bias_or.status();
  const Tensor* bias = *bias_or;
  const Tensor& x = *inputs[0];
  const Tensor& w = *inputs[1];
  absl::StatusOr<ConvPlan> plan =
      PlanConv(node, x.shape(), w.shape(), bias == nullptr ? nullptr : &bias->shape());
  if (!plan.ok()) return plan.status();
  const int64_t m = w.dim(0);
  std::vector<int64_t> acc;
  IntConvAccumulate(ToVector<int16_t>(x), x.dim(0), x.dim(1), ToVector<int16_t>(w), m, plan->group,
                    plan->geometry, Bound(x.dtype()), acc);
  const int64_t positions = Product(plan->geometry.output);
  AddBias(bias, m, positions, acc);
  const Tensor* sumin = inputs.size() > 3 ? inputs[3] : nullptr;
  absl::StatusOr<Tensor> y = ApplyEpilogue(node, acc, plan->output, m, positions, sumin);
  if (!y.ok()) return y.status();
  outputs.push_back(*std::move(y));
  return absl::OkStatus();
}

absl::Status PrepareConvTranspose(ir::Node& node, const ir::QuantOpContext&) {
  if (absl::Status st = CheckActivationInput(node); !st.ok()) return st;
  const Shape& w = node.input(1)->type().shape;
  const int64_t group = node.attrs().GetInt("group", 1);
  if (w.size() < 3 || group < 1) return NodeError(node, "bad weight shape or group");
  // convert observes the weight per column j of axis 1 over every input
  // channel of every group, so the groups share s_w[j].
  const int64_t mg = w[1];
  absl::StatusOr<std::vector<double>> columns = AccScales(node, 1, mg);
  if (!columns.ok()) return columns.status();
  std::vector<double> acc(mg * group);
  for (int64_t c = 0; c < mg * group; ++c) acc[c] = (*columns)[c % mg];
  if (absl::Status st = CheckBias(node, 2, acc); !st.ok()) return st;
  return PrepareEpilogue(node, acc, nullptr, 1);
}

absl::Status ConvTransposeKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                                 ConvPlanFn plan_fn, std::vector<Tensor>& outputs) {
  absl::StatusOr<const Tensor*> bias_or = ConvBias(node, inputs);
  if (!bias_or.ok()) return bias_or.status();
  const Tensor* bias = *bias_or;
  const Tensor& x = *inputs[0];
  const Tensor& w = *inputs[1];
  absl::StatusOr<ConvPlan> plan =
      plan_fn(node, x.shape(), w.shape(), bias == nullptr ? nullptr : &bias->shape());
  if (!plan.ok()) return plan.status();
  const int64_t m = plan->output[1];
  std::vector<int64_t> acc;
  IntConvTransposeAccumulate(ToVector<int16_t>(x), x.dim(0), x.dim(1), ToVector<int16_t>(w), m,
                             plan->group, plan->geometry, Bound(x.dtype()), acc);
  const int64_t positions = Product(plan->geometry.output);
  AddBias(bias, m, positions, acc);
  absl::StatusOr<Tensor> y = ApplyEpilogue(node, acc, plan->output, m, positions, nullptr);
  if (!y.ok()) return y.status();
  outputs.push_back(*std::move(y));
  return absl::OkStatus();
}

absl::Status PrepareLinear(ir::Node& node, const ir::QuantOpContext&) {
  if (absl::Status st = CheckActivationInput(node); !st.ok()) return st;
  const Shape& w = node.input(1)->type().shape;
  if (w.size() != 2) return NodeError(node, "the weight must be 2-D");
  absl::StatusOr<std::vector<double>> acc = AccScales(node, 0, w[0]);
  if (!acc.ok()) return acc.status();
  if (absl::Status st = CheckBias(node, 2, *acc); !st.ok()) return st;
  const int rank = static_cast<int>(node.output(0)->type().shape.size());
  return PrepareEpilogue(node, *acc, node.num_inputs() > 3 ? node.input(3) : nullptr, rank - 1);
}

absl::Status LinearKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs) {
  if (absl::Status st = RequireIntTensor(inputs[0], "input X", false); !st.ok()) return st;
  if (inputs[1] == nullptr || inputs[1]->dtype() != DType::kInt8 || inputs[1]->rank() != 2) {
    return NodeError(node, "the weight must be a 2-D int8 tensor");
  }
  const Tensor& x = *inputs[0];
  const Tensor& w = *inputs[1];
  const int64_t n = w.dim(0), k = w.dim(1);
  if (x.rank() < 1 || x.shape().back() != k) return NodeError(node, "X and W disagree on K");
  const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  if (bias != nullptr && (bias->dtype() != DType::kInt32 || bias->shape() != Shape{n})) {
    return NodeError(node, "the bias must be an int32 tensor of the output features");
  }
  Shape shape = x.shape();
  shape.back() = n;
  const int64_t rows = x.num_elements() / std::max<int64_t>(1, k);
  std::vector<int64_t> acc(rows * n, 0);
  if (bias != nullptr) {
    for (int64_t o = 0; o < rows * n; ++o) acc[o] = bias->data<int32_t>()[o % n];
  }
  const std::vector<int16_t> xv = ToVector<int16_t>(x);
  const std::vector<int16_t> wv = ToVector<int16_t>(w);
  IntDotRows(xv.data(), rows, wv.data(), n, k, Bound(x.dtype()), 128, acc.data());
  const Tensor* sumin = inputs.size() > 3 ? inputs[3] : nullptr;
  absl::StatusOr<Tensor> y = ApplyEpilogue(node, acc, shape, n, 1, sumin);
  if (!y.ok()) return y.status();
  outputs.push_back(*std::move(y));
  return absl::OkStatus();
}

absl::Status PrepareMatMul(ir::Node& node, const ir::QuantOpContext&) {
  if (absl::Status st = CheckActivationInput(node); !st.ok()) return st;
  const ir::Value* b = node.input(1);
  if (b->type().dtype != DType::kInt8 && b->type().dtype != DType::kInt16) {
    return NodeError(node, "input B must be int8 or int16");
  }
  absl::StatusOr<float> sa = TensorScale(node, node.input(0), "input A");
  if (!sa.ok()) return sa.status();
  const Shape& bs = b->type().shape;
  const int64_t cols = bs.size() == 1 ? 1 : bs.back();
  absl::StatusOr<std::vector<double>> sb =
      ChannelScales(node, b, "input B", static_cast<int>(bs.size()) - 1, cols);
  if (!sb.ok()) return sb.status();
  std::vector<double> acc(cols);
  for (int64_t c = 0; c < cols; ++c) acc[c] = static_cast<double>(*sa) * (*sb)[c];
  const int rank = static_cast<int>(node.output(0)->type().shape.size());
  return PrepareEpilogue(node, acc, nullptr, std::max(0, rank - 1));
}

absl::Status MatMulKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs) {
  for (int i = 0; i < 2; ++i) {
    if (absl::Status st = RequireIntTensor(inputs[i], "input", false); !st.ok()) return st;
  }
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  absl::StatusOr<Shape> out_shape = kernels::MatMulShape(a.shape(), b.shape());
  if (!out_shape.ok()) return out_shape.status();
  Shape as = a.shape(), bs = b.shape();
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t rows = as[as.size() - 2], k = as.back(), cols = bs.back();
  const Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  absl::StatusOr<Shape> batch = BroadcastShapes(ab, bb);
  if (!batch.ok()) return batch.status();
  const std::vector<int64_t> ia = BroadcastIndex(ab, *batch);
  const std::vector<int64_t> ib = BroadcastIndex(bb, *batch);
  const std::vector<int16_t> av = ToVector<int16_t>(a);
  const std::vector<int16_t> bv = ToVector<int16_t>(b);
  const int64_t nb = static_cast<int64_t>(ia.size());
  std::vector<int64_t> acc(nb * rows * cols, 0);
  std::vector<int16_t> bt(cols * k);
  for (int64_t i = 0; i < nb; ++i) {
    const int16_t* bm = bv.data() + ib[i] * k * cols;
    for (int64_t r = 0; r < k; ++r) {
      for (int64_t c = 0; c < cols; ++c) bt[c * k + r] = bm[r * cols + c];
    }
    IntDotRows(av.data() + ia[i] * rows * k, rows, bt.data(), cols, k, Bound(a.dtype()),
               Bound(b.dtype()), acc.data() + i * rows * cols);
  }
  absl::StatusOr<Tensor> y = ApplyEpilogue(node, acc, *out_shape, cols, 1, nullptr);
  if (!y.ok()) return y.status();
  outputs.push_back(*std::move(y));
  return absl::OkStatus();
}

absl::Status PrepareGemm(ir::Node& node, const ir::QuantOpContext&) {
  if (absl::Status st = CheckActivationInput(node); !st.ok()) return st;
  if (node.attrs().GetFloat("alpha", 1.0f) != 1.0f || node.attrs().GetFloat("beta", 1.0f) != 1.0f) {
    return absl::UnimplementedError(
        absl::StrCat(node.Describe(), ": quantized Gemm needs alpha = beta = 1"));
  }
  const Shape& w = node.input(1)->type().shape;
  if (w.size() != 2) return NodeError(node, "B must be 2-D");
  const bool trans_b = node.attrs().GetInt("transB", 0) != 0;
  const int axis = trans_b ? 0 : 1;
  const int64_t n = w[axis];
  absl::StatusOr<std::vector<double>> acc = AccScales(node, axis, n);
  if (!acc.ok()) return acc.status();
  const ir::Value* c = node.input(2);
  if (c != nullptr) {
    if (c->type().dtype != DType::kInt32) return NodeError(node, "C must be int32");
    absl::StatusOr<const ir::QuantInfo*> q = QuantOf(node, c, "C");
    if (!q.ok()) return q.status();
    const std::vector<float>& s = (*q)->scales;
    if (s.size() != 1 && static_cast<int64_t>(s.size()) != n) {
      return NodeError(node, "C must have one scale or one per output");
    }
    for (int64_t j = 0; j < n; ++j) {
      const double sc = s.size() == 1 ? s[0] : s[j];
      if (std::fabs(sc - (*acc)[j]) > 1e-6 * (*acc)[j]) {
        return NodeError(node, absl::StrCat("bias scale ", sc, " of output ", j,
                                            " is not s_a * s_b = ", (*acc)[j]));
      }
    }
  }
  return PrepareEpilogue(node, *acc, nullptr, 1);
}

absl::Status GemmKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                        std::vector<Tensor>& outputs) {
  if (absl::Status st = RequireIntTensor(inputs[0], "input A", false); !st.ok()) return st;
  if (inputs[1] == nullptr || inputs[1]->dtype() != DType::kInt8 || inputs[1]->rank() != 2 ||
      inputs[0]->rank() != 2) {
    return NodeError(node, "A must be 2-D and B a 2-D int8 tensor");
  }
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  const bool ta = node.attrs().GetInt("transA", 0) != 0;
  const bool tb = node.attrs().GetInt("transB", 0) != 0;
  const int64_t m = ta ? a.dim(1) : a.dim(0), k = ta ? a.dim(0) : a.dim(1);
  const int64_t n = tb ? b.dim(0) : b.dim(1);
  if ((tb ? b.dim(1) : b.dim(0)) != k) return NodeError(node, "A and B disagree on K");
  const std::vector<int16_t> av = ToVector<int16_t>(a);
  const std::vector<int16_t> bv = ToVector<int16_t>(b);
  std::vector<int16_t> arows(m * k), bt(n * k);
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t i = 0; i < k; ++i) arows[r * k + i] = ta ? av[i * m + r] : av[r * k + i];
  }
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < k; ++i) bt[j * k + i] = tb ? bv[j * k + i] : bv[i * n + j];
  }
  std::vector<int64_t> acc(m * n, 0);
  const Tensor* c = inputs.size() > 2 ? inputs[2] : nullptr;
  if (c != nullptr) {
    if (c->dtype() != DType::kInt32) return NodeError(node, "C must be an int32 tensor");
    const Shape out = {m, n};
    if (!BroadcastShapes(c->shape(), out).ok() || *BroadcastShapes(c->shape(), out) != out) {
      return NodeError(node, "C does not broadcast to the output");
    }
    const std::vector<int64_t> ic = BroadcastIndex(c->shape(), out);
    for (int64_t o = 0; o < m * n; ++o) acc[o] = c->data<int32_t>()[ic[o]];
  }
  IntDotRows(arows.data(), m, bt.data(), n, k, Bound(a.dtype()), 128, acc.data());
  absl::StatusOr<Tensor> y = ApplyEpilogue(node, acc, {m, n}, n, 1, nullptr);
  if (!y.ok()) return y.status();
  outputs.push_back(*std::move(y));
  return absl::OkStatus();
}

// ------------------------------------------------------------------ concat

absl::Status PrepareConcat(ir::Node& node, const ir::QuantOpContext&) {
  absl::StatusOr<float> so = TensorScale(node, node.output(0), "output");
  if (!so.ok()) return so.status();
  if (!OutputStorage(node).ok()) return OutputStorage(node).status();
  std::vector<RequantizeRecord> records;
  for (int i = 0; i < node.num_inputs(); ++i) {
    absl::StatusOr<float> si = TensorScale(node, node.input(i), absl::StrCat("input ", i));
    if (!si.ok()) return si.status();
    absl::StatusOr<RequantizeRecord> r = Record(node, static_cast<double>(*si) / *so);
    if (!r.ok()) return r.status();
    records.push_back(*r);
  }
  SetRecords(node, "input", records);
  return absl::OkStatus();
}

absl::Status ConcatKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                          std::vector<Tensor>& outputs) {
  absl::StatusOr<DType> storage = OutputStorage(node);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<std::vector<RequantizeRecord>> r = GetRecords(node, "input");
  if (!r.ok()) return r.status();
  if (r->size() != inputs.size() || inputs.empty()) return NodeError(node, "bad qparam 'input'");
  const auto [lo, hi] = *StorageRange(*storage);
  const Shape& shape = node.output(0)->type().shape;
  const int rank = static_cast<int>(shape.size());
  absl::StatusOr<int> axis = NormalizeAxis(node.attrs().GetInt("axis", 0), rank);
  if (!axis.ok()) return axis.status();
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < *axis; ++d) outer *= shape[d];
  for (int d = *axis + 1; d < rank; ++d) inner *= shape[d];
  std::vector<int64_t> values(NumElements(shape));
  int64_t offset = 0;  // along the axis
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (absl::Status st = RequireIntTensor(inputs[i], "input", true); !st.ok()) return st;
    const Tensor& in = *inputs[i];
    if (in.rank() != rank) return NodeError(node, "input rank differs from the output's");
    const int64_t len = in.dim(*axis);
    const std::vector<int64_t> v = in.ToInt64Vector();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t j = 0; j < len * inner; ++j) {
        values[(o * shape[*axis] + offset) * inner + j] =
            numerics::Requantize(v[o * len * inner + j], (*r)[i], lo, hi);
      }
    }
    offset += len;
  }
  outputs.push_back(MakeOutput(*storage, shape, [&](int64_t i) { return values[i]; }));
  return absl::OkStatus();
}

// ----------------------------------------------------------------- pooling

namespace {

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
  SetRecords(node, "divisor", records);
  return absl::OkStatus();
}

// out[i] = Requantize(sums[i], divisor record of divisors[i]); divisor 0 gives 0.
absl::StatusOr<Tensor> DivideSums(const ir::Node& node, const std::vector<int64_t>& sums,
                                  const std::vector<int64_t>& divisors, int64_t period,
                                  const Shape& shape) {
  absl::StatusOr<DType> storage = OutputStorage(node);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<std::vector<RequantizeRecord>> r = GetRecords(node, "divisor");
  if (!r.ok()) return r.status();
  const auto [lo, hi] = *StorageRange(*storage);
  for (int64_t d : divisors) {
    if (d > static_cast<int64_t>(r->size())) return NodeError(node, "bad qparam 'divisor'");
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
  SetRecords(node, "divisor", {*r});
  return absl::OkStatus();
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
  SetRecords(node, "divisor", {*r});
  return absl::OkStatus();
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
