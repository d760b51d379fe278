// AAE instructions (ISA.md §4, "AAE"), part two: aae.reduce (sum with a requantize record,
// max, min, argmax, argmin over any of H, W, C) and aae.topk along one axis.
#include <vector>

#include "absl/strings/str_cat.h"
#include "isa/numerics/reduce.h"
#include "isa/numerics/requantize.h"
#include "isa/records.h"
#include "simulator/units.h"

namespace openbpu::sim::units {

absl::StatusOr<Lowered> Lower(const isa::AaeReduce& v, Lowering& ctx) {
  const isa::AaeTile& t = ctx.regs.aae_tile;
  const int64_t want_h = (v.axes & 1) ? 1 : t.in_h;
  const int64_t want_w = (v.axes & 2) ? 1 : t.in_w;
  if (t.out_h != want_h || t.out_w != want_w) {
    return ctx.Fail(absl::StrCat("reduce output must be ", want_h, "x", want_w));
  }
  const int64_t out_c = (v.axes & 4) ? 1 : t.channels;
  const bool arg = v.op == isa::ReduceOp::kArgMax || v.op == isa::ReduceOp::kArgMin;
  if (arg && v.axes != 1 && v.axes != 2 && v.axes != 4) {
    return ctx.Fail("argmax/argmin reduce exactly one axis");
  }
  if (arg && t.out_dtype != isa::DType::kS32) return ctx.Fail("argmax/argmin write s32");
  if ((v.op == isa::ReduceOp::kMax || v.op == isa::ReduceOp::kMin) && t.out_dtype != t.in_dtype) {
    return ctx.Fail("max/min reduce needs out_dtype = in_dtype");
  }
  absl::StatusOr<SramTensor> src_or = AaeSource(ctx, v.src);
  if (!src_or.ok()) return src_or.status();
  const SramTensor src = *src_or;
  // Sum: one record, the requantize of the sums.
  const ByteBox record = Bytes(Space::kWeight, v.param, isa::kRecordBytes);
  absl::StatusOr<SramTensor> dst_or = AaeResult(ctx, v.dst, out_c, isa::DTypeBytes(t.out_dtype));
  if (!dst_or.ok()) return dst_or.status();
  const SramTensor dst = *dst_or;
  Lowered out = AaeOp(ctx, int64_t{t.in_h} * t.in_w * t.channels);
  out.footprint = {Reads(src, "aae src")};
  if (v.op == isa::ReduceOp::kSum) out.footprint.push_back(Reads(record, "aae param"));
  out.footprint.push_back(Writes(dst, "aae dst"));
  out.execute = [v, t, out_c, src, record, dst](ExecContext& ex) -> absl::Status {
    const std::vector<int64_t> shape = {t.in_h, t.in_w, t.channels};
    const std::vector<bool> reduced = {(v.axes & 1) != 0, (v.axes & 2) != 0, (v.axes & 4) != 0};
    const int64_t out_n = int64_t{t.out_h} * t.out_w * out_c;
    // A global sum over the pixels of int8 / int16 channels (average pooling, squeeze-excite):
    // straight from the channel-minor tensor in int64 (exact: |sum| < 2^15 * 2^32 pixels).
    if (v.op == isa::ReduceOp::kSum && v.axes == 3 &&
        (t.in_dtype == isa::DType::kS8 || t.in_dtype == isa::DType::kS16)) {
      absl::StatusOr<numerics::RequantizeRecord> rec =
          isa::UnpackRecord(ex.at(record.space, record.base));
      if (!rec.ok()) return ex.Error(rec.status().message());
      // Not a structured binding: the lambda below uses them (clang 14 cannot capture one).
      const std::pair<int64_t, int64_t> range = DTypeRange(t.out_dtype);
      const int64_t lo = range.first, hi = range.second;
      thread_local std::vector<int64_t> sums;
      sums.assign(static_cast<size_t>(t.channels), 0);
      WithType(t.in_dtype, [&](auto tag) {
        using T = decltype(tag);
        for (int64_t y = 0; y < t.in_h; ++y) {
          for (int64_t x = 0; x < t.in_w; ++x) {
            const T* row = reinterpret_cast<const T*>(ex.at(src.space, src.At(y, x, 0)));
            for (int64_t c = 0; c < t.channels; ++c) sums[static_cast<size_t>(c)] += row[c];
          }
        }
        return 0;
      });
      WithType(t.out_dtype, [&](auto tag) {  // dst is one pixel of channels
        using T = decltype(tag);
        T* out = reinterpret_cast<T*>(ex.at(dst.space, dst.At(0, 0, 0)));
        for (int64_t c = 0; c < t.channels; ++c) {
          out[c] = static_cast<T>(numerics::Requantize(sums[static_cast<size_t>(c)], *rec, lo, hi));
        }
        return 0;
      });
      return absl::OkStatus();
    }
    // Widened to int64 (exact for every input type; min = -max(-x) cannot overflow).
    std::vector<int64_t> in = WithType(t.in_dtype, [&](auto tag) {
      using T = decltype(tag);
      const std::vector<T> hwc = Gather<T>(ex, src);
      return std::vector<int64_t>(hwc.begin(), hwc.end());
    });
    std::vector<int64_t> values(out_n);
    switch (v.op) {
      case isa::ReduceOp::kSum: {
        absl::StatusOr<numerics::RequantizeRecord> rec =
            isa::UnpackRecord(ex.at(record.space, record.base));
        if (!rec.ok()) return ex.Error(rec.status().message());
        const auto [lo, hi] = DTypeRange(t.out_dtype);
        std::vector<__int128> sums(out_n, 0);
        for (int64_t y = 0; y < t.in_h; ++y)
          for (int64_t x = 0; x < t.in_w; ++x)
            for (int64_t c = 0; c < t.channels; ++c) {
              const int64_t o = ((reduced[0] ? 0 : y) * t.out_w + (reduced[1] ? 0 : x)) * out_c +
                                (reduced[2] ? 0 : c);
              sums[o] += in[(y * t.in_w + x) * t.channels + c];
            }
        for (int64_t o = 0; o < out_n; ++o) {
          const __int128 s = sums[o];
          const int64_t s64 = s > INT64_MAX   ? INT64_MAX
                              : s < INT64_MIN ? INT64_MIN
                                              : static_cast<int64_t>(s);
          values[o] = numerics::Requantize(s64, *rec, lo, hi);
        }
        break;
      }
      case isa::ReduceOp::kMax:
        numerics::ReduceMax(in.data(), shape, reduced, values.data());
        break;
      case isa::ReduceOp::kMin:
        for (auto& x : in) x = -x;
        numerics::ReduceMax(in.data(), shape, reduced, values.data());
        for (auto& x : values) x = -x;
        break;
      case isa::ReduceOp::kArgMax:
      case isa::ReduceOp::kArgMin: {
        if (v.op == isa::ReduceOp::kArgMin)
          for (auto& x : in) x = -x;
        const int axis = reduced[0] ? 0 : reduced[1] ? 1 : 2;
        int64_t outer = 1, inner = 1;
        for (int d = 0; d < axis; ++d) outer *= shape[d];
        for (int d = axis + 1; d < 3; ++d) inner *= shape[d];
        numerics::ArgMax(in.data(), outer, shape[axis], inner, v.select_last, values.data());
        break;
      }
    }
    for (int64_t p = 0; p < int64_t{t.out_h} * t.out_w; ++p)
      for (int64_t c = 0; c < out_c; ++c)
        WriteElem(ex.at(dst.space, dst.At(p, c)), t.out_dtype, values[p * out_c + c]);
    return absl::OkStatus();
  };
  return out;
}

absl::StatusOr<Lowered> Lower(const isa::AaeTopK& v, Lowering& ctx) {
  const isa::AaeTile& t = ctx.regs.aae_tile;
  const int64_t dims[3] = {t.in_h, t.in_w, t.channels};
  if (v.k > dims[v.axis]) {
    return ctx.Fail(absl::StrCat("k ", v.k, " exceeds the axis size ", dims[v.axis]));
  }
  if (t.in_dtype != t.out_dtype) return ctx.Fail("topk needs out_dtype = in_dtype");
  const int64_t want_h = v.axis == 0 ? v.k : t.in_h;
  const int64_t want_w = v.axis == 1 ? v.k : t.in_w;
  if (t.out_h != want_h || t.out_w != want_w) {
    return ctx.Fail(absl::StrCat("topk output must be ", want_h, "x", want_w));
  }
  const int64_t out_c = v.axis == 2 ? v.k : t.channels;
  absl::StatusOr<SramTensor> src_or = AaeSource(ctx, v.src);
  if (!src_or.ok()) return src_or.status();
  const SramTensor src = *src_or;
  absl::StatusOr<SramTensor> values_or = AaeResult(ctx, v.dst, out_c, isa::DTypeBytes(t.out_dtype));
  if (!values_or.ok()) return values_or.status();
  const SramTensor values = *values_or;
  absl::StatusOr<SramTensor> indices_or = AaeResult(ctx, v.indices, out_c, 4, /*pitched=*/false);
  if (!indices_or.ok()) return indices_or.status();
  const SramTensor indices = *indices_or;
  // k selection passes over the input.
  Lowered out = AaeOp(ctx, int64_t{t.in_h} * t.in_w * t.channels * v.k);
  out.footprint = {Reads(src, "topk src"), Writes(values, "topk values"),
                   Writes(indices, "topk indices")};
  out.execute = [v, t, src, values, indices](ExecContext& ex) {
    const int64_t dims[3] = {t.in_h, t.in_w, t.channels};
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < v.axis; ++d) outer *= dims[d];
    for (int d = v.axis + 1; d < 3; ++d) inner *= dims[d];
    const int64_t out_n = outer * v.k * inner;
    std::vector<int64_t> idx(out_n);
    return WithType(t.in_dtype, [&](auto tag) -> absl::Status {
      using T = decltype(tag);
      const std::vector<T> in = Gather<T>(ex, src);
      std::vector<T> top(out_n);
      numerics::TopK(in.data(), outer, dims[v.axis], inner, v.k, v.largest, top.data(), idx.data());
      // [outer][k][inner] is the row-major [out_h][out_w][out_c] output.
      Scatter(ex, top, values);
      Scatter(ex, std::vector<int32_t>(idx.begin(), idx.end()), indices);
      return absl::OkStatus();
    });
  };
  return out;
}

}  // namespace openbpu::sim::units
