// MatMul (numpy semantics: 1-D promotion, broadcast batch dimensions) on the TAE (tae.mmcfg /
// tae.matmul): int8 x int8 into int32 accumulators, int16 x int8 and (ISA 1.1, b_dtype s16)
// int16 x int16 into int64 accumulators, requantized per output column by vae.requant with the
// node's Requant records, as the quantized reference's MatMul kernel (exact int64 dot products,
// then the shared epilogue) does.
//
// DDR values are dense NHWC with the dimensions after C folded (BufferFor): the matrix dims of a
// [.., M, K] value are not row-major in general (a rank-3 [B, M, K] value is [B][K][M]), so every
// operand tile moves by a 2-D strided DMA computed from the value's NHWC element strides (an
// element-strided gather when the inner dimension is not contiguous). Per batch matrix and per
// tile of N columns, B's tile (a constant B packed [N][K] per batch matrix in the parameter blob,
// a run-time B gathered from DDR) and the columns' RequantParams sit in the weight SRAM; M rows
// are tiled over the feature and accumulator SRAMs (double-buffered at O2) and K is split with
// `accumulate` when a tile's operands do not fit otherwise.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/backend/lowering.h"
#include "compiler/ops/qparams.h"
#include "isa/records.h"

namespace openbpu::backend {
namespace {

// A matrix operand: per broadcast batch index its base element offset, plus row / column strides.
struct Operand {
  std::string region;
  uint64_t offset = 0;  // bytes of element 0
  std::vector<int64_t> batch_base;
  int64_t row_stride = 0, col_stride = 0;  // elements
};

// Base offsets over the broadcast batch `batch` of an operand whose own batch dims are `own`
// (right-aligned, size-1 dims broadcast) with element strides `strides` (of those dims).
std::vector<int64_t> BatchBases(const Shape& batch, const Shape& own,
                                const std::vector<int64_t>& strides) {
  int64_t total = 1;
  for (int64_t d : batch) total *= d;
  std::vector<int64_t> out(static_cast<size_t>(total), 0);
  const size_t off = batch.size() - own.size();
  for (int64_t i = 0; i < total; ++i) {
    int64_t rem = i, base = 0;
    for (size_t d = batch.size(); d-- > 0;) {
      const int64_t idx = rem % batch[d];
      rem /= batch[d];
      if (d >= off && own[d - off] != 1) base += idx * strides[d - off];
    }
    out[static_cast<size_t>(i)] = base;
  }
  return out;
}

// A [rows][cols] box of `es`-byte elements between DDR (`region` + `offset` bytes, element
// strides row_stride / col_stride) and SRAM (`space` + `sram`, row pitch `pitch` bytes, elements
// contiguous): one DMA, with element-sized runs when the DDR columns are not contiguous.
void Move2D(Emitter& e, bool load, const std::string& region, uint64_t offset, const char* space,
            int64_t sram, int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride,
            int64_t pitch, int64_t es = 1) {
  const char* unit = load ? "load" : "store";
  const int64_t rs = rows > 1 ? row_stride * es : 0;
  if (col_stride == 1 || cols == 1) {
    e.Config(absl::StrCat(unit, ".shape elem=", es, " n0=", cols, " n1=", rows, " n2=1"));
    e.Config(absl::StrCat(unit, ".stride ddr_s1=", rs, " ddr_s2=0 sram_s1=", pitch, " sram_s2=0"));
  } else {
    e.Config(absl::StrCat(unit, ".shape elem=", es, " n0=1 n1=", cols, " n2=", rows));
    e.Config(absl::StrCat(unit, ".stride ddr_s1=", col_stride * es, " ddr_s2=", rs, " sram_s1=", es,
                          " sram_s2=", pitch));
  }
  const int64_t ddr_bytes = ((rows - 1) * row_stride + (cols - 1) * col_stride + 1) * es;
  const int64_t sram_bytes = (rows - 1) * pitch + cols * es;
  std::vector<Emitter::Access> acc;
  if (region != "param") {
    const std::string ddr = absl::StrCat("ddr:", region);
    acc.push_back(load ? Emitter::Read(ddr, static_cast<int64_t>(offset), ddr_bytes)
                       : Emitter::Write(ddr, static_cast<int64_t>(offset), ddr_bytes));
  }
  acc.push_back(load ? Emitter::Write(space, sram, sram_bytes)
                     : Emitter::Read(space, sram, sram_bytes));
  if (load) {
    e.Data(absl::StrCat("load dst_space=", space, " dst=", sram, " region=", region,
                        " offset=", offset),
           std::move(acc));
  } else {
    e.Data(absl::StrCat("store src_space=", space, " src=", sram, " region=", region,
                        " offset=", offset),
           std::move(acc));
  }
}

// The operands of a matmul lowering: A [.., M, K] (a run-time value; with trans_a a 2-D [K, M]
// read transposed), B [.., K, N] (a run-time value, or a constant tensor), one RequantParam per
// output column (the bias folded in), and an optional residual `sumin` of the output's shape
// (vae.requant_sumin).
struct MatMulArgs {
  const ir::Value* a = nullptr;
  bool trans_a = false;
  const ir::Value* b = nullptr;  // run-time B, or null with b_const
  const Tensor* b_const = nullptr;
  std::vector<isa::RequantParam> records;
  const ir::Value* sumin = nullptr;
};

absl::Status LowerMatMulCore(const ir::Node& node, LowerContext& ctx, const MatMulArgs& args) {
  Emitter& e = ctx.emit();
  const isa::March& march = ctx.march();
  const ir::Value* av = args.a;
  // int8 x int8 (int32 accumulators), int16 x int8 and int16 x int16 (ISA 1.1 tae.mmcfg
  // b_dtype s16; int64 accumulators, exact like the reference's int64 dot products).
  const DType adt = av->type().dtype;
  const DType bdt = args.b_const != nullptr ? args.b_const->dtype() : args.b->type().dtype;
  const bool a16 = adt == DType::kInt16, b16 = bdt == DType::kInt16;
  if ((adt != DType::kInt8 && !a16) || (bdt != DType::kInt8 && !b16) || (b16 && !a16)) {
    return absl::UnimplementedError(absl::StrCat("MatMul of ", DTypeName(adt), " x ",
                                                 DTypeName(bdt),
                                                 ": int8 x int8, int16 x int8 and int16 x int16 "
                                                 "are lowered (tae.matmul has no s8 A x s16 B)"));
  }
  if (a16 && !march.int16_activations.value) {
    return absl::UnimplementedError(
        absl::StrCat("an int16 MatMul on ", march.name, " (no int16 activations)"));
  }
  const int64_t aes = a16 ? 2 : 1, bes = b16 ? 2 : 1, acc_es = a16 ? 8 : 4;
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  Buffer s;  // the residual, when fused
  if (args.sumin != nullptr) {
    absl::StatusOr<Buffer> sb = ctx.BufferOf(node, args.sumin);
    if (!sb.ok()) return sb.status();
    s = *sb;
    if (args.sumin->type().shape != node.output(0)->type().shape) {
      return absl::InvalidArgumentError("sumin differs from the output's shape");
    }
  }

  Shape as = av->type().shape;
  if (args.trans_a) {
    if (as.size() != 2) return absl::InvalidArgumentError("a transposed A of rank other than 2");
    std::swap(as[0], as[1]);
  }
  const Shape& bs = args.b_const != nullptr ? args.b_const->shape() : args.b->type().shape;
  const Shape& ys = node.output(0)->type().shape;
  if (as.empty() || bs.empty()) return absl::InvalidArgumentError("a rank-0 MatMul operand");
  const size_t ra = as.size(), rb = bs.size();
  const int64_t m = ra == 1 ? 1 : as[ra - 2], k = as.back();
  const int64_t kb = rb == 1 ? bs[0] : bs[rb - 2], n = rb == 1 ? 1 : bs.back();
  if (k != kb) return absl::InvalidArgumentError("A and B disagree on K");
  const Shape ab(as.begin(), as.end() - std::min<size_t>(ra, 2));
  const Shape bb(bs.begin(), bs.end() - std::min<size_t>(rb, 2));
  Shape batch(std::max(ab.size(), bb.size()), 1);
  for (size_t d = 0; d < batch.size(); ++d) {
    const size_t ia = d + ab.size(), ib = d + bb.size();
    const int64_t da = ia >= batch.size() ? ab[ia - batch.size()] : 1;
    const int64_t db = ib >= batch.size() ? bb[ib - batch.size()] : 1;
    if (da != db && da != 1 && db != 1) return absl::InvalidArgumentError("batch mismatch");
    batch[d] = std::max(da, db);
  }
  if (static_cast<int64_t>(args.records.size()) != n) {
    return absl::InvalidArgumentError("requantize records do not match the output columns");
  }
  if (!a16 && k >= (int64_t{1} << 17)) {
    return absl::UnimplementedError("K of 2^17 or more overflows the int32 accumulators");
  }

  // A.
  Operand a;
  {
    absl::StatusOr<Buffer> buf = ctx.BufferOf(node, av);
    if (!buf.ok()) return buf.status();
    const std::vector<int64_t> s = LayoutStrides(av->type().shape);
    a.region = buf->region;
    a.offset = buf->offset;
    a.row_stride = ra == 1 ? 0 : s[ra - 2];
    a.col_stride = s[ra - 1];
    if (args.trans_a) std::swap(a.row_stride, a.col_stride);
    a.batch_base = BatchBases(batch, ab, std::vector<int64_t>(s.begin(), s.begin() + ab.size()));
  }
  // B as [N][K] rows (row = output column j, col = t).
  Operand b;
  if (args.b_const != nullptr) {
    const Tensor& t = *args.b_const;
    const std::vector<int64_t> vals = t.ToInt64Vector();
    int64_t mats = 1;
    for (int64_t d : bb) mats *= d;
    std::vector<int64_t> bases;
    for (int64_t i = 0; i < mats; ++i) {
      // [N][K] elements of bes little-endian bytes.
      std::vector<uint8_t> blob(static_cast<size_t>(n * k * bes));
      for (int64_t tk = 0; tk < k; ++tk) {
        for (int64_t j = 0; j < n; ++j) {
          const uint16_t v =
              static_cast<uint16_t>(static_cast<int16_t>(vals[(i * k + tk) * n + j]));
          for (int64_t byte = 0; byte < bes; ++byte) {
            blob[static_cast<size_t>((j * k + tk) * bes + byte)] =
                static_cast<uint8_t>(v >> (8 * byte));
          }
        }
      }
      bases.push_back(static_cast<int64_t>(e.AddParams(blob)));
    }
    // Batch strides of the packed matrices: bases are per dense batch index of B.
    std::vector<int64_t> idx = BatchBases(batch, bb, [&] {
      std::vector<int64_t> st(bb.size(), 0);
      int64_t inner = 1;
      for (size_t d = bb.size(); d-- > 0;) {
        st[d] = inner;
        inner *= bb[d];
      }
      return st;
    }());
    b.region = "param";
    b.offset = 0;
    // Element offsets (the packed matrices are 16-byte aligned, so whole elements).
    for (int64_t i : idx) b.batch_base.push_back(bases[static_cast<size_t>(i)] / bes);
    b.row_stride = k;
    b.col_stride = 1;
  } else {
    absl::StatusOr<Buffer> buf = ctx.BufferOf(node, args.b);
    if (!buf.ok()) return buf.status();
    const std::vector<int64_t> s = LayoutStrides(bs);
    b.region = buf->region;
    b.offset = buf->offset;
    b.row_stride = rb == 1 ? 0 : s[rb - 1];     // along N
    b.col_stride = rb == 1 ? s[0] : s[rb - 2];  // along K
    b.batch_base = BatchBases(batch, bb, std::vector<int64_t>(s.begin(), s.begin() + bb.size()));
  }
  // Y as [M][N].
  Operand out;
  {
    const std::vector<int64_t> s = LayoutStrides(ys);
    const size_t ry = ys.size();
    out.region = y->region;
    out.offset = y->offset;
    out.col_stride = rb == 1 ? 0 : s[ry - 1];
    out.row_stride = ra == 1 ? 0 : s[ry - (rb == 1 ? 1 : 2)];
    out.batch_base =
        BatchBases(batch, batch, std::vector<int64_t>(s.begin(), s.begin() + batch.size()));
  }
  const int64_t yes = y->esize();
  const int64_t ses = args.sumin != nullptr ? s.esize() : 0;

  // B in [k][n] form (b_kn) when its N columns are contiguous and its K rows are not.
  const bool b_kn = b.row_stride == 1 && b.col_stride != 1 && n > 1;

  // Tiles: weight SRAM holds B's [nt][kt] and nt RequantParams; feature SRAM A [mt][kt], Y
  // [mt][nt] (and sumin [mt][nt]); accumulator SRAM [mt][nt] int32 (A, Y, sumin and acc
  // double-buffered at O2).
  const int64_t buffers = e.overlap() ? 2 : 1;
  const int64_t feature = march.feature_sram_bytes.value / buffers;
  const int64_t acc_sram = march.acc_sram_bytes.value / buffers;
  const int64_t weight = march.weight_sram_bytes.value;
  int64_t mt = std::min<int64_t>(m, 4096), nt = std::min<int64_t>(n, 4096),
          kt = std::min<int64_t>(k, 4096);
  auto half = [](int64_t v) { return (v + 1) / 2; };
  auto weight_fits = [&] {
    return Align16(nt * kt * bes) + nt * isa::kRequantParamBytes <= weight;
  };
  auto a_bytes = [&] { return Align16(mt * Align16(kt * aes)); };
  auto y_bytes = [&] { return Align16(mt * Align16(nt * yes)); };
  auto s_bytes = [&] { return ses > 0 ? Align16(mt * Align16(nt * ses)) : 0; };
  auto acc_bytes = [&] { return mt * Align16(nt * acc_es); };
  auto feature_fits = [&] {
    return a_bytes() + y_bytes() + s_bytes() <= feature && acc_bytes() <= acc_sram;
  };
  for (int guard = 0; guard < 200 && !(weight_fits() && feature_fits()); ++guard) {
    if (!weight_fits()) {
      if (nt > 16) {
        nt = half(nt);
      } else if (kt > 16) {
        kt = half(kt);
      } else if (nt > 1) {
        nt = half(nt);
      } else {
        kt = half(kt);
      }
    } else if (mt > 16) {
      mt = half(mt);
    } else if (nt > 16) {
      nt = half(nt);
    } else if (kt > 16) {
      kt = half(kt);
    } else if (mt > 1) {
      mt = half(mt);
    } else if (nt > 1) {
      nt = half(nt);
    } else {
      kt = half(kt);
    }
  }
  if (!weight_fits() || !feature_fits()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("a MatMul tile does not fit the ", march.name, " SRAMs"));
  }
  for (const Operand* o : {&a, &b, &out}) {
    const int64_t es = std::max({yes, aes, bes});
    if (o->row_stride * es >= (1 << 24) || o->col_stride * es >= (1 << 24)) {
      return absl::UnimplementedError("a MatMul operand stride beyond the DMA's 24 bits");
    }
  }
  const bool k_split = kt < k;

