// Convert: the pipeline of convert's passes (convert_passes.h), then the quantized-graph verifier.
#include "compiler/quantization/convert.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "compiler/ir/op_registry.h"
#include "compiler/march/op_table.h"
#include "compiler/passes/fusion.h"
#include "compiler/passes/pass_pipeline.h"
#include "compiler/quantization/convert_passes.h"
#include "compiler/quantization/verify_quantized.h"
#include "compiler/reference/quantized_interpreter.h"

namespace openbpu::quantization {

int64_t WorstCaseAccumulation(int64_t k, int64_t max_abs_bias) {
  return k * 32767 * 127 + max_abs_bias;
}

std::string ConvertReport::ToString() const {
  std::string s = absl::StrCat("convert: ", quantized_nodes.size(), " quantized nodes, ",
                               float_nodes.size(), " float nodes, ", quantize_inserted,
                               " QuantizeLinear, ", dequantize_inserted, " DequantizeLinear");
  if (!float_nodes.empty()) absl::StrAppend(&s, "\n  float: ", absl::StrJoin(float_nodes, ", "));
  if (corrected_biases > 0) {
    absl::StrAppend(&s, "\n  bias correction: ", corrected_biases, " convolutions",
                    biases_from_nearest ? " (learned rounding's change from nearest)" : "");
  }
  if (adarounded_layers > 0) {
    absl::StrAppend(&s, "\n  learned rounding: ", adarounded_layers, " convolutions, ",
                    adaround_flipped, " weights off nearest, layer output error ",
                    absl::SixDigits(adaround_error_nearest), " -> ",
                    absl::SixDigits(adaround_error_learned), " LSB^2");
  }
  if (adaround_skipped > 0) {
    absl::StrAppend(&s, "\n  learned rounding: ", adaround_skipped,
                    " convolutions left at nearest (fewer than 256 distinct positions sampled: "
                    "an output map of a few positions, such as an SE block's 1x1, or fewer "
                    "than 4 calibration samples)");
  }
  if (!int32_outputs.empty()) {
    absl::StrAppend(&s, "\n  high-precision output (the int32 accumulator): ", int32_outputs.size(),
                    int32_outputs.size() == 1 ? " layer, " : " layers, ",
                    absl::StrJoin(int32_outputs, ", "));
  }
  if (unified_concats > 0) {
    absl::StrAppend(&s, "\n  unified concat scales: ", unified_concats, " concats, ",
                    unified_values, " values share their group's scale");
  }
  for (const std::string& w : warnings) absl::StrAppend(&s, "\n  warning: ", w);
  return s;
}

absl::StatusOr<ConvertReport> Convert(CalibrationState& state, const ConvertOptions& options) {
  OPENBPU_ASSIGN_OR_RETURN(const march::March march_id, march::ParseMarch(options.march));
  ir::Graph& graph = state.graph();
  for (const auto& v : graph.values()) {
    if (v->type().quant.has_value()) {
      return absl::FailedPreconditionError(
          absl::StrCat("value '", v->name(), "' is already quantized"));
    }
  }
  ConvertContext context(state, march_id);
  context.unify_concat_scales = options.unify_concat_scales;
  context.bias_correction = options.bias_correction;
  context.bias_correction_from_nearest = options.bias_correction_from_nearest;
  context.report.biases_from_nearest = options.bias_correction_from_nearest;
  context.adaround = options.adaround;
  context.adaround_progress = options.adaround_progress;
  passes::PassPipeline pipeline("convert");
  // Between passes only the structure is checked: shape inference (VerifyGraph) rejects the
  // integer inputs of quantized nodes ("input 1 has unsupported dtype int8").
  pipeline.SetVerifier([](ir::Graph& g) { return g.Verify(); });
  // The passes' errors name the node at fault in the user's model; the pass name would be noise.
  pipeline.SetPrefixPassErrors(false);
  if (options.fuse) pipeline.AddPass<passes::FusePass>();
  AddConvertPasses(pipeline, context);
  OPENBPU_RETURN_IF_ERROR(pipeline.Run(graph).status());
  // The op-table dtype check as warnings, not errors: on bayes convert gives int16 to ops whose
  // table cell is int8 only and int8 to Div, whose cell is int16 only (docs/QUANTIZATION.md lists
  // them), and the reference runs them so. Following the table changes results; that is a step of
  // its own (the back end decides per op whether it can run the reference's dtypes).
  VerifyQuantizedOptions verify;
  verify.check_table_dtypes = false;
  OPENBPU_RETURN_IF_ERROR(VerifyQuantizedGraph(graph, march_id, verify));
  graph.set_march(std::string(march::MarchName(march_id)));
  for (std::string& w : TableDTypeDeviations(graph, march_id)) {
    context.report.warnings.push_back(std::move(w));
  }
  // Integer nodes the march's op table does not run on its BPU: the reference computes them, the
  // back end will refuse them (leave them in float with bpu quantize --hybrid) -- except linear
  // layers, which it runs as 1x1 convolutions.
  for (const auto& node : graph.nodes()) {
    if (!reference::RunsQuantized(*node)) continue;
    if (node->num_outputs() == 1 && node->output(0) != nullptr &&
        node->output(0)->type().quant.has_value() &&
        node->output(0)->type().quant->storage == DType::kInt32) {
      context.report.int32_outputs.push_back(node->name());
    }
    const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node->op());
    const std::string op =
        schema != nullptr && !schema->table_op.empty() ? schema->table_op : node->op();
    const march::OpTableEntry* row = march::FindPrimary(op);
    if (row == nullptr || row->For(march_id).supported != march::Supported::kNo) continue;
    const bool linear = op == "Gemm" || op == "FusedLinear";
    context.report.warnings.push_back(absl::StrCat(
        node->Describe(), ": the ", march::MarchName(march_id), " op table does not run '",
        row->vendor_name, "' on the BPU",
        linear
            ? "; the back end runs it as a 1x1 convolution"
            : "; it cannot be compiled for this march (--hybrid leaves it in float, on the CPU)"));
  }
  return std::move(context.report);
}

}  // namespace openbpu::quantization
