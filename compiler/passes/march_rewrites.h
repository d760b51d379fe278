// March rewrites: float-graph rewrites into equivalents a march's op table runs on its BPU, for
// patterns it does not run as they are (issue 13; bernoulli2 above all). Each applies only when
// the march needs it, read from the op table (compiler/march/op_table.h):
//  - the reshape-transpose-reshape channel shuffle of ShuffleNet ([N, C, ...] -> [N, g, C/g, ...]
//    -> perm (0, 2, 1, ...) -> [N, C, ...]) becomes one ChannelShuffle(group = g) where the
//    march runs ChannelShuffle but not Transpose (one data movement layer on the BPU);
//  - an AveragePool / MaxPool / GlobalAveragePool / GlobalMaxPool whose kernel exceeds the
//    march's kernel limit (bernoulli2 AvgPool2d: kernel <= 7) becomes a chain of pools with
//    kernel = stride = factors of the kernel within the limit (kernel 112 -> 7, 4, 4). The chain
//    pools the same windows: non-overlapping (stride = kernel, or global), no padding, dilation
//    1; the average of equal-size block averages is the average (up to float rounding), the max
//    of maxima the max. A kernel with a prime factor above the limit stays as it is.
//  - Mul(x, Sigmoid(x)), torch's export of nn.SiLU, becomes one SiLU where the march runs
//    torch.nn.SiLU (both marches: a lookup table), so x * sigmoid(x) is one table, not a table,
//    a requantized sigmoid and a multiply.
// What remains unsupported goes to the CPU with bpu quantize --hybrid, or is a compile error
// naming the node and the table row.
#ifndef OPENBPU_COMPILER_PASSES_MARCH_REWRITES_H_
#define OPENBPU_COMPILER_PASSES_MARCH_REWRITES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/ir/graph.h"
#include "compiler/march/op_table.h"

namespace openbpu::passes {

// Rewrites the typed float graph in place and re-infers its types; returns one line per rewrite,
// e.g. "channel shuffle '/stage2/Transpose' (Reshape, Transpose, Reshape) -> ChannelShuffle
// group=2".
absl::StatusOr<std::vector<std::string>> RewriteForMarch(ir::Graph& graph, march::March march);

}  // namespace openbpu::passes

#endif  // OPENBPU_COMPILER_PASSES_MARCH_REWRITES_H_
