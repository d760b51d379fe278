// QDQ import: QuantizeLinear -> DequantizeLinear pairs of an exported QAT model become fixed
// scales (FixedQuant) on the value they wrap, and the pairs leave the float graph before
// calibration. docs/QUANTIZATION.md "QDQ import".
#ifndef OPENBPU_COMPILER_QUANTIZATION_QDQ_IMPORT_H_
#define OPENBPU_COMPILER_QUANTIZATION_QDQ_IMPORT_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "compiler/frontend/onnx_importer.h"
#include "compiler/ir/graph.h"
#include "compiler/quantization/calibration.h"

namespace openbpu::quantization {

// Rewrites `graph` (typed, Q/DQ not folded) in place:
//   - Q(x, s, zp) -> DQ(., s, zp): users of the DQ output read x again; x gets FixedQuant{s};
//     a DQ output that is a graph output becomes Identity(x), keeping its name;
//   - DQ(c, s, zp) of an integer constant c (a stored quantized weight or an int32 bias): the DQ
//     output becomes the float constant c * s; int8/int16 constants also give a FixedQuant.
// zp must be int8 or int16 (int32 for a bias) and all zeros: a nonzero zero point is an
// InvalidArgument error naming the node (the BPU is symmetric); scales must be constant. Any other
// QuantizeLinear / DequantizeLinear is UNIMPLEMENTED naming the node. Returns the fixed scales by
// value name (pass them as PrepareOptions::fixed_scales).
absl::StatusOr<std::map<std::string, FixedQuant>> StripQdq(ir::Graph& graph);

struct QdqImport {
  std::unique_ptr<ir::Graph> graph;
  std::map<std::string, FixedQuant> fixed_scales;
};

// ImportOnnx without constant folding (which would fold weight Q/DQ pairs into plain constants
// and lose their scales), StripQdq, then shape inference with folding. A model that imports only
// with folding (shapes computed at run time) is imported folded: weight pairs are then plain
// fake-quantized constants and only activation pairs give fixed scales. Float models without
// Q/DQ come out as ImportOnnx gives them.
absl::StatusOr<QdqImport> ImportQdqOnnx(absl::string_view model_bytes,
                                        const frontend::OnnxImportOptions& options = {});
absl::StatusOr<QdqImport> ImportQdqOnnxFile(const std::string& path,
                                            const frontend::OnnxImportOptions& options = {});

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_QDQ_IMPORT_H_
