// Pad (constant mode) of H and W: the DMA adds the padding while loading (pad_value = the
// node's quantized constant, qparams::Pad), and the padded tile is stored whole. Reflect and edge
// modes copy input elements only: the data movement lowering. Constant pads of N or C are not
// lowered yet.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiler/backend/lowering.h"
#include "compiler/ops/qparams.h"

namespace openbpu::backend {
namespace {

absl::Status LowerPad(const ir::Node& node, LowerContext& ctx) {
  Emitter& e = ctx.emit();
  absl::StatusOr<Buffer> x = ctx.BufferOf(node, node.input(0));
  if (!x.ok()) return x.status();
  absl::StatusOr<Buffer> y = ctx.BufferOf(node, node.output(0));
  if (!y.ok()) return y.status();
  // Reflect and edge padding copy input elements: data movement.
  if (node.attrs().GetString("mode", "constant") != "constant") return LowerDataMovement(node, ctx);
  if (node.input(0)->type().shape.size() != 4 || node.input(1) == nullptr ||
      !node.input(1)->is_constant()) {
    return absl::UnimplementedError("Pad of rank-4 inputs with constant pads only");
  }
  if (node.num_inputs() > 3 && node.input(3) != nullptr) {
    return absl::UnimplementedError("Pad with an axes input");
  }
  const std::vector<int64_t> pads = node.input(1)->constant().ToInt64Vector();
  if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5]) {
    return absl::UnimplementedError("Pad of other axes than H and W");
  }
  const int64_t pt = pads[2], pl = pads[3], pb = pads[6], pr = pads[7];
  if (std::min({pt, pl, pb, pr}) < 0) return absl::UnimplementedError("negative pads (a crop)");
  if (std::max({pt, pl, pb, pr}) > 31) return absl::UnimplementedError("pads above 31");
  absl::StatusOr<ops::qparams::Pad> value = ops::qparams::Load<ops::qparams::Pad>(node);
  if (!value.ok()) return value.status();
  const int64_t pitch = Align16(x->c * x->esize());
  const int64_t sram = ctx.march().feature_sram_bytes.value;
  // Output rows per tile: the padded tile in the feature SRAM.
  int64_t rows = y->h;
  while (rows > 1 && (rows * y->w * pitch > sram || rows > 16383)) rows = (rows + 1) / 2;
  if (rows * y->w * pitch > sram) return absl::ResourceExhaustedError("one row does not fit");
  for (int64_t n = 0; n < x->n; ++n) {
    for (int64_t o0 = 0; o0 < y->h; o0 += rows) {
      const int64_t r = std::min(rows, y->h - o0);
      // Output rows [o0, o0 + r) are input rows [o0 - pt, o0 + r - pt).
      const int64_t first = o0 - pt, last = o0 + r - 1 - pt;
      const int64_t lo = std::max<int64_t>(0, first), hi = std::min<int64_t>(x->h - 1, last);
      Emitter::Box in;
      in.width = x->w;
      in.channels = x->c;
      in.esize = x->esize();
      in.full_width = x->w;
      in.full_channels = x->c;
      in.pad_left = pl;
      in.pad_right = pr;
      in.pitch = pitch;
      if (hi >= lo) {
        in.rows = hi - lo + 1;
        in.pad_top = lo - first;
        in.pad_bottom = last - hi;
        e.Config(absl::StrCat("load.shape elem=", in.esize, " n0=", in.channels, " n1=", in.width,
                              " n2=", in.rows, " pad_top=", in.pad_top,
                              " pad_bottom=", in.pad_bottom, " pad_left=", pl, " pad_right=", pr,
                              " pad_value=", value->value));
        e.Config(absl::StrCat("load.stride ddr_s1=", x->c * x->esize(),
                              " ddr_s2=", x->w * x->c * x->esize(), " sram_s1=", pitch,
                              " sram_s2=", y->w * pitch));
        e.Data(absl::StrCat("load dst_space=feature dst=0 region=", x->region,
                            " offset=", x->At(n, lo)),
               {Emitter::Write("feature", 0, r * y->w * pitch),
                Emitter::Read(absl::StrCat("ddr:", x->region), static_cast<int64_t>(x->At(n, lo)),
                              in.rows * x->w * x->c * x->esize())});
      } else {
        return absl::UnimplementedError("a tile of padding rows only");
      }
      Emitter::Box out;
      out.rows = r;
      out.width = y->w;
      out.channels = y->c;
      out.esize = y->esize();
      out.full_width = y->w;
      out.full_channels = y->c;
      out.pitch = pitch;
      e.StoreBox(y->region.c_str(), y->At(n, o0), 0, out);
    }
  }
  return absl::OkStatus();
}

OPENBPU_REGISTER_LOWERING(Pad, "Pad", LowerPad);

}  // namespace
}  // namespace openbpu::backend
