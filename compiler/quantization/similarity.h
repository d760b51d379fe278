// Per-layer similarity of a quantized graph against its float graph (the vendor users'
// featuremap_similarity): for every quantized value also present (by name) in the float graph,
// cosine similarity, SQNR and the largest error in output-scale units, over a set of inputs.
#ifndef OPENBPU_COMPILER_QUANTIZATION_SIMILARITY_H_
#define OPENBPU_COMPILER_QUANTIZATION_SIMILARITY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compiler/ir/graph.h"
#include "compiler/quantization/dataset.h"

namespace openbpu::quantization {

struct LayerSimilarity {
  std::string value;  // the value name (same in both graphs)
  std::string node;   // its producer in the quantized graph ("" for a graph input)
  std::string op;
  std::string quant;  // QuantInfoToString
  double cosine = 1.0;
  double sqnr_db = 0.0;        // 10 log10(sum f^2 / sum (f - q)^2); +inf when equal
  double max_error_lsb = 0.0;  // max |f - q| / scale (the element's channel scale)
  int64_t elements = 0;
};

struct SimilarityReport {
  std::vector<LayerSimilarity> layers;  // quantized graph order
  int samples = 0;
  // One line per layer: "name op quant cosine sqnr max_err_lsb".
  std::string ToString() const;
};

// Runs both graphs on every sample of `inputs` (float inputs, as the float graph takes them) and
// accumulates the statistics in double, in sample and element order.
absl::StatusOr<SimilarityReport> CompareLayers(const ir::Graph& float_graph,
                                               const ir::Graph& quantized_graph,
                                               const Dataset& inputs);

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_SIMILARITY_H_
