// Convert's phases as named passes (docs/NUMERICS.md "Convert"), run in this order by the
// PassPipeline that quantization::Convert builds; they share one ConvertContext:
//   select-quantized-nodes  which nodes are quantized, with their qconfigs (march: qint16 on
//                           bernoulli2 is an error)
//   assign-quant-info       the QuantInfo of every float value and constant a quantized node
//   touches quantize-constants      constants become integers (a fresh value when shared)
//   insert-borders          QuantizeLinear / DequantizeLinear at the float borders, integer value
//                           types, topological order
//   prepare-qparams         each quantized node's integer parameters (its op's qprepare)
//   check-int16-accumulation  warnings for int16-input conv/linear that may overflow int32
//   remove-dead-values      values nothing uses any more
#ifndef OPENBPU_COMPILER_QUANTIZATION_CONVERT_PASSES_H_
#define OPENBPU_COMPILER_QUANTIZATION_CONVERT_PASSES_H_

#include <map>
#include <utility>

#include "compiler/ir/graph.h"
#include "compiler/march/op_table.h"
#include "compiler/passes/pass_pipeline.h"
#include "compiler/quantization/calibration.h"
#include "compiler/quantization/convert.h"
#include "compiler/quantization/qconfig.h"

namespace openbpu::quantization {

// What the passes read (the calibration) and build up (decisions, the report).
struct ConvertContext {
  ConvertContext(CalibrationState& state, march::March march) : state(state), march(march) {}

  CalibrationState& state;
  const march::March march;
  ConvertReport report;
  // select-quantized-nodes: every quantized node and its qconfig.
  std::map<const ir::Node*, QConfig> qnodes;
  // assign-quant-info: float (non-constant) values -> their QuantInfo, and the constant inputs of
  // quantized nodes by (node, input index), since a constant shared by two nodes may be
  // quantized differently for each.
  std::map<const ir::Value*, ir::QuantInfo> value_quant;
  std::map<std::pair<const ir::Node*, int>, ir::QuantInfo> constant_quant;
  // ConvertOptions::unify_concat_scales and bias_correction.
  bool unify_concat_scales = false;
  bool bias_correction = false;
  bool bias_correction_from_nearest = false;
  bool adaround = false;
  std::FILE* adaround_progress = nullptr;
  // adaround: each rounded convolution's float weight (bias correction measures against it).
  std::map<const ir::Node*, Tensor> float_weights;
  // assign-quant-info with unify_concat_scales: value name -> the scale its concat group shares.
  std::map<std::string, float> unified_scale;
};

// Groups the activation inputs and outputs of quantized Concats (union-find over shared values,
// through scale-inheriting producers) and stores each group's widest calibrated per-tensor scale
// in context.unified_scale (unify_concat.cc).
absl::Status UnifyConcatScales(const ir::Graph& graph, ConvertContext& context);

// ConvertOptions::bias_correction, run at the end of assign-quant-info (the weights' scales are
// known, nothing is quantized yet): replaces each corrected convolution's bias constant
// (bias_correction.cc).
absl::Status CorrectBiases(ir::Graph& graph, ConvertContext& context);

// ConvertOptions::adaround, run at the end of assign-quant-info before CorrectBiases: replaces
// each tracked convolution's weight constant by its learned grid values (adaround_pass.cc).
absl::Status RoundWeightsLearned(ir::Graph& graph, ConvertContext& context);

// Appends the passes above to `pipeline`; `context` must outlive its runs.
void AddConvertPasses(passes::PassPipeline& pipeline, ConvertContext& context);

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_CONVERT_PASSES_H_
