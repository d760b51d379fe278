// The verifier for quantized graphs, run after convert: what every graph the BPU part of the
// compiler receives must satisfy.
#ifndef OPENBPU_COMPILER_QUANTIZATION_VERIFY_QUANTIZED_H_
#define OPENBPU_COMPILER_QUANTIZATION_VERIFY_QUANTIZED_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "compiler/ir/graph.h"
#include "compiler/march/op_table.h"

namespace openbpu::quantization {

struct VerifyQuantizedOptions {
  // The dtype check against the march's op table. Convert turns it off and reports the
  // deviations as warnings instead (TableDTypeDeviations): its output does not follow the
  // table's dtypes yet (see convert.cc).
  bool check_table_dtypes = true;
};

// Checks every node that runs on the BPU (reference::RunsQuantized: an op with integer semantics
// and a quantized input or output):
//   - its typed integer parameters (compiler/ops/qparams.h) are present, complete and within the
//     isa's ranges: its op's OpSchema::qcheck loads and validates them;
//   - the dtypes of its quantized (non-constant) inputs and outputs are among those the march's
//     op table allows for the op (rows mapping the op as primary or alias; FusedConv and
//     FusedLinear are checked as Conv and Gemm; ops the table gives no dtypes for are not
//     checked);
//   - no float32 value flows into it from another BPU node: a quantized producer and a quantized
//     consumer meet on an integer value, or through DequantizeLinear / QuantizeLinear.
// The first violation is an InvalidArgument error naming the node.
absl::Status VerifyQuantizedGraph(const ir::Graph& graph, march::March march,
                                  const VerifyQuantizedOptions& options = {});

// The op-table dtype check of VerifyQuantizedGraph as a list: one message naming the node per BPU
// node with a quantized input or output dtype the march's table does not allow for its op.
std::vector<std::string> TableDTypeDeviations(const ir::Graph& graph, march::March march);

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_VERIFY_QUANTIZED_H_
