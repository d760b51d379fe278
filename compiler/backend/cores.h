// The split of a model's work over several BPU cores (bpu compile --core-num, ISA 1.2): one
// closed-form rule from the march table, used by the memory plan (compile.cc: which values stay
// in DDR) and by the conv lowering (lower/conv.cc: whether a layer splits). docs/BACKEND.md,
// "Two cores".
#ifndef OPENBPU_COMPILER_BACKEND_CORES_H_
#define OPENBPU_COMPILER_BACKEND_CORES_H_

#include <cstdint>
#include <functional>
#include <set>
#include <vector>

#include "compiler/ir/graph.h"
#include "isa/march.h"

namespace openbpu::backend {

// Cycles the other cores take off a convolution of `macs` MACs split over `cores` (its MACs at
// the TAE's sustained rate x (1 - 1/cores)).
double SplitSaving(const isa::March& march, int cores, double macs);
// Cycles a split adds: the cross-core waits, and `extra_ddr_bytes` through the DDR channel the
// cores share (at its sustained rate).
double SplitCost(const isa::March& march, int cores, double extra_ddr_bytes);

// How one convolution runs on `cores` cores: its units (images x output-channel groups) in
// contiguous blocks per core, each core loading only its groups' weights; or, with one unit, its
// row tiles in blocks (every core loading all `weight_bytes`); or on core 0. Only a layer whose
// operands are all in DDR (`in_ddr`; a chained value is in core 0's SRAM) and whose saving
// outlasts its cost splits.
struct ConvSplit {
  bool by_group = false, by_rows = false;
};
ConvSplit PlanConvSplit(const isa::March& march, int cores, double macs, double weight_bytes,
                        int64_t units, int64_t row_tiles, bool in_ddr);

// The memory plan's side: the operands (as `root` maps them) of every convolution among `nodes`
// whose saving still outlasts its cost when its operands move through DDR (written once, read by
// each reader) and every core loads its weights. Those values stay in DDR so the conv can split.
std::set<const ir::Value*> ValuesKeptInDdrForSplits(
    const isa::March& march, int cores, const std::vector<const ir::Node*>& nodes,
    const std::function<const ir::Value*(const ir::Value*)>& root);

}  // namespace openbpu::backend

#endif  // OPENBPU_COMPILER_BACKEND_CORES_H_
