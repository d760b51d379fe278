// Concat on the VAE: each input is requantized to the output scale (vae.requant of s8/s16 x, one
// RequantParam per channel holding the input's record) and stored into its slice of the output
// (channels, rows or columns of the NHWC buffer) by a strided STORE; an input already at the
// output's scale and dtype is only loaded and stored.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/backend/lowering.h"
#include "compiler/ops/qparams.h"
#include "isa/numerics/requantize.h"
#include "isa/records.h"

namespace openbpu::backend {
namespace {

absl::Status LowerConcat(const ir::Node& node, LowerContext& ctx) {
  Emitter& e = ctx.emit();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  absl::StatusOr<ops::qparams::InputRecords> records =
      ops::qparams::Load<ops::qparams::InputRecords>(node);
  if (!records.ok()) return records.status();
  if (static_cast<int>(records->records.size()) != node.num_inputs()) {
    return absl::InvalidArgumentError("one requantize record per input expected");
  }
  const int rank = static_cast<int>(node.output(0)->type().shape.size());
  int64_t axis = node.attrs().GetInt("axis", 0);
  if (axis < 0) axis += rank;
  // Which Buffer dimension the axis is: 1 -> c, last (rank >= 3) -> w, rank 4 axis 2 -> h.
  enum { kC, kH, kW } dim;
  if (axis == 1) {
    dim = kC;
  } else if (rank >= 3 && axis == rank - 1) {
    dim = kW;
  } else if (rank == 4 && axis == 2) {
    dim = kH;
  } else {
    return absl::UnimplementedError(absl::StrCat("Concat along axis ", axis, " of rank ", rank));
  }
  const int64_t half = ctx.march().feature_sram_bytes.value / 2;
  int64_t offset = 0;  // along the axis
  for (int i = 0; i < node.num_inputs(); ++i) {
    absl::StatusOr<Buffer> x = ctx.BufferOf(node, node.input(i));
    if (!x.ok()) return x.status();
    if (x->cs != 0) {  // written in place by its producer (compile.cc): nothing to move
      offset += x->c;
      continue;
    }
    // An input already at the output's scale and dtype (bpu quantize --unify-concat-scales) is
    // moved, not requantized: the record is exactly 1 (2^30 * 2^-30).
    const bool move_only =
        x->dtype == y->dtype && records->records[i] == numerics::RequantizeRecord{1 << 30, 30};
    std::vector<uint8_t> params(static_cast<size_t>(x->c * isa::kRequantParamBytes));
    for (int64_t c = 0; c < x->c; ++c) {
      isa::RequantParam p;
      p.acc = records->records[i];
      isa::PackRequantParam(p, params.data() + c * isa::kRequantParamBytes);
    }
    if (!move_only) {
      const uint64_t at = e.AddParams(params);
      e.LoadParams("weight", 0, at, params.size());
    }
    const int64_t in_pitch = Align16(x->c * x->esize()), out_pitch = Align16(x->c * y->esize());
    int64_t rows = x->h;
    while (rows > 1 &&
           (rows * x->w * std::max(in_pitch, out_pitch) > half || rows * x->w > 16383)) {
      rows = (rows + 1) / 2;
    }
    if (rows * x->w * std::max(in_pitch, out_pitch) > half) {
      return absl::ResourceExhaustedError("one row of a Concat input does not fit");
    }
    for (int64_t n = 0; n < x->n; ++n) {
      for (int64_t r0 = 0; r0 < x->h; r0 += rows) {
        const int64_t r = std::min(rows, x->h - r0);
        const Emitter::Box in = RowsOf(*x, r, x->c);
        e.LoadBox(x->region.c_str(), x->At(n, r0), 0, in);
        if (!move_only) {
          e.Config(absl::StrCat("vae.cfg pixels=", r * x->w, " channels=", x->c, " x_dtype=",
                                AsmDType(x->dtype), " out_dtype=", AsmDType(y->dtype)));
          e.Data(absl::StrCat("vae.requant src=0 dst=", half, " param=0"),
                 {Emitter::Read("feature", 0, r * x->w * in_pitch),
                  Emitter::Read("weight", 0, static_cast<int64_t>(params.size())),
                  Emitter::Write("feature", half, r * x->w * out_pitch)});
        }
        Emitter::Box out = in;
        out.esize = y->esize();
        out.pitch = out_pitch;
        out.full_width = y->w;
        out.full_channels = y->c;
        uint64_t to;
        if (dim == kC) {
          to = y->At(n, r0) + static_cast<uint64_t>(offset * y->esize());
        } else if (dim == kH) {
          to = y->At(n, offset + r0);
        } else {
          to = y->At(n, r0, offset);
        }
        e.StoreBox(y->region.c_str(), to, move_only ? 0 : half, out);
      }
    }
    offset += dim == kC ? x->c : dim == kH ? x->h : x->w;
  }
  return absl::OkStatus();
}

OPENBPU_REGISTER_LOWERING(Concat, "Concat", LowerConcat);

}  // namespace
}  // namespace openbpu::backend
