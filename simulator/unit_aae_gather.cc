// The AAE's ISA 1.1 gather with run-time indices (isa/ISA.md §4, AAE page 2): aae.gather.cfg
// sets the GATHER register, aae.gather moves `count` rows of `row` bytes from `src_space` at
// src + j * src_stride (j = indices[i], negative j counting from `limit`) to feature SRAM at
// dst + i * dst_stride. The indices are only known when it runs, so the footprint is the whole
// source range any index may reach; an index outside [-limit, limit) is an execution error
// naming i, found before anything is written.
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "simulator/units.h"

namespace openbpu::sim::units {

absl::StatusOr<Lowered> Lower(const isa::AaeGatherCfg& v, Lowering& ctx) {
  ctx.regs.aae_gather = v;
  return Lowered{};
}

absl::StatusOr<Lowered> Lower(const isa::AaeGather& g, Lowering& ctx) {
  const isa::AaeGatherCfg c = ctx.regs.aae_gather;
  const int idx_bytes = isa::DTypeBytes(c.idx_dtype);
  // The indices (count elements), every source row an index in [0, limit) can select, and the
  // count destination rows.
  const ByteBox indices = Bytes(Space::kFeature, g.indices, int64_t{c.count} * idx_bytes);
  const ByteBox src =
      Bytes(ToSpace(g.src_space), g.src, int64_t{c.limit - 1} * c.src_stride + int64_t{c.row});
  const ByteBox dst = {.space = Space::kFeature,
                       .base = static_cast<uint64_t>(g.dst),
                       .n1 = c.count,
                       .s1 = c.dst_stride,
                       .run = c.row};
  // ISA.md §4, "Elements processed": count x (row + 1): one lane per byte moved and one per
  // index read.
  Lowered out = AaeOp(ctx, int64_t{c.count} * (int64_t{c.row} + 1));
  out.footprint = {Reads(indices, "gather indices"), Reads(src, "gather src"),
                   Writes(dst, "gather dst")};
  out.execute = [c, g, idx_bytes](ExecContext& ex) -> absl::Status {
    const uint8_t* idx = ex.at(Space::kFeature, g.indices);
    std::vector<int64_t> rows(static_cast<size_t>(c.count));
    for (int64_t i = 0; i < c.count; ++i) {
      const int64_t j = ReadElem(idx + i * idx_bytes, c.idx_dtype);
      if (j < -int64_t{c.limit} || j >= c.limit) {
        return ex.Error(absl::StrCat("index ", i, " is ", j, ", outside [", -int64_t{c.limit}, ", ",
                                     c.limit, ")"));
      }
      rows[static_cast<size_t>(i)] = j < 0 ? j + c.limit : j;
    }
    // Every source byte is read before any destination byte is written.
    std::vector<uint8_t> tmp(static_cast<size_t>(c.count) * c.row);
    for (int64_t i = 0; i < c.count; ++i) {
      std::memcpy(tmp.data() + i * c.row,
                  ex.at(ToSpace(g.src_space), g.src + rows[static_cast<size_t>(i)] * c.src_stride),
                  static_cast<size_t>(c.row));
    }
    for (int64_t i = 0; i < c.count; ++i) {
      std::memcpy(ex.at(Space::kFeature, g.dst + i * c.dst_stride), tmp.data() + i * c.row,
                  static_cast<size_t>(c.row));
    }
    return absl::OkStatus();
  };
  return out;
}

}  // namespace openbpu::sim::units
