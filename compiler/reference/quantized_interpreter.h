// The quantized reference interpreter: runs a converted graph (compiler/quantization/convert.h)
// node by node — quantized nodes with their op's integer kernel (schema.qkernel), float nodes
// and the QuantizeLinear / DequantizeLinear borders with the float kernel. The simulator must
// match it bit for bit (docs/NUMERICS.md).
#ifndef OPENBPU_COMPILER_REFERENCE_QUANTIZED_INTERPRETER_H_
#define OPENBPU_COMPILER_REFERENCE_QUANTIZED_INTERPRETER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/tensor.h"
#include "compiler/ir/graph.h"

namespace openbpu::reference {

// A node runs its integer kernel when its op has qkind != kNone and one of its inputs or outputs
// carries a QuantInfo; otherwise its float kernel.
bool RunsQuantized(const ir::Node& node);

// Runs `graph` on float inputs (one per graph input, as the float graph takes them) and returns
// the graph outputs (float, dequantized at the border).
absl::StatusOr<std::vector<Tensor>> RunQuantized(const ir::Graph& graph,
                                                 absl::Span<const Tensor> inputs);

// Every non-constant value: its tensor (integer for quantized values) and its QuantInfo.
struct QuantizedValue {
  Tensor tensor;
  std::optional<ir::QuantInfo> quant;
};
absl::StatusOr<std::map<std::string, QuantizedValue>> RunQuantizedAllValues(
    const ir::Graph& graph, absl::Span<const Tensor> inputs);

}  // namespace openbpu::reference

#endif  // OPENBPU_COMPILER_REFERENCE_QUANTIZED_INTERPRETER_H_
