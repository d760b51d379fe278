// The quantities behind the op table's limit names (compiler/march/op_table.h Limit::name) for
// one node, and the advice for a value outside a limit.
#ifndef OPENBPU_COMPILER_CHECK_QUANTITIES_H_
#define OPENBPU_COMPILER_CHECK_QUANTITIES_H_

#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/march/op_table.h"

namespace openbpu::check {

// The node's values of the quantity `name` (one per spatial dim for kernel, stride, ...); empty
// when the quantity does not apply to the node or cannot be known from shapes and attributes
// (input_abs of a float graph). `cell` tells whether the row restates `rank` (then the value's
// own rank; otherwise the general 4-D reading, docs/CHECK.md).
std::vector<double> Quantity(const ir::Node& node, const std::string& name,
                             const march::MarchSupport& cell);

// Concrete advice for value `v` outside `limit` on `node` ("split the 4096-channel conv ...").
std::string LimitAdvice(const ir::Node& node, const march::Limit& limit, double v, march::March m);

}  // namespace openbpu::check

#endif  // OPENBPU_COMPILER_CHECK_QUANTITIES_H_
