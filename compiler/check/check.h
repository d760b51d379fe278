// The model checker (`bpu check`): every node of a graph against the march's row of the vendor
// operator table (compiler/march/op_table.h), with every limit of the row enforced, and what to
// do about each violation. Shape limits need only the imported float graph; dtype limits need a
// quantized graph (calibrated, QDQ or a .hbir). docs/CHECK.md describes the output.
#ifndef OPENBPU_COMPILER_CHECK_CHECK_H_
#define OPENBPU_COMPILER_CHECK_CHECK_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/ir/graph.h"
#include "compiler/march/op_table.h"

namespace openbpu::check {

// One violated limit, dtype rule or support cell of a node.
struct Violation {
  std::string limit;   // "kernel <= 7", "input dtype in {int8}", "supported on bernoulli2"
  std::string name;    // the limit's name ("kernel"), "dtype", "support", or a rule id
  std::string value;   // the offending value: "9", "int16", "no"
  std::string advice;  // what to do: "split the 4096-channel conv ...", "use ReLU6", ...
};

struct NodeReport {
  std::string name, op;
  std::string vendor_op;     // the table row that answered ("torch.nn.Conv2d"), empty when none
  bool bpu = true;           // false: runs on the CPU
  bool cpu_allowed = false;  // on the CPU and allowed there by the table (DeQuantStub ...)
  std::vector<std::string> input_dtypes, output_dtypes;  // "int8", "float32", ...
  std::vector<Violation> violations;
  std::vector<std::string> notes;  // information that is not a violation (LUT precision, ...)
};

struct CheckReport {
  std::string march;
  bool quantized = false;  // dtype limits were checked
  std::vector<NodeReport> nodes;
  int bpu_nodes = 0, cpu_nodes = 0, violations = 0;
  // All nodes on the BPU or allowed on the CPU by the table, and no violation: the model
  // compiles for the march.
  bool ok() const { return violations == 0; }
};

// Checks every node of `graph` (a float graph: shape limits only; a quantized graph, one whose
// values carry quantization: dtype limits too) for `march`. Constant-only nodes and the
// QuantizeLinear / DequantizeLinear at the model's borders are the QuantStub / DeQuantStub rows.
CheckReport CheckGraph(const ir::Graph& graph, march::March march);

// The report as text: one block per node (name, op, BPU/CPU, dtypes; each violation with its
// limit, value and advice), then the summary line
// `check: N nodes, B BPU, C CPU, V violations`. `all_nodes` false prints only nodes with
// violations or on the CPU.
std::string FormatReport(const CheckReport& report, bool all_nodes);
std::string SummaryLine(const CheckReport& report);

// The vendor feature layout of a shape: [N, C, (D,) H, W]; a shape of rank < 4 is read with
// trailing unit dims (ASSUMPTION, docs/CHECK.md), so [1, 49, 64] is N=1, C=49, H=64, W=1.
struct Feature {
  int rank = 0;  // the value's own rank (at least 4 after the reading above)
  int64_t n = 1, c = 1, d = 1, h = 1, w = 1;
};
Feature FeatureOf(const Shape& shape);

}  // namespace openbpu::check

#endif  // OPENBPU_COMPILER_CHECK_CHECK_H_