  std::vector<uint8_t> params(static_cast<size_t>(n * isa::kRequantParamBytes));
  for (int64_t j = 0; j < n; ++j) {
    isa::PackRequantParam(args.records[static_cast<size_t>(j)],
                          params.data() + j * isa::kRequantParamBytes);
  }
  const uint64_t params_at = e.AddParams(params);

  std::string mmcfg;
  int64_t tile = 0;
  for (size_t bi = 0; bi < a.batch_base.size(); ++bi) {
    for (int64_t n0 = 0; n0 < n; n0 += nt) {
      const int64_t nc = std::min(nt, n - n0);
      const int64_t param_at = Align16(nt * kt * bes);
      e.LoadParams("weight", static_cast<uint64_t>(param_at),
                   params_at + static_cast<uint64_t>(n0 * isa::kRequantParamBytes),
                   static_cast<uint64_t>(nc * isa::kRequantParamBytes));
      for (int64_t m0 = 0; m0 < m; m0 += mt, ++tile) {
        const int64_t mc = std::min(mt, m - m0);
        const int64_t parity = tile % buffers;
        const int64_t a_at = parity * feature;
        const int64_t y_at = a_at + a_bytes();
        const int64_t acc_at = parity * acc_sram;
        const int64_t acc_len = mc * Align16(nc * acc_es);
        for (int64_t k0 = 0; k0 < k; k0 += kt) {
          const int64_t kc = std::min(kt, k - k0);
          if (k_split || m0 == 0) {
            const uint64_t boff =
                b.offset + static_cast<uint64_t>(
                               (b.batch_base[bi] + n0 * b.row_stride + k0 * b.col_stride) * bes);
            if (b_kn) {
              Move2D(e, true, b.region, boff, "weight", 0, kc, nc, b.col_stride, b.row_stride,
                     nc * bes, bes);
            } else {
              Move2D(e, true, b.region, boff, "weight", 0, nc, kc, b.row_stride, b.col_stride,
                     kc * bes, bes);
            }
          }
          const uint64_t aoff =
              a.offset + static_cast<uint64_t>(
                             (a.batch_base[bi] + m0 * a.row_stride + k0 * a.col_stride) * aes);
          Move2D(e, true, a.region, aoff, "feature", a_at, mc, kc, a.row_stride, a.col_stride,
                 Align16(kc * aes), aes);
          std::string cfg =
              absl::StrCat("tae.mmcfg m=", mc, " k=", kc, " n=", nc,
                           " a_dtype=", a16 ? "s16" : "s8", " b_space=weight b_kn=", b_kn ? 1 : 0);
          if (b16) absl::StrAppend(&cfg, " b_dtype=s16");
          if (cfg != mmcfg) {
            e.Config(cfg);
            mmcfg = cfg;
          }
          std::vector<Emitter::Access> acc = {
              Emitter::Read("feature", a_at, mc * Align16(kc * aes)),
              Emitter::Read("weight", 0, nc * kc * bes), Emitter::Write("acc", acc_at, acc_len)};
          if (k0 > 0) acc.push_back(Emitter::Read("acc", acc_at, acc_len));
          e.Data(absl::StrCat("tae.matmul a=", a_at, " b=0 acc=", acc_at,
                              " accumulate=", k0 > 0 ? 1 : 0),
                 std::move(acc));
        }
        const int64_t tile_at = out.batch_base[bi] + m0 * out.row_stride + n0 * out.col_stride;
        std::vector<Emitter::Access> rq = {
            Emitter::Read("acc", acc_at, acc_len),
            Emitter::Read("weight", param_at, nc * isa::kRequantParamBytes),
            Emitter::Write("feature", y_at, mc * Align16(nc * yes))};
        if (args.sumin != nullptr) {
          // The residual's tile, in the output's element order (its shape is the output's).
          const int64_t s_at = y_at + y_bytes();
          Move2D(e, true, s.region, s.offset + static_cast<uint64_t>(tile_at * ses), "feature",
                 s_at, mc, nc, out.row_stride, out.col_stride, Align16(nc * ses), ses);
          e.Config(absl::StrCat("vae.cfg pixels=", mc, " channels=", nc,
                                " x_dtype=", a16 ? "s64" : "s32", " y_dtype=", AsmDType(s.dtype),
                                " out_dtype=", AsmDType(y->dtype)));
          rq.push_back(Emitter::Read("feature", s_at, mc * Align16(nc * ses)));
          e.Data(absl::StrCat("vae.requant_sumin src=", acc_at, " dst=", y_at, " param=", param_at,
                              " sumin=", s_at),
                 std::move(rq));
        } else {
          e.Config(absl::StrCat("vae.cfg pixels=", mc, " channels=", nc, " x_dtype=",
                                a16 ? "s64" : "s32", " out_dtype=", AsmDType(y->dtype)));
          e.Data(absl::StrCat("vae.requant src=", acc_at, " dst=", y_at, " param=", param_at),
                 std::move(rq));
        }
        const uint64_t yoff = out.offset + static_cast<uint64_t>(tile_at * yes);
        Move2D(e, false, out.region, yoff, "feature", y_at, mc, nc, out.row_stride, out.col_stride,
               Align16(nc * yes), yes);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status LowerMatMul(const ir::Node& node, LowerContext& ctx) {
  absl::StatusOr<ops::qparams::Requant> requant = ops::qparams::Load<ops::qparams::Requant>(node);
  if (!requant.ok()) return requant.status();
  MatMulArgs args;
  args.a = node.input(0);
  const ir::Value* bv = node.input(1);
  if (bv->is_constant()) {
    args.b_const = &bv->constant();
  } else {
    args.b = bv;
  }
  args.records = requant->channels;
  return LowerMatMulCore(node, ctx, args);
}

OPENBPU_REGISTER_LOWERING(MatMul, "MatMul", LowerMatMul);

}  // namespace

absl::Status LowerLinearAsMatMul(const ir::Node& node, LowerContext& ctx, const Tensor& weight,
                                 const Tensor* bias, const ir::Value* sumin, bool trans_a) {
  absl::StatusOr<ops::qparams::Requant> requant = ops::qparams::Load<ops::qparams::Requant>(node);
  if (!requant.ok()) return requant.status();
  if (weight.rank() != 2 || weight.dtype() != DType::kInt8) {
    return absl::InvalidArgumentError("the weight must be a 2-D int8 tensor");
  }
  const int64_t m = weight.dim(0), k = weight.dim(1);
  if (static_cast<int64_t>(requant->channels.size()) != m ||
      (bias != nullptr && bias->num_elements() != m)) {
    return absl::InvalidArgumentError("weight / parameters do not match the output features");
  }
  // B = W^T [K][M]; the bias joins each column's record (vae.requant adds it to the exact sum,
  // as the reference starts its accumulators at the bias).
  Tensor bt(DType::kInt8, {k, m});
  for (int64_t o = 0; o < m; ++o) {
    for (int64_t t = 0; t < k; ++t) bt.data<int8_t>()[t * m + o] = weight.data<int8_t>()[o * k + t];
  }
  MatMulArgs args;
  args.a = node.input(0);
  args.trans_a = trans_a;
  args.b_const = &bt;
  args.records = requant->channels;
  if (bias != nullptr) {
    const std::vector<int64_t> bv = bias->ToInt64Vector();
    for (int64_t o = 0; o < m; ++o) {
      if (bv[o] < INT32_MIN || bv[o] > INT32_MAX) {
        return absl::InvalidArgumentError("bias outside int32");
      }
      args.records[o].bias = static_cast<int32_t>(bv[o]);
    }
  }
  args.sumin = sumin;
  return LowerMatMulCore(node, ctx, args);
}

}  // namespace openbpu::backend
