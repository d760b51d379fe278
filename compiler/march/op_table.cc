// The vendor's operator table as data (see op_table.h). Rows follow the vendor table's order;
// each cell keeps the vendor's Chinese text verbatim next to its structured reading.
#include "compiler/march/op_table.h"

#include <cmath>
#include <initializer_list>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace openbpu::march {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// "1G bytes" read as 2^30 (an assumption; the vendor does not say which).
constexpr double kGiB = 1 << 30;

constexpr DType kI8 = DType::kInt8;
constexpr DType kI16 = DType::kInt16;
constexpr DType kI32 = DType::kInt32;
constexpr DType kF32 = DType::kFloat32;
constexpr Supported kYes = Supported::kYes;
constexpr Supported kNo = Supported::kNo;
constexpr Supported kAbsorbed = Supported::kAbsorbed;

struct RuleDef {
  const char* id;
  const char* english;
};

constexpr RuleDef kRuleQatParamsNotStandalone = {
    "qat_params_not_standalone",
    "Has trained (quantization) parameters in QAT; not to be used on its own in prediction (vendor "
    "wording; in practice one FloatFunctional instance per call site)."};
constexpr RuleDef kRuleBroadcastExceptN = {
    "broadcast_except_n", "Broadcasting is supported on every dimension except N."};
constexpr RuleDef kRuleBroadcastOneInput = {"broadcast_one_input",
                                            "Only one of the inputs may be broadcast."};
constexpr RuleDef kRuleReduceSumNCOnly = {
    "reduce_sum_n_c_only", "Sums only along the batch (N) and channel (C) dimensions."};
constexpr RuleDef kRuleReduceSumHwcOnly = {"reduce_sum_hwc_only",
                                           "Sums only over the H, W and C dimensions."};
constexpr RuleDef kRuleReduceMeanCOnly = {"reduce_mean_c_only",
                                          "Mean only along the channel (C) dimension."};
constexpr RuleDef kRuleReduceMeanChw = {"reduce_mean_chw", "Mean over C, H and W."};
constexpr RuleDef kRuleMatmulTransposeB = {
    "matmul_transpose_b", "For matmul(a, b) a parameter makes b transposed internally."};
constexpr RuleDef kRuleCatSimilarRanges = {
    "cat_similar_ranges",
    "The inputs' value ranges must not differ much, or one operand swallows the other (they share "
    "one output scale)."};
constexpr RuleDef kRuleScalarOperand = {"scalar_operand",
                                        "One input is an int8/int16 tensor, the other a scalar."};
constexpr RuleDef kRuleClipBounds = {
    "clip_bounds",
    "min and max may each be a tensor, a constant tensor, a scalar or None; constant-tensor bounds "
    "should span the same range as the input, else precision risk."};
constexpr RuleDef kRuleMaxOutputLayout = {"max_output_layout",
                                          "Output differs from torch: one tensor holding max_value "
                                          "in one channel and max_value_index in another."};
constexpr RuleDef kRuleIndexInt32ModelOutput = {
    "index_int32_model_output",
    "Outputs int8/int16 values and int32 indices; the index may only be a model output."};
constexpr RuleDef kRuleReshapeHwOnly = {"reshape_hw_only", "Only reshapes along H and W."};
constexpr RuleDef kRuleReluFusion = {
    "relu_fusion",
    "Conv2d+BN+ReLU is fused into BpuConv2d automatically, else ReLU runs alone; ReLU is "
    "unfriendly to QAT, ReLU6 is recommended and QAT uses relu6 by default."};
constexpr RuleDef kRuleRelu6Fusion = {
    "relu6_fusion",
    "Conv2d+BN+ReLU6 is fused into BpuConv2d automatically, else ReLU6 runs alone."};
constexpr RuleDef kRuleDilationNeedsStride1 = {"dilation_needs_stride1",
                                               "When dilation != 1, stride must be 1."};
constexpr RuleDef kRuleInt16InputAccumulatorInInt32 = {
    "int16_input_accumulator_in_int32",
    "With int16 input the accumulated sum must stay within the int32 range."};
constexpr RuleDef kRuleSuminSupported = {
    "sumin_supported", "Supports sumin (an elementwise-add input fused into the conv output)."};
constexpr RuleDef kRuleStrideDhwEqual = {"stride_dhw_equal",
                                         "Stride D, H and W are each 1 or 2 and all equal."};
constexpr RuleDef kRulePaddingLeHalfKernel = {
    "padding_le_half_kernel",
    "padding D <= kernel_d/2, H <= kernel_h/2, W <= kernel_w/2 (kernel_w is the weight's W size)."};
constexpr RuleDef kRuleBiasInt32 = {"bias_int32", "Bias is int32."};
constexpr RuleDef kRuleNoTransposeN = {"no_transpose_n", "The N dimension cannot be transposed."};
constexpr RuleDef kRuleLayernormRsqrtKwargs = {
    "layernorm_rsqrt_kwargs",
    "The internal rsqrt table is tuned through rsqrt_kwargs; if convert loses accuracy try "
    "{\"auto_divide_strategy\": \"curvature\"}."};
constexpr RuleDef kRuleBnStandaloneAsConv = {
    "bn_standalone_as_conv",
    "Absorbed in QAT; a standalone BatchNorm2d is implemented with BpuConvolution (compiler "
    "limitation)."};
constexpr RuleDef kRuleBnStandaloneConvLimits = {
    "bn_standalone_conv_limits",
    "Absorbed in QAT; a standalone BatchNorm2d has the limits of Conv2d."};
constexpr RuleDef kRuleShuffleIndexUnique = {"shuffle_index_unique",
                                             "Values in shuffle_index must not repeat."};
constexpr RuleDef kRulePaddingLeHalfKernelMinus1 = {
    "padding_le_half_kernel_minus1",
    "padding H in [0, (kernel_h-1)/2] and W in [0, (kernel_w-1)/2]."};
constexpr RuleDef kRuleKernelGeStride = {"kernel_ge_stride", "kernel >= stride."};
constexpr RuleDef kRulePadLeKernelDivStride = {"pad_le_kernel_div_stride",
                                               "pad <= kernel / stride."};
constexpr RuleDef kRuleSuminInt8 = {"sumin_int8", "Supports sumin; the sumin input is int8."};
constexpr RuleDef kRuleGroupDividesWeightNAndChannels = {
    "group_divides_weight_n_and_channels",
    "Supports group; weight N and the input channels must both be divisible by group."};
constexpr RuleDef kRulePadModeNotReflect = {"pad_mode_not_reflect",
                                            "Every padding mode except \"reflect\"."};
constexpr RuleDef kRuleQuantStubScale = {
    "quant_stub_scale",
    "Quantizes float data (the network input, or data entering the BPU from the CPU). Choose the "
    "scale to cover the input range precisely, e.g. 1/128 for inputs in (-1, 1); a pretrained "
    "float model may need a special conv inserted; the input should be uniformly distributed."};
constexpr RuleDef kRuleDequantOnCpu = {
    "dequant_on_cpu",
    "For segmented models: data moves from the BPU to the CPU and is dequantized there."};
constexpr RuleDef kRuleResizeNearestBilinear = {"resize_nearest_bilinear",
                                                "Only nearest and bilinear interpolation."};
constexpr RuleDef kRuleGridInt16 = {"grid_int16", "The grid input is qint16 only."};
constexpr RuleDef kRuleGridSampleModes = {
    "grid_sample_modes",
    "Only bilinear and nearest interpolation; padding modes zeros and border only."};
constexpr RuleDef kRuleKernelOdd = {"kernel_odd", "kernel must be odd."};
constexpr RuleDef kRuleCorrelationOutputSize = {
    "correlation_output_size",
    "min(H, W) + 2*pad - 2*(max_displacement/stride2*stride2) - kernel + 1 >= stride1."};
constexpr RuleDef kRulePointpillarsInputs = {"pointpillars_inputs",
                                             "Three inputs of shapes [M, C], [M, 4] and [4]; the "
                                             "third is the output feature shape (N, C, H, W)."};
constexpr RuleDef kRuleYuvPreprocess = {
    "yuv_preprocess", "Data preprocessing: converts a 0~255 BGR/RGB image to centered YUV."};
constexpr RuleDef kRuleYuvToBgrRgb = {"yuv_to_bgr_rgb",
                                      "Inserted into the fixed-point model to convert YUV input "
                                      "images to the BGR/RGB layout QAT was trained on."};
constexpr RuleDef kRuleMhaRestrictions = {
    "mha_restrictions",
    "add_bias_kv, add_zero_attn and differing q/k/v embed_dim are not supported; table ops and "
    "mask quantization may cost precision."};
constexpr RuleDef kRuleRcnnPostProcessCpu = {
    "rcnn_post_process_cpu",
    "Runs on the CPU with float input/output: RCNN post-processing including NMS."};
constexpr RuleDef kRuleInputMagnitude = {
    "input_magnitude", "Input magnitude should stay below 1e6 with int8 and 1e8 with int16."};
constexpr RuleDef kRuleRoialignBboxFormat = {
    "roialign_bbox_format",
    "bbox only as List[Tensor] of shape [1, box_num, 4], last dim [left, top, right, bottom]."};
constexpr RuleDef kRuleStaticShapeOnly = {"static_shape_only",
                                          "Only when Tensor.shape can be determined offline."};
constexpr RuleDef kRuleFloatIo = {"float_io",
                                  "Takes int8/int16/int32/float32 input, outputs float32."};
constexpr RuleDef kRuleAvgpoolPaddingReading = {
    "avgpool_padding_reading",
    "Vendor text \"1<=kernel, stride, padding<=256\"; read as 1 <= kernel, stride <= 256 and 0 <= "
    "padding <= 256 (padding 0 is the default everywhere)."};
constexpr RuleDef kRuleWeightCModelOutputLiteral = {
    "weight_c_model_output_literal",
    "Vendor text \"作为模型输出C<=16384\" on weight_shape is encoded literally (weight_C <= 16384 "
    "as model output); it most likely means the output channels."};

Limit Interval(const char* name, double min, double max, bool min_exclusive, bool max_exclusive) {
  Limit l;
  l.name = name;
  l.min = min;
  l.max = max;
  l.min_exclusive = min_exclusive;
  l.max_exclusive = max_exclusive;
  return l;
}
Limit Le(const char* name, double max) { return Interval(name, -kInf, max, false, false); }
Limit Lt(const char* name, double max) { return Interval(name, -kInf, max, false, true); }
Limit Ge(const char* name, double min) { return Interval(name, min, kInf, false, false); }
Limit Range(const char* name, double min, double max) {
  return Interval(name, min, max, false, false);
}
Limit OneOf(const char* name, std::initializer_list<double> values) {
  Limit l = Interval(name, -kInf, kInf, false, false);
  l.allowed = values;
  return l;
}
Limit At(When when, Limit l) {
  l.when = when;
  return l;
}

// Builds one MarchSupport; chained setters keep each row readable as a line of the table.
class Cell {
 public:
  Cell(Supported supported, const char* note_zh, const char* summary_en) {
    data_.supported = supported;
    data_.note_zh = note_zh;
    data_.summary_en = summary_en;
  }
  Cell& In(std::initializer_list<DType> dtypes) {
    data_.input_dtypes = dtypes;
    return *this;
  }
  Cell& Out(std::initializer_list<DType> dtypes) {
    data_.output_dtypes = dtypes;
    return *this;
  }
  Cell& TableBased() {
    data_.table_based = true;
    return *this;
  }
  Cell& OutputOnly(ModelOutputOnly which) {
    data_.model_output_only = which;
    return *this;
  }
  Cell& OnCpu() {
    data_.runs_on_cpu = true;
    return *this;
  }
  Cell& Limits(std::initializer_list<Limit> limits) {
    data_.limits = limits;
    return *this;
  }
  Cell& Rules(std::initializer_list<RuleDef> rules) {
    for (const RuleDef& r : rules) data_.rules.push_back(Rule{r.id, r.english});
    return *this;
  }
  // "参考 X" / "限制同 X": the structured fields are copied from X's cell once the table is built.
  Cell& CopyOf(const char* vendor_name) {
    data_.refers_to = vendor_name;
    data_.copied_from_reference = true;
    return *this;
  }
  // The note points to X for part of its meaning; the structured fields are this cell's own.
  Cell& SeeAlso(const char* vendor_name) {
    data_.refers_to = vendor_name;
    return *this;
  }
  const MarchSupport& data() const { return data_; }

 private:
  MarchSupport data_;
};

class Row {
 public:
  Row(VendorTable table, const char* vendor_name, const char* replace_with) {
    entry_.table = table;
    entry_.vendor_name = vendor_name;
    entry_.replace_with = replace_with;
  }
  Row& Aliases(std::initializer_list<const char*> names) {
    for (const char* n : names) entry_.aliases.emplace_back(n);
    return *this;
  }
  Row& Ir(std::initializer_list<IrOpMapping> ops) {
    entry_.ir_ops = ops;
    return *this;
  }
  Row& Bernoulli2(const Cell& cell) {
    entry_.bernoulli2 = cell.data();
    return *this;
  }
  Row& Bayes(const Cell& cell) {
    entry_.bayes = cell.data();
    return *this;
  }
  OpTableEntry Build() const { return entry_; }

 private:
  OpTableEntry entry_;
};

MarchSupport* MutableCell(OpTableEntry& entry, March march) {
  return march == March::kBernoulli2 ? &entry.bernoulli2 : &entry.bayes;
}

OpTableEntry* FindRow(std::vector<OpTableEntry>& table, absl::string_view vendor_name) {
  for (OpTableEntry& e : table) {
    if (e.vendor_name == vendor_name) return &e;
  }
  return nullptr;
}

// Copies the structured fields of a "参考 X" cell from X (following chains such as
// tensor.argmin -> torch.min -> torch.max). `depth` stops a cycle in bad data; the test checks
// that every reference names a row.
void ResolveCopy(std::vector<OpTableEntry>& table, OpTableEntry& entry, March march, int depth) {
  MarchSupport* cell = MutableCell(entry, march);
  if (!cell->copied_from_reference || depth > 8) return;
  OpTableEntry* source = FindRow(table, cell->refers_to);
  if (source == nullptr || source == &entry) return;
  ResolveCopy(table, *source, march, depth + 1);
  const MarchSupport* from = MutableCell(*source, march);
  cell->supported = from->supported;
  cell->input_dtypes = from->input_dtypes;
  cell->output_dtypes = from->output_dtypes;
  cell->table_based = from->table_based;
  cell->model_output_only = from->model_output_only;
  cell->runs_on_cpu = from->runs_on_cpu;
  cell->limits = from->limits;
  cell->rules = from->rules;
}

std::vector<OpTableEntry> BuildTable() {
  std::vector<OpTableEntry> t;
  t.push_back(
      Row(VendorTable::kTorch, "torch.add",
          "torch.nn.quantized.FloatFunctional 或<br/>"
          "horizon.nn.quantized.FloatFunctional")
          .Ir({{"Add", IrRole::kPrimary}})
          .Bernoulli2(Cell(kYes, "支持。QAT 有训练参数，不能单独在预测中使用。in_channel<=2048",
                           "Supported, int8; in_channel <= 2048.")
                          .In({kI8})
                          .Out({kI8})
                          .Limits({Le("in_channels", 2048)})
                          .Rules({kRuleQatParamsNotStandalone}))
          .Bayes(Cell(kYes,
                      "支持。QAT 有训练参数，不能单独在预测中使用。输入输出支持 int8/int16. 支持除 "
                      "N 维以外的广播，只能有一个 input 广播。",
                      "Supported, int8/int16 in and out; broadcasting on every dim but N, one "
                      "input only.")
                     .In({kI8, kI16})
                     .Out({kI8, kI16})
                     .Rules({kRuleQatParamsNotStandalone, kRuleBroadcastExceptN,
                             kRuleBroadcastOneInput}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.sub", "horizon.nn.quantized.FloatFunctional")
          .Ir({{"Sub", IrRole::kPrimary}})
          .Bernoulli2(Cell(kYes, "支持。QAT 有训练参数，不能单独在预测中使用。in_channel<=2048",
                           "Supported, int8; in_channel <= 2048.")
                          .In({kI8})
                          .Out({kI8})
                          .Limits({Le("in_channels", 2048)})
                          .Rules({kRuleQatParamsNotStandalone}))
          .Bayes(Cell(kYes,
                      "支持。QAT 有训练参数，不能单独在预测中使用。输入输出支持 int8/int16. 支持除 "
                      "N 维以外的广播，只能有一个 input 广播。",
                      "Supported, int8/int16 in and out; broadcasting on every dim but N, one "
                      "input only.")
                     .In({kI8, kI16})
                     .Out({kI8, kI16})
                     .Rules({kRuleQatParamsNotStandalone, kRuleBroadcastExceptN,
                             kRuleBroadcastOneInput}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.mul",
          "torch.nn.quantized.FloatFunctional 或<br/>"
          "horizon.nn.quantized.FloatFunctional")
          .Ir({{"Mul", IrRole::kPrimary}})
          .Bernoulli2(Cell(kYes, "支持。QAT 有训练参数，不能单独在预测中使用。in_channel<=2048",
                           "Supported, int8; in_channel <= 2048.")
                          .In({kI8})
                          .Out({kI8})
                          .Limits({Le("in_channels", 2048)})
                          .Rules({kRuleQatParamsNotStandalone}))
          .Bayes(Cell(kYes,
                      "支持。QAT 有训练参数，不能单独在预测中使用。输入输出支持 int8/int16. 支持除 "
                      "N 维以外的广播，只能有一个 input 广播。",
                      "Supported, int8/int16 in and out; broadcasting on every dim but N, one "
                      "input only.")
                     .In({kI8, kI16})
                     .Out({kI8, kI16})
                     .Rules({kRuleQatParamsNotStandalone, kRuleBroadcastExceptN,
                             kRuleBroadcastOneInput}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.sum", "horizon.nn.quantized.FloatFunctional")
          .Ir({{"ReduceSum", IrRole::kPrimary}})
          .Bernoulli2(
              Cell(kYes,
                   "只支持 batch 和 channel 方向的 sum。QAT 有 训练参数，不要单独在预测中使用。",
                   "Supported only along the batch and channel dims; int8.")
                  .In({kI8})
                  .Out({kI8})
                  .Rules({kRuleReduceSumNCOnly, kRuleQatParamsNotStandalone}))
          .Bayes(Cell(kYes,
                      "支持。QAT 有训练参数，不能单独在预测中使用。输入输出支持 int8/int16. 仅支持 "
                      "HWC 三个维度的 sum",
                      "Supported, int8/int16 in and out; only over H, W, C.")
                     .In({kI8, kI16})
                     .Out({kI8, kI16})
                     .Rules({kRuleReduceSumHwcOnly, kRuleQatParamsNotStandalone}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.matmul", "horizon.nn.quantized.FloatFunctional")
          .Ir({{"MatMul", IrRole::kPrimary}})
          .Bernoulli2(Cell(kYes, "支持。对于 matmul(a, b)，可通过设置参数对  b 在内部进行转置",
                           "Supported, int8; b can be transposed internally.")
                          .In({kI8})
                          .Out({kI8})
                          .Rules({kRuleMatmulTransposeB}))
          .Bayes(Cell(kYes,
                      "支持。输入 int8, 输出 int8/int16/int32. 对于 matmul(a, b)， "
                      "可通过设置参数对 b 在内部进行转置。<br/>"
                      "input shape: [N, C, H, W],  input_size<1 G bytes, N<=4096, C, H, W<=8192.",
                      "Supported: int8 input, int8/int16/int32 output; b can be transposed "
                      "internally. input_size < 1G bytes, N <= 4096, C, H, W <= 8192.")
                     .In({kI8})
                     .Out({kI8, kI16, kI32})
                     .Limits({Lt("input_bytes", kGiB), Le("N", 4096), Le("C", 8192), Le("H", 8192),
                              Le("W", 8192)})
                     .Rules({kRuleMatmulTransposeB}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.cat",
          "torch.nn.quantized.FloatFunctional 或<br/>"
          "horizon.nn.quantized.FloatFunctional")
          .Ir({{"Concat", IrRole::kPrimary}})
          .Bernoulli2(Cell(kYes,
                           "对于 cat(a, b), a 和 b 相差不能太大，否则 "
                           "会出现其中一个操作数吃掉另外一个操作数的现象。<br/>"
                           "QAT 有训练参数，不要单独在预测中使用。",
                           "Supported, int8; inputs with very different ranges lose precision.")
                          .In({kI8})
                          .Out({kI8})
                          .Rules({kRuleCatSimilarRanges, kRuleQatParamsNotStandalone}))
          .Bayes(Cell(kYes,
                      "对于 cat(a, b), a 和 b 相差不能太大，否则 "
                      "会出现其中一个操作数吃掉另外一个操作数的现象。  <br/>"
                      "QAT 有训练参数，不要单独在预测中使用。<br/>"
                      "input shape: [N, C, H, W],  N<=4096, HWC<=65536, 2<=input number<=1024",
                      "Supported, int8; inputs with very different ranges lose precision. N <= "
                      "4096, H*W*C <= 65536, 2 to 1024 inputs.")
                     .In({kI8})
                     .Out({kI8})
                     .Limits({Le("N", 4096), Le("H*W*C", 65536), Range("num_inputs", 2, 1024)})
                     .Rules({kRuleCatSimilarRanges, kRuleQatParamsNotStandalone}))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.add_scalar",
                  "torch.nn.quantized.FloatFunctional 或<br/>"
                  "horizon.nn.quantized.FloatFunctional")
                  .Ir({{"Add", IrRole::kAlias, "scalar_operand"}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持一个输入int8/int16的Tensor，另一个输入为标量",
                              "Supported: one int8/int16 tensor input, the other a scalar.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16})
                             .Rules({kRuleScalarOperand}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.mul_scalar",
                  "torch.nn.quantized.FloatFunctional 或<br/>"
                  "horizon.nn.quantized.FloatFunctional")
                  .Ir({{"Mul", IrRole::kAlias, "scalar_operand"}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持一个输入int8/int16的Tensor，另一个输入为标量",
                              "Supported: one int8/int16 tensor input, the other a scalar.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16})
                             .Rules({kRuleScalarOperand}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.maximum", "horizon.nn.quantized.FloatFunctional")
                  .Ir({{"Max", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.minimum", "horizon.nn.quantized.FloatFunctional")
                  .Ir({{"Min", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.mean", "horizon.nn.quantized.FloatFunctional")
          .Ir({{"ReduceMean", IrRole::kPrimary}})
          .Bernoulli2(Cell(kYes,
                           "只支持在 channel 方向的 mean。QAT 有训练参数，不要单独在预测中使用。",
                           "Supported only along the channel dim; int8.")
                          .In({kI8})
                          .Out({kI8})
                          .Rules({kRuleReduceMeanCOnly, kRuleQatParamsNotStandalone}))
          .Bayes(Cell(kYes,
                      "支持在 CHW 上求 mean.QAT 有量化参数，不能单独在预测中使用。支持输入输出 "
                      "int8/int16",
                      "Supported over C, H, W; int8/int16 in and out.")
                     .In({kI8, kI16})
                     .Out({kI8, kI16})
                     .Rules({kRuleReduceMeanChw, kRuleQatParamsNotStandalone}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.sqrt", "horizon.nn.Sqrt")
          .Aliases({"horizon.nn.Sqrt"})
          .Ir({{"Sqrt", IrRole::kPrimary}})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(
              Cell(kYes, "支持输入输出int8/int16。底层查表实现，有精度风险",
                   "Supported, int8/int16 in and out; lookup-table implementation, precision risk.")
                  .In({kI8, kI16})
                  .Out({kI8, kI16})
                  .TableBased())
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.atan", "horizon.nn.Atan")
          .Aliases({"horizon.nn.Atan"})
          .Ir({{"Atan", IrRole::kPrimary}})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(
              Cell(kYes, "支持输入输出int8/int16。底层查表实现，有精度风险",
                   "Supported, int8/int16 in and out; lookup-table implementation, precision risk.")
                  .In({kI8, kI16})
                  .Out({kI8, kI16})
                  .TableBased())
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.sin", "horizon.nn.Sin")
          .Aliases({"horizon.nn.Sin"})
          .Ir({{"Sin", IrRole::kPrimary}})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(
              Cell(kYes, "支持输入输出int8/int16。底层查表实现，有精度风险",
                   "Supported, int8/int16 in and out; lookup-table implementation, precision risk.")
                  .In({kI8, kI16})
                  .Out({kI8, kI16})
                  .TableBased())
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.cos", "horizon.nn.Cos")
          .Aliases({"horizon.nn.Cos"})
          .Ir({{"Cos", IrRole::kPrimary}})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(
              Cell(kYes, "支持输入输出int8/int16。底层查表实现，有精度风险",
                   "Supported, int8/int16 in and out; lookup-table implementation, precision risk.")
                  .In({kI8, kI16})
                  .Out({kI8, kI16})
                  .TableBased())
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.clamp/clip, tensor.clamp/clip", "")
          .Aliases({"torch.clamp", "torch.clip", "tensor.clamp", "tensor.clip"})
          .Ir({{"Clip", IrRole::kPrimary}})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(Cell(kYes,
                      "支持min和max的输入为Tensor/常量Tensor/标量/None。<br/>"
                      "为常量Tensor时，min 和 max 的输入数据范围最好和 input 一致，否则有精度风险",
                      "Supported, int8; min/max may be tensor, constant tensor, scalar or None "
                      "(constant bounds should match the input range).")
                     .In({kI8})
                     .Out({kI8})
                     .Rules({kRuleClipBounds}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.pow", "horizon.nn.Pow")
          .Aliases({"horizon.nn.Pow"})
          .Ir({{"Pow", IrRole::kPrimary}})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(
              Cell(kYes, "支持输入输出int8/int16。底层查表实现，有精度风险",
                   "Supported, int8/int16 in and out; lookup-table implementation, precision risk.")
                  .In({kI8, kI16})
                  .Out({kI8, kI16})
                  .TableBased())
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.max", "")
          .Ir({{"ReduceMax", IrRole::kPrimary}, {"ArgMax", IrRole::kAlias, "with_indices"}})
          .Bernoulli2(
              Cell(kYes,
                   "支持。只能作为模型输出。<br/>"
                   "输出格式和 torch 不同:<br/>"
                   "编译器支持的输 出是一个 Tensor， 其中一个 channel 中的值是 max_value，<br/>"
                   "另一个 channel 中的值是max_value_index",
                   "Supported only as a model output; int8. The output layout differs from torch: "
                   "one tensor with max_value in one channel and its index in another.")
                  .In({kI8})
                  .Out({kI8})
                  .OutputOnly(ModelOutputOnly::kWholeOp)
                  .Rules({kRuleMaxOutputLayout}))
          .Bayes(Cell(kYes,
                      "支持。<br/>"
                      "输入支持int8/int16, 同时输出 int8/16 value 和 int32 index，index "
                      "只能作为模型输出。<br/>"
                      "input_shape: [N, C, H, W], 1<=N<=4096, 1<=H, W, C<=65535",
                      "Supported: int8/int16 input; outputs int8/int16 values and int32 indices, "
                      "the index only as a model output. 1 <= N <= 4096, 1 <= H, W, C <= 65535.")
                     .In({kI8, kI16})
                     .Out({kI8, kI16, kI32})
                     .OutputOnly(ModelOutputOnly::kIndexOutput)
                     .Limits({Range("N", 1, 4096), Range("H", 1, 65535), Range("W", 1, 65535),
                              Range("C", 1, 65535)})
                     .Rules({kRuleIndexInt32ModelOutput}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.min", "")
          .Ir({{"ReduceMin", IrRole::kPrimary}, {"ArgMin", IrRole::kAlias, "with_indices"}})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(Cell(kYes, "支持。限制同 torch.max", "Supported, same limits as torch.max.")
                     .CopyOf("torch.max"))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.max", "")
                  .Ir({{"ReduceMax", IrRole::kAlias}, {"ArgMax", IrRole::kAlias, "with_indices"}})
                  .Bernoulli2(Cell(kYes, "参考 torch.max", "See torch.max.").CopyOf("torch.max"))
                  .Bayes(Cell(kYes, "参考 torch.max", "See torch.max.").CopyOf("torch.max"))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.min", "")
                  .Ir({{"ReduceMin", IrRole::kAlias}, {"ArgMin", IrRole::kAlias, "with_indices"}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "参考 torch.min", "See torch.min.").CopyOf("torch.min"))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.split", "")
                  .Ir({{"Split", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kYes, "支持", "Supported, int8.").In({kI8}).Out({kI8}))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.eq", "")
                  .Ir({{"Equal", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.ge", "")
                  .Ir({{"GreaterOrEqual", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.greater", "")
                  .Ir({{"Greater", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.greater_equal", "")
                  .Ir({{"GreaterOrEqual", IrRole::kAlias}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.gt", "")
                  .Ir({{"Greater", IrRole::kAlias}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.le", "")
                  .Ir({{"LessOrEqual", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.less", "")
                  .Ir({{"Less", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.less_equal", "")
                  .Ir({{"LessOrEqual", IrRole::kAlias}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.lt", "")
                  .Ir({{"Less", IrRole::kAlias}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.eq", "")
                  .Ir({{"Equal", IrRole::kAlias}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.ge", "")
                  .Ir({{"GreaterOrEqual", IrRole::kAlias}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.greater", "")
                  .Ir({{"Greater", IrRole::kAlias}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.greater_equal", "")
                  .Ir({{"GreaterOrEqual", IrRole::kAlias}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.gt", "")
                  .Ir({{"Greater", IrRole::kAlias}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.le", "")
                  .Ir({{"LessOrEqual", IrRole::kAlias}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.less", "")
                  .Ir({{"Less", IrRole::kAlias}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.less_equal", "")
                  .Ir({{"LessOrEqual", IrRole::kAlias}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.expand", "")
                  .Ir({{"Expand", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.repeat", "")
                  .Ir({{"Tile", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.tile", "")
                  .Ir({{"Tile", IrRole::kAlias}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.GLU", "")
          .Ir({{"Split", IrRole::kPart}, {"Sigmoid", IrRole::kPart}, {"Mul", IrRole::kPart}})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                     .In({kI8, kI16})
                     .Out({kI8, kI16}))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.GELU", "")
                  .Ir({{"Div", IrRole::kPart},
                       {"Erf", IrRole::kPart},
                       {"Add", IrRole::kPart},
                       {"Mul", IrRole::kPart}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.PReLU", "")
                  .Ir({{"PRelu", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.LeakyReLU", "")
          .Ir({{"LeakyRelu", IrRole::kPrimary}})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(
              Cell(kYes, "支持输入输出int8/int16。底层查表实现，有精度风险",
                   "Supported, int8/int16 in and out; lookup-table implementation, precision risk.")
                  .In({kI8, kI16})
                  .Out({kI8, kI16})
                  .TableBased())
          .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.LSTMCell", "")
                  .Ir({{"LSTM", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16。输入是 2 维",
                              "Supported, int8/int16 in and out; the input is 2-D.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16})
                             .Limits({OneOf("rank", {2})}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.argmax", "")
                  .Ir({{"ArgMax", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kYes, "参考 torch.max", "See torch.max.").CopyOf("torch.max"))
                  .Bayes(Cell(kYes, "参考 torch.max", "See torch.max.").CopyOf("torch.max"))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.argmin", "")
          .Ir({{"ArgMin", IrRole::kPrimary}})
          .Bernoulli2(
              Cell(kNo, "参考 torch.min", "See torch.min (not supported).").CopyOf("torch.min"))
          .Bayes(Cell(kYes, "参考 torch.min", "See torch.min.").CopyOf("torch.min"))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.argmax", "")
                  .Ir({{"ArgMax", IrRole::kAlias}})
                  .Bernoulli2(Cell(kYes, "参考 torch.max", "See torch.max.").CopyOf("torch.max"))
                  .Bayes(Cell(kYes, "参考 torch.max", "See torch.max.").CopyOf("torch.max"))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "tensor.argmin", "")
          .Ir({{"ArgMin", IrRole::kAlias}})
          .Bernoulli2(
              Cell(kNo, "参考 torch.min", "See torch.min (not supported).").CopyOf("torch.min"))
          .Bayes(Cell(kYes, "参考 torch.min", "See torch.min.").CopyOf("torch.min"))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.reshape", "")
                  .Ir({{"Reshape", IrRole::kPrimary},
                       {"Flatten", IrRole::kPrimary, "reshape_family"},
                       {"Squeeze", IrRole::kPrimary, "reshape_family"},
                       {"Unsqueeze", IrRole::kPrimary, "reshape_family"}})
                  .Bernoulli2(Cell(kYes, "只支持 H 和 W 方向的 reshape",
                                   "Supported only along H and W; int8.")
                                  .In({kI8})
                                  .Out({kI8})
                                  .Rules({kRuleReshapeHwOnly}))
                  .Bayes(Cell(kYes, "dim <= 10, 1 <= each_dim_size < 65536",
                              "Supported, int8: rank <= 10, 1 <= each dim < 65536.")
                             .In({kI8})
                             .Out({kI8})
                             .Limits({Le("rank", 10),
                                      Interval("each_dim", 1, 65536, /*min_exclusive=*/false,
                                               /*max_exclusive=*/true)}))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.Tanh", "")
          .Ir({{"Tanh", IrRole::kPrimary}})
          .Bernoulli2(Cell(kYes, "支持，底层查表实现，有一定精度风险",
                           "Supported, int8; lookup-table implementation, some precision risk.")
                          .In({kI8})
                          .Out({kI8})
                          .TableBased())
          .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                     .In({kI8, kI16})
                     .Out({kI8, kI16}))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.ReLU", "")
                  .Ir({{"Relu", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kYes,
                                   "Conv2d+BN+ReLU 这种模式会自动 fuse 成 BpuConv2d，<br/>"
                                   "否则，单独跑 ReLU.ReLU 对量化训练不友好，<br/>"
                                   "建议用户使用 ReLU6.在 QAT 阶段，会默认使用 relu6",
                                   "Supported, int8; fused into BpuConv2d after Conv2d+BN, else "
                                   "runs alone (ReLU6 recommended for QAT).")
                                  .In({kI8})
                                  .Out({kI8})
                                  .Rules({kRuleReluFusion}))
                  .Bayes(Cell(kYes,
                              "Conv2d+BN+ReLU 这种模式会自动 fuse 成 BpuConv2d，否则，单独跑 "
                              "ReLU.ReLU 对量化训练不友好， <br/>"
                              "建议用户使用 ReLU6.<br/>"
                              "在 QAT 阶段，会默认使用 relu6",
                              "Supported, int8; fused into BpuConv2d after Conv2d+BN, else runs "
                              "alone (ReLU6 recommended for QAT).")
                             .In({kI8})
                             .Out({kI8})
                             .Rules({kRuleReluFusion}))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.SiLU", "")
          .Ir({{"SiLU", IrRole::kPrimary}, {"Sigmoid", IrRole::kPart}, {"Mul", IrRole::kPart}})
          .Bernoulli2(Cell(kYes, "支持，底层查表实现，有一定精度风险",
                           "Supported, int8; lookup-table implementation, some precision risk.")
                          .In({kI8})
                          .Out({kI8})
                          .TableBased())
          .Bayes(Cell(kYes, "支持", "Supported, int8.").In({kI8}).Out({kI8}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.Conv2d", "")
          .Ir({{"Conv", IrRole::kPrimary}})
          .Bernoulli2(
              Cell(
                  kYes,
                  "支持。kernel<=7.channel(one group) <= 2048. dilation=(1, 1)/(2, 2)/(4, 4)，<br/>"
                  "当 dilation!=(1, 1)时,  stride必须为(1, 1). HxWxC <= 32768",
                  "Supported, int8: kernel <= 7, channels per group <= 2048, dilation 1/2/4 "
                  "(stride 1 when dilation != 1), one filter's H*W*C (kernel_h x kernel_w x "
                  "channels per group) <= 32768.")
                  .In({kI8})
                  .Out({kI8})
                  .Limits({Le("kernel", 7), Le("channels_per_group", 2048),
                           OneOf("dilation", {1, 2, 4}), Le("weight_size", 32768)})
                  .Rules({kRuleDilationNeedsStride1}))
          .Bayes(Cell(kYes,
                      "支持。out_channel<=8192，作为模型输出时，out_channel <= 16384. <br/>"
                      "输入 channel<=8192, kernel<32, dilation<=16, 当dilation!=1时, stride只能 "
                      "为1.<br/>"
                      "支持 sumin, 带 sumin 的 conv 只支持 stride 为 (1, 1) 或 (2, 2). <br/>"
                      "weight_shape: [N, C, H, W], N, C<=8192, H, W<=31, 作为模型输出C<=16384, "
                      "weight_size < 65535.<br/>"
                      "padding<=256.支持int8/int16输入，int8/int16/int32输出。 <br/>"
                      "int16输入时累加和不能超过 int32 范围",
                      "Supported: int8/int16 input, int8/int16/int32 output. out_channels <= 8192 "
                      "(16384 as model output), in_channels <= 8192, kernel < 32, dilation <= 16 "
                      "(stride 1 when dilation != 1), sumin with stride 1 or 2, weight N, C <= "
                      "8192, H, W <= 31, weight_size < 65535, padding <= 256; int16 input must "
                      "accumulate within int32.")
                     .In({kI8, kI16})
                     .Out({kI8, kI16, kI32})
                     .Limits({Le("out_channels", 8192),
                              At(When::kModelOutput, Le("out_channels", 16384)),
                              Le("in_channels", 8192), Lt("kernel", 32), Le("dilation", 16),
                              At(When::kWithSumin, OneOf("stride", {1, 2})), Le("weight_N", 8192),
                              Le("weight_C", 8192), At(When::kModelOutput, Le("weight_C", 16384)),
                              Le("weight_H", 31), Le("weight_W", 31), Lt("weight_size", 65535),
                              Le("padding", 256)})
                     .Rules({kRuleDilationNeedsStride1, kRuleSuminSupported,
                             kRuleInt16InputAccumulatorInInt32, kRuleWeightCModelOutputLiteral}))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.Linear", "")
                  .Ir({{"Gemm", IrRole::kPrimary}, {"MatMul", IrRole::kAlias, "constant_weight"}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  // The cell names no dtypes: int8 in and out, and int32 out, which the vendor's
                  // get_default_qat_out_qconfig (high-precision output) gives a model's last
                  // Linear; Linear runs as a 1x1 Conv2d, whose cell lists int32 output.
                  .Bayes(Cell(kYes, "支持。in_features <= 8192, out_features <= 8192.",
                              "Supported: in_features <= 8192, out_features <= 8192 (int8 input; "
                              "int8, or int32 as a high-precision output).")
                             .In({kI8})
                             .Out({kI8, kI32})
                             .Limits({Le("in_features", 8192), Le("out_features", 8192)}))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.Conv3d", "")
          .Ir({{"Conv", IrRole::kAlias, "5d"}})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(Cell(kYes,
                      "input: [N, C, D, H, W] int8, N<=128; <br/>"
                      "H, W, D, C<=65536; <br/>"
                      "weight: [C_o, C_i, D, H, W] int8, N, C<=65536, D, H<=9, W<=8191; <br/>"
                      "bias: int32; output: [N, C, D, H, W] int8, int16, int32; <br/>"
                      "stride: [D, H, W], D, H, W 等于 1 或 2, 并且 D, H, W 相同; <br/>"
                      "padding: [D, H, W], D<=kernel_d/2, H<=kernel_h/2, W<=kernel_w/2(kernel_w 指 "
                      "weight W 维大小) group, <br/>"
                      "dilation: 暂不支持",
                      "Supported: int8 5-D input [N, C, D, H, W], N <= 128, H, W, D, C <= 65536; "
                      "int8 weight with C_o, C_i <= 65536, D, H <= 9, W <= 8191; int32 bias; "
                      "int8/int16/int32 output; stride 1 or 2, equal in D, H, W; padding <= half "
                      "the kernel; group and dilation not supported.")
                     .In({kI8})
                     .Out({kI8, kI16, kI32})
                     .Limits({OneOf("rank", {5}), Le("N", 128), Le("H", 65536), Le("W", 65536),
                              Le("D", 65536), Le("C", 65536), Le("weight_N", 65536),
                              Le("weight_C", 65536), Le("weight_D", 9), Le("weight_H", 9),
                              Le("weight_W", 8191), OneOf("stride", {1, 2}), OneOf("group", {1}),
                              OneOf("dilation", {1})})
                     .Rules({kRuleBiasInt32, kRuleStrideDhwEqual, kRulePaddingLeHalfKernel}))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "tensor.transpose", "")
                  .Ir({{"Transpose", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出 int8, int16, int32.不支持对 N 维的 transpose",
                              "Supported, int8/int16/int32 in and out; not on the N dim.")
                             .In({kI8, kI16, kI32})
                             .Out({kI8, kI16, kI32})
                             .Rules({kRuleNoTransposeN}))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.Sigmoid", "")
          .Ir({{"Sigmoid", IrRole::kPrimary}})
          .Bernoulli2(Cell(kYes, "支持，底层查表实现，有一定精度风险",
                           "Supported, int8; lookup-table implementation, some precision risk.")
                          .In({kI8})
                          .Out({kI8})
                          .TableBased())
          .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                     .In({kI8, kI16})
                     .Out({kI8, kI16}))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.Dropout", "")
                  .Ir({{"Dropout", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kAbsorbed, "训练 op，不体现在预测模型中",
                                   "Training op, absorbed: not in the deployed model."))
                  .Bayes(Cell(kAbsorbed, "训练 op，不体现在预测模型中",
                              "Training op, absorbed: not in the deployed model."))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.Softmax", "")
                  .Ir({{"Softmax", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16，底层查表实现，有一定精度风险",
                              "Supported, int8/int16 in and out; lookup-table implementation, some "
                              "precision risk.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16})
                             .TableBased())
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.Identity", "")
                  .Ir({{"Identity", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kAbsorbed, "训练 op，不体现在预测模型中",
                                   "Training op, absorbed: not in the deployed model."))
                  .Bayes(Cell(kAbsorbed, "训练 op，不体现在预测模型中",
                              "Training op, absorbed: not in the deployed model."))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.AvgPool2d", "")
                  .Ir({{"AveragePool", IrRole::kPrimary},
                       {"GlobalAveragePool", IrRole::kPrimary, "global"}})
                  .Bernoulli2(Cell(kYes, "1<=kernel<=7，1<=stride<=185",
                                   "Supported, int8: 1 <= kernel <= 7, 1 <= stride <= 185.")
                                  .In({kI8})
                                  .Out({kI8})
                                  .Limits({Range("kernel", 1, 7), Range("stride", 1, 185)}))
                  .Bayes(Cell(kYes, "支持。1<=kernel, stride, padding<=256;",
                              "Supported, int8: 1 <= kernel, stride <= 256, padding <= 256.")
                             .In({kI8})
                             .Out({kI8})
                             .Limits({Range("kernel", 1, 256), Range("stride", 1, 256),
                                      Range("padding", 0, 256)})
                             .Rules({kRuleAvgpoolPaddingReading}))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.MaxPool2d", "")
          .Ir({{"MaxPool", IrRole::kPrimary}, {"GlobalMaxPool", IrRole::kPrimary, "global"}})
          .Bernoulli2(
              Cell(kYes, "1<=kernel<=64, 1<=stride<=256, padding>=0",
                   "Supported, int8: 1 <= kernel <= 64, 1 <= stride <= 256, padding >= 0.")
                  .In({kI8})
                  .Out({kI8})
                  .Limits({Range("kernel", 1, 64), Range("stride", 1, 256), Ge("padding", 0)}))
          .Bayes(Cell(kYes,
                      "input_shape: [N, C, H, W], 1<=H, W, C<=8192;1<=kernel, stride<=256; "
                      "0<=padding<=255;",
                      "Supported, int8: 1 <= H, W, C <= 8192, 1 <= kernel, stride <= 256, 0 <= "
                      "padding <= 255.")
                     .In({kI8})
                     .Out({kI8})
                     .Limits({Range("H", 1, 8192), Range("W", 1, 8192), Range("C", 1, 8192),
                              Range("kernel", 1, 256), Range("stride", 1, 256),
                              Range("padding", 0, 255)}))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.ZeroPad2d", "")
                  .Ir({{"Pad", IrRole::kAlias, "constant_zero"}})
                  .Bernoulli2(Cell(kYes, "支持。", "Supported, int8.").In({kI8}).Out({kI8}))
                  .Bayes(Cell(kYes, "支持输入输出 int8/int16.", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.Dropout2d", "")
                  .Ir({{"Dropout", IrRole::kAlias}})
                  .Bernoulli2(Cell(kAbsorbed, "训练 op，不体现在预测模型中",
                                   "Training op, absorbed: not in the deployed model."))
                  .Bayes(Cell(kAbsorbed, "训练 op，不体现在预测模型中",
                              "Training op, absorbed: not in the deployed model."))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.Layernorm", "")
                  .Aliases({"torch.nn.LayerNorm"})
                  .Ir({{"LayerNormalization", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes,
                              "输出支持int8/int16, 底层查表实现，有精度风险. <br/>"
                              "可通过 `rsqrt_kwargs` 属性来控制内部 rsqrt 查表的参数， <br/>"
                              "若遇到 convert 精度降低的问题可以尝试 `layernorm_op.rsqrt_kwargs = "
                              "{\"auto_divide_strategy\": \"curvature\"}`. <br/>"
                              "H * W <= 16384, normalized_shape H * W < 16384",
                              "Supported: int8 input (general limit), int8/int16 output; "
                              "lookup-table implementation (rsqrt), precision risk. H*W <= 16384, "
                              "normalized_shape H*W < 16384.")
                             .In({kI8})
                             .Out({kI8, kI16})
                             .TableBased()
                             .Limits({Le("H*W", 16384), Lt("normalized_H*W", 16384)})
                             .Rules({kRuleLayernormRsqrtKwargs}))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.BatchNorm2d", "")
          .Ir({{"BatchNormalization", IrRole::kPrimary}})
          .Bernoulli2(Cell(kAbsorbed,
                           "BatchNorm2d 在 QAT 阶段被吸收，不体现在预测模型中。<br/>"
                           "由于编译器限制，独立使用的 BatchNorm2d 底层调用 BpuConvolution 实现",
                           "Absorbed in QAT, not in the deployed model; a standalone BatchNorm2d "
                           "runs as BpuConvolution.")
                          .Rules({kRuleBnStandaloneAsConv}))
          .Bayes(
              Cell(kAbsorbed,
                   "BatchNorm2d 在 QAT 阶段被吸收，因此，不体现在模型中。独立使用限制参考 Conv2d",
                   "Absorbed in QAT, not in the deployed model; a standalone BatchNorm2d has "
                   "Conv2d's limits.")
                  .SeeAlso("torch.nn.Conv2d")
                  .Rules({kRuleBnStandaloneConvLimits}))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "Tensor.__getitem__", "")
                  .Ir({{"Slice", IrRole::kPrimary}, {"Gather", IrRole::kAlias, "integer_index"}})
                  .Bernoulli2(Cell(kYes, "支持", "Supported, int8.").In({kI8}).Out({kI8}))
                  .Bayes(Cell(kYes, "支持", "Supported, int8.").In({kI8}).Out({kI8}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.ConstantPad2d", "")
                  .Ir({{"Pad", IrRole::kAlias, "constant"}})
                  .Bernoulli2(Cell(kYes, "支持", "Supported, int8.").In({kI8}).Out({kI8}))
                  .Bayes(Cell(kYes, "支持，限制参考 ZeroPad2d", "Supported, limits as ZeroPad2d.")
                             .CopyOf("torch.nn.ZeroPad2d"))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.SyncBatchNorm", "")
                  .Ir({{"BatchNormalization", IrRole::kAlias}})
                  .Bernoulli2(Cell(kAbsorbed, "训练 op，不体现在预测模型中",
                                   "Training op, absorbed: not in the deployed model."))
                  .Bayes(Cell(kAbsorbed, "训练 op，不体现在预测模型中",
                              "Training op, absorbed: not in the deployed model."))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.ChannelShuffle", "")
          .Ir({{"ChannelShuffle", IrRole::kPrimary},
               {"Reshape", IrRole::kPart},
               {"Transpose", IrRole::kPart}})
          .Bernoulli2(Cell(kYes, "支持", "Supported, int8.").In({kI8}).Out({kI8}))
          .Bayes(Cell(kYes, "支持输入输出int8/int16. shuffle_index 中的数值不能重复",
                      "Supported, int8/int16 in and out; shuffle_index values must not repeat.")
                     .In({kI8, kI16})
                     .Out({kI8, kI16})
                     .Rules({kRuleShuffleIndexUnique}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.PixelShuffle", "")
          .Ir({{"DepthToSpace", IrRole::kPrimary}})
          .Bernoulli2(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                          .In({kI8, kI16})
                          .Out({kI8, kI16}))
          .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                     .In({kI8, kI16})
                     .Out({kI8, kI16}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.PixelUnshuffle", "")
          .Ir({{"SpaceToDepth", IrRole::kPrimary}})
          .Bernoulli2(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                          .In({kI8, kI16})
                          .Out({kI8, kI16}))
          .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                     .In({kI8, kI16})
                     .Out({kI8, kI16}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.ConvTranspose2d", "")
          .Ir({{"ConvTranspose", IrRole::kPrimary}})
          .Bernoulli2(
              Cell(kYes,
                   "支持。2<=kernel<= 14.channel<=2048. <br/>"
                   "padding H*W=[0, (kernel_h-1)/2] * [0, (kernel_w-1)/2] 2<=stride<=4, "
                   "dilation=(1, 1)",
                   "Supported, int8: 2 <= kernel <= 14, channels <= 2048, padding within [0, "
                   "(kernel-1)/2] per dim, 2 <= stride <= 4, dilation 1.")
                  .In({kI8})
                  .Out({kI8})
                  .Limits({Range("kernel", 2, 14), Le("in_channels", 2048),
                           Le("out_channels", 2048), Range("stride", 2, 4), OneOf("dilation", {1})})
                  .Rules({kRulePaddingLeHalfKernelMinus1}))
          .Bayes(
              Cell(
                  kYes,
                  "支持。输入shape: [N, C, H, W], 1<=N<=128, 1<=channel<=2048; <br/>"
                  "weight_shape: [N, C, H, W], 1<=N, C<=2048, 2<=H, W<=14, weight_size<=65535;<br/>"
                  "kernel>=stride, 1<=stride<=14, 1<=out_channel<=2048, in_channel<=2048 <br/>"
                  "pad<=kernel/stride, 0<=out_pad<=1;<br/>"
                  "bias 类型为 int32;<br/>"
                  "支持sumin, sumin输入类型为int8;<br/>"
                  "0<=output_padding<=1;<br/>"
                  "支持group, 要求weight_n和 输入channel均能被group整除;<br/>"
                  "dilation=1",
                  "Supported, int8: 1 <= N <= 128, 1 <= channels <= 2048, weight N, C in [1, "
                  "2048], weight H, W in [2, 14], weight_size <= 65535, kernel >= stride, 1 <= "
                  "stride <= 14, pad <= kernel/stride, output_padding 0 or 1, int32 bias, int8 "
                  "sumin, groups dividing weight N and input channels, dilation 1.")
                  .In({kI8})
                  .Out({kI8})
                  .Limits({Range("N", 1, 128), Range("in_channels", 1, 2048),
                           Range("out_channels", 1, 2048), Range("weight_N", 1, 2048),
                           Range("weight_C", 1, 2048), Range("weight_H", 2, 14),
                           Range("weight_W", 2, 14), Le("weight_size", 65535),
                           Range("stride", 1, 14), Range("output_padding", 0, 1),
                           OneOf("dilation", {1})})
                  .Rules({kRuleKernelGeStride, kRulePadLeKernelDivStride, kRuleBiasInt32,
                          kRuleSuminInt8, kRuleGroupDividesWeightNAndChannels}))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.Upsample", "")
                  .Ir({{"Resize", IrRole::kAlias}})
                  .Bernoulli2(Cell(kYes, "支持。参考 torch.nn.functional.interpolate",
                                   "Supported; see torch.nn.functional.interpolate.")
                                  .CopyOf("torch.nn.functional.interpolate"))
                  .Bayes(Cell(kYes, "参考 torch.nn.functional.interpolate",
                              "See torch.nn.functional.interpolate.")
                             .CopyOf("torch.nn.functional.interpolate"))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.UpsamplingNearest2d", "")
                  .Ir({{"Resize", IrRole::kAlias, "nearest"}})
                  .Bernoulli2(Cell(kYes, "支持。限制参考 torch.nn.functional.interpolate",
                                   "Supported; limits as torch.nn.functional.interpolate.")
                                  .CopyOf("torch.nn.functional.interpolate"))
                  .Bayes(Cell(kYes, "支持。限制参考 torch.nn.functional.interpolate",
                              "Supported; limits as torch.nn.functional.interpolate.")
                             .CopyOf("torch.nn.functional.interpolate"))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.UpsamplingBilinear2d", "")
                  .Ir({{"Resize", IrRole::kAlias, "bilinear"}})
                  .Bernoulli2(Cell(kYes, "支持。限制参考 torch.nn.functional.interpolate",
                                   "Supported; limits as torch.nn.functional.interpolate.")
                                  .CopyOf("torch.nn.functional.interpolate"))
                  .Bayes(Cell(kYes, "支持。限制参考 torch.nn.functional.interpolate",
                              "Supported; limits as torch.nn.functional.interpolate.")
                             .CopyOf("torch.nn.functional.interpolate"))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.functional.pad", "")
                  .Ir({{"Pad", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kYes, "支持除 `reflect` 外的其他模式",
                                   "Supported, int8; every mode except reflect.")
                                  .In({kI8})
                                  .Out({kI8})
                                  .Rules({kRulePadModeNotReflect}))
                  .Bayes(Cell(kYes, "支持除 `reflect` 外的其他模式",
                              "Supported, int8; every mode except reflect.")
                             .In({kI8})
                             .Out({kI8})
                             .Rules({kRulePadModeNotReflect}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.functional.relu", "torch.nn.ReLU")
                  .Ir({{"Relu", IrRole::kAlias}})
                  .Bernoulli2(Cell(kYes,
                                   "Conv2d+BN+ReLU 这种模式会自动 fuse 成 BpuConv2d，<br/>"
                                   "否则，单独跑 ReLU.ReLU 对量化 训练不友好，建议用户使用 "
                                   "ReLU6.在 QAT 阶段，会默认使用 relu6",
                                   "Supported, int8; fused into BpuConv2d after Conv2d+BN, else "
                                   "runs alone (ReLU6 recommended for QAT).")
                                  .In({kI8})
                                  .Out({kI8})
                                  .Rules({kRuleReluFusion}))
                  .Bayes(Cell(kYes,
                              "Conv2d+BN+ReLU 这种模式会自动 fuse 成 BpuConv2d，否则，单独跑 "
                              "ReLU.ReLU 对量化训练不友好， <br/>"
                              "建议用户使用 ReLU6.<br/>"
                              "在 QAT 阶段，会默认使用 relu6",
                              "Supported, int8; fused into BpuConv2d after Conv2d+BN, else runs "
                              "alone (ReLU6 recommended for QAT).")
                             .In({kI8})
                             .Out({kI8})
                             .Rules({kRuleReluFusion}))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.functional.relu6(fused)", "torch.nn.ReLU6")
          .Aliases({"torch.nn.functional.relu6", "torch.nn.ReLU6"})
          .Ir({{"Clip", IrRole::kAlias, "relu6"}})
          .Bernoulli2(
              Cell(kYes, "Conv2d+BN+ReLU6 这种模式会自动 fuse 成 BpuConv2d，否则，单独跑 ReLU6",
                   "Supported, int8; fused into BpuConv2d after Conv2d+BN, else runs alone.")
                  .In({kI8})
                  .Out({kI8})
                  .Rules({kRuleRelu6Fusion}))
          .Bayes(Cell(kYes, "Conv2d+BN+ReLU6 这种模式会自动 fuse 成 BpuConv2d，否则，单独跑 ReLU6",
                      "Supported, int8; fused into BpuConv2d after Conv2d+BN, else runs alone.")
                     .In({kI8})
                     .Out({kI8})
                     .Rules({kRuleRelu6Fusion}))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.ReplicationPad2d", "")
                  .Ir({{"Pad", IrRole::kAlias, "edge"}})
                  .Bernoulli2(Cell(kYes, "支持。", "Supported, int8.").In({kI8}).Out({kI8}))
                  .Bayes(Cell(kYes, "支持。限制参考 ZeroPad2d", "Supported; limits as ZeroPad2d.")
                             .CopyOf("torch.nn.ZeroPad2d"))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.quantization.QuantStub", "horizon.quantization.QuantStub")
          .Aliases({"horizon.quantization.QuantStub"})
          .Bernoulli2(
              Cell(kYes,
                   "支持。<br/>"
                   "典型使用场景：整个网络模型的输入。 <br/>"
                   "模型分段的场景：数据从 CPU 送入到 BPU 之前需要把数据进行量化。<br/>"
                   "scale 参数设置方法：scale 的设置和具体的输入有关。设置目标是使得输入的 float "
                   "类型的数据尽量<br/>"
                   "高精度地量化到 int8 类型<br/>"
                   "这就有两个方面的要求：可以覆盖所有的（至少是绝大部分）输入数据，量化精度高。<"
                   "br/>"
                   "例如：输入 float 的范围是 (-1, 1), 那么，我们可以设置 scale = 1 / 128。<br/>"
                   "Float 预训练模型：在预训练模型中，由于模型已经训练好，不一定遵循上述 scale "
                   "参数设置方法，<br/>"
                   "这时，可以通过插入一个特殊的 conv 的方法来解决。要求输入 QuantStub "
                   "的数据的分布是均匀的",
                   "Supported: quantizes the float network input (or data entering the BPU from "
                   "the CPU) to int8; choose the scale to cover the input, e.g. 1/128 for (-1, 1).")
                  .In({kF32})
                  .Out({kI8})
                  .Rules({kRuleQuantStubScale}))
          .Bayes(
              Cell(kYes,
                   "支持。典型使用场景：整个网络模型的输入。 <br/>"
                   "模型分段的场景，数据从 CPU 送入到 BPU 之前需要把数据进行量化。<br/>"
                   "scale 参数设置方法：scale 的设置和具体的输入有关。 <br/>"
                   "设置目标是使得输入的 float 类型的数据尽量 高精度地量化到 int8 类型，<br/>"
                   "这就有两个方面的要求：可以覆盖所有的（至少是绝大部分）输入数据，  <br/>"
                   "量化精度高。<br/>"
                   "例如：输入 float 的范围是 (-1, 1),   那么，我们可以设置 scale = 1 / 128。<br/>"
                   "Float 预训练模型：在预训练模型中，由于模型已经训练好，不一定遵循上述 scale "
                   "参数设置方法， <br/>"
                   "这时，可以通过插入一个特殊的 conv 的方法来解决。要求输入 QuantStub "
                   "的数据的分布是均匀的",
                   "Supported: quantizes the float network input (or data entering the BPU from "
                   "the CPU) to int8; choose the scale to cover the input, e.g. 1/128 for (-1, 1).")
                  .In({kF32})
                  .Out({kI8})
                  .Rules({kRuleQuantStubScale}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.quantization.DeQuantStub", "")
          .Bernoulli2(
              Cell(kYes,
                   "典型使用场景：网络模型分段的场景，需要把数据 从 BPU 传输到 CPU，在 CPU "
                   "上进行反量化， <br/>"
                   "方便 CPU 上处理",
                   "Supported: dequantizes on the CPU where a segmented model leaves the BPU.")
                  .In({kI8})
                  .Out({kF32})
                  .OnCpu()
                  .Rules({kRuleDequantOnCpu}))
          .Bayes(Cell(kYes,
                      "典型使用场景：网络模型分段的场景，需要把数据 从 BPU 传输到 CPU，在 CPU "
                      "上进行反量化，方便 CPU 上处理",
                      "Supported: dequantizes on the CPU where a segmented model leaves the BPU.")
                     .In({kI8})
                     .Out({kF32})
                     .OnCpu()
                     .Rules({kRuleDequantOnCpu}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.functional.interpolate", "horizon.nn.Interpolate")
          .Aliases({"horizon.nn.Interpolate"})
          .Ir({{"Resize", IrRole::kPrimary}})
          .Bernoulli2(Cell(kYes, "只支持 nearest 和 billinear 插值模式。1/256<缩放比例<=256",
                           "Supported, int8: nearest and bilinear only; 1/256 < scale <= 256.")
                          .In({kI8})
                          .Out({kI8})
                          .Limits({Interval("scale", 1.0 / 256, 256, /*min_exclusive=*/true,
                                            /*max_exclusive=*/false)})
                          .Rules({kRuleResizeNearestBilinear}))
          .Bayes(Cell(kYes,
                      "只支持 nearest 和 billinear 插值模式。input_shape: [N, C, H, W], 1<=C, H, "
                      "W<=8192",
                      "Supported, int8: nearest and bilinear only; 1 <= C, H, W <= 8192.")
                     .In({kI8})
                     .Out({kI8})
                     .Limits({Range("C", 1, 8192), Range("H", 1, 8192), Range("W", 1, 8192)})
                     .Rules({kRuleResizeNearestBilinear}))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.nn.functional.grid_sample", "")
                  .Ir({{"GridSample", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes,
                              "支持。输入shape: [N, C, H, W], 1<=H, W<=1024 且 H*W<=512*1024; <br/>"
                              "grid 只支持 qint16，只支持 bilinear 和 nearest 插值<br/>"
                              "padding 模式只支持 zeros 和 border;",
                              "Supported, int8 input: 1 <= H, W <= 1024 and H*W <= 512*1024; grid "
                              "qint16 only; bilinear/nearest; padding zeros/border.")
                             .In({kI8, kI16})
                             .Out({kI8})
                             .Limits({Range("H", 1, 1024), Range("W", 1, 1024), Le("H*W", 524288)})
                             .Rules({kRuleGridInt16, kRuleGridSampleModes}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch 中没有 Correlation 算子", "horizon.nn.Correlation")
                  .Aliases({"horizon.nn.Correlation"})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes,
                              "支持。输入shape: [N, C, H, W], 1<=C<=1024, <br/>"
                              "kernel 必须为奇数, <br/>"
                              "min(H, W) + 2 * pad - 2 * "
                              "(max_displacement/stride2*stride2)-kernel+1 >= stride1",
                              "Supported, int8: 1 <= C <= 1024, odd kernel, min(H, W) + 2*pad - "
                              "2*(max_displacement/stride2*stride2) - kernel + 1 >= stride1.")
                             .In({kI8})
                             .Out({kI8})
                             .Limits({Range("C", 1, 1024)})
                             .Rules({kRuleKernelOdd, kRuleCorrelationOutputSize}))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.log", "horizon.nn.HardLog")
          .Aliases({"horizon.nn.HardLog"})
          .Ir({{"Log", IrRole::kPrimary}})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(
              Cell(kYes, "支持输入输出int8/int16。底层查表实现，有精度风险",
                   "Supported, int8/int16 in and out; lookup-table implementation, precision risk.")
                  .In({kI8, kI16})
                  .Out({kI8, kI16})
                  .TableBased())
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.masked_fill", "")
          .Ir({{"Where", IrRole::kPrimary}})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(
              Cell(kYes, "支持输入输出 int8", "Supported, int8 in and out.").In({kI8}).Out({kI8}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch 中没有 PointPillarsScatter", "horizon.nn.PointPillarsScatter")
          .Aliases({"horizon.nn.PointPillarsScatter"})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(Cell(kYes,
                      "支持输入输出int8/int16，需要三个输入，<br/>"
                      "三个输入的 shape 分别是: [M, C],  [M, 4]和[4]，<br/>"
                      "第3个输入表示该算子输出feature的 shape: (N, C, H, W)",
                      "Supported, int8/int16 in and out; three inputs [M, C], [M, 4] and [4] (the "
                      "output shape N, C, H, W).")
                     .In({kI8, kI16})
                     .Out({kI8, kI16})
                     .Rules({kRulePointpillarsInputs}))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.div", "horizon.nn.Div")
                  .Aliases({"horizon.nn.Div"})
                  .Ir({{"Div", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出 int16", "Supported, int16 in and out only.")
                             .In({kI16})
                             .Out({kI16}))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch 中没有 bgr2centered_yuv 算子", "horizon.bgr2centered_yuv")
          .Aliases({"horizon.bgr2centered_yuv"})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(Cell(kYes, "支持。用于数据预处理。将 0~255 的 BGR 图片转换为 centered YUV 格式",
                      "Supported: preprocessing, converts a 0~255 BGR image to centered YUV.")
                     .In({kI8})
                     .Out({kI8})
                     .Rules({kRuleYuvPreprocess}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch 中没有 rgb2centered_yuv 算子", "horizon.rgb2centered_yuv")
          .Aliases({"horizon.rgb2centered_yuv"})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(Cell(kYes, "支持。用于数据预处理。将 0~255 的 RGB 图片转换为 centered YUV 格式",
                      "Supported: preprocessing, converts a 0~255 RGB image to centered YUV.")
                     .In({kI8})
                     .Out({kI8})
                     .Rules({kRuleYuvPreprocess}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch 中没有 centered_yuv2bgr 算子", "horizon.centered_yuv2bgr")
          .Aliases({"horizon.centered_yuv2bgr"})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(Cell(kYes,
                      "支持输入输出 int8。当用户使用 BGR 图片训练 QAT 模型时，<br/>"
                      "在定点模型中插入该算子将 YUV 格式的输入图片转换成 GBR 格式",
                      "Supported, int8 in and out: converts YUV input images to BGR in the "
                      "fixed-point model when QAT was trained on BGR.")
                     .In({kI8})
                     .Out({kI8})
                     .Rules({kRuleYuvToBgrRgb}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch 中没有 centered_yuv2rgb 算子", "horizon.centered_yuv2rgb")
          .Aliases({"horizon.centered_yuv2rgb"})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(Cell(kYes,
                      "支持输入输出 int8。当用户使用 RGB 图片训练 QAT 模型时，<br/>"
                      "在定点模型中插入该算子将 YUV 格式的输入图片转换成 RGB 格式",
                      "Supported, int8 in and out: converts YUV input images to RGB in the "
                      "fixed-point model when QAT was trained on RGB.")
                     .In({kI8})
                     .Out({kI8})
                     .Rules({kRuleYuvToBgrRgb}))
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.MultiheadAttention", "")
          .Ir({{"MatMul", IrRole::kPart},
               {"Softmax", IrRole::kPart},
               {"Transpose", IrRole::kPart},
               {"Reshape", IrRole::kPart},
               {"Add", IrRole::kPart},
               {"Mul", IrRole::kPart}})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(Cell(kYes,
                      "不支持 add_bias_kv、add_zero_attn 和 q k v embed_dim 不一致的情况，<br/>"
                      "支持输入输出 int8/int16，底层查表算子与 mask 量化可能带来精度风险",
                      "Supported, int8/int16 in and out, except add_bias_kv, add_zero_attn and "
                      "differing q/k/v embed_dim; table ops and mask quantization are a precision "
                      "risk.")
                     .In({kI8, kI16})
                     .Out({kI8, kI16})
                     .TableBased()
                     .Rules({kRuleMhaRestrictions}))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.reciprocal", "horizon.nn.Reciprocal")
                  .Aliases({"horizon.nn.Reciprocal"})
                  .Ir({{"Reciprocal", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch 中没有 rcnn_post_process 算子", "horizon.nn.RcnnPostProcess")
          .Aliases({"horizon.nn.RcnnPostProcess"})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(Cell(kYes,
                      "该算子推理时需在CPU上运算，支持浮点输入输出，用于对RCNN的输出进行包括NMS在内"
                      "的一系列后处理",
                      "Runs on the CPU in inference with float input/output: RCNN post-processing "
                      "including NMS.")
                     .In({kF32})
                     .Out({kF32})
                     .OnCpu()
                     .Rules({kRuleRcnnPostProcessCpu}))
          .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.topk", "")
                  .Ir({{"TopK", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16/int32。",
                              "Supported, int8/int16/int32 in and out.")
                             .In({kI8, kI16, kI32})
                             .Out({kI8, kI16, kI32}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.gather", "")
                  .Ir({{"Gather", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16/int32。",
                              "Supported, int8/int16/int32 in and out.")
                             .In({kI8, kI16, kI32})
                             .Out({kI8, kI16, kI32}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.abs", "horizon.abs")
                  .Aliases({"horizon.abs"})
                  .Ir({{"Abs", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes, "支持输入输出int8/int16。", "Supported, int8/int16 in and out.")
                             .In({kI8, kI16})
                             .Out({kI8, kI16}))
                  .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.Softplus", "")
          .Ir({{"Softplus", IrRole::kPrimary}})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(
              Cell(kYes, "支持输入输出int8/int16。底层查表实现，有精度风险。",
                   "Supported, int8/int16 in and out; lookup-table implementation, precision risk.")
                  .In({kI8, kI16})
                  .Out({kI8, kI16})
                  .TableBased())
          .Build());
  t.push_back(
      Row(VendorTable::kTorch, "torch.nn.ELU", "")
          .Ir({{"Elu", IrRole::kPrimary}})
          .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
          .Bayes(
              Cell(kYes, "支持输入输出int8/int16。底层查表实现，有精度风险。",
                   "Supported, int8/int16 in and out; lookup-table implementation, precision risk.")
                  .In({kI8, kI16})
                  .Out({kI8, kI16})
                  .TableBased())
          .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.ceil", "horizon.nn.Ceil")
                  .Aliases({"horizon.nn.Ceil"})
                  .Ir({{"Ceil", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes,
                              "支持输入输出int8/int16。int8下输入数量级不要超过1e6, "
                              "int16下输入数量级不要超过1e8。",
                              "Supported, int8/int16 in and out; input magnitude below 1e6 (int8) "
                              "/ 1e8 (int16).")
                             .In({kI8, kI16})
                             .Out({kI8, kI16})
                             .Limits({At(When::kInt8Input, Le("input_abs", 1e6)),
                                      At(When::kInt16Input, Le("input_abs", 1e8))})
                             .Rules({kRuleInputMagnitude}))
                  .Build());
  t.push_back(Row(VendorTable::kTorch, "torch.floor", "horizon.nn.Floor")
                  .Aliases({"horizon.nn.Floor"})
                  .Ir({{"Floor", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kNo, "不支持", "Not supported."))
                  .Bayes(Cell(kYes,
                              "支持输入输出int8/int16。int8下输入数量级不要超过1e6, "
                              "int16下输入数量级不要超过1e8。",
                              "Supported, int8/int16 in and out; input magnitude below 1e6 (int8) "
                              "/ 1e8 (int16).")
                             .In({kI8, kI16})
                             .Out({kI8, kI16})
                             .Limits({At(When::kInt8Input, Le("input_abs", 1e6)),
                                      At(When::kInt16Input, Le("input_abs", 1e8))})
                             .Rules({kRuleInputMagnitude}))
                  .Build());
  t.push_back(Row(VendorTable::kTorchvision, "torchvision.ops.RoIAlign", "")
                  .Ir({{"RoiAlign", IrRole::kPrimary}})
                  .Bernoulli2(Cell(kYes, "支持", "Supported, int8.").In({kI8}).Out({kI8}))
                  .Bayes(Cell(kYes,
                              "支持。1<=feature number<=5;bbox 仅支持 `List[Tensor]` 格式 "
                              "shape:[1, box_num, 4],<br/>"
                              "bbox 最后一维 4 个数分别为: [left, top, right, bottom]",
                              "Supported, int8: 1 to 5 feature maps; bbox only as List[Tensor] [1, "
                              "box_num, 4] (left, top, right, bottom).")
                             .In({kI8})
                             .Out({kI8})
                             .Limits({Range("num_features", 1, 5)})
                             .Rules({kRuleRoialignBboxFormat}))
                  .Build());
  t.push_back(Row(VendorTable::kTorchvision, "torchvision.ops.MultiScaleRoIAlign",
                  "horizon.nn.MultiScaleRoIAlign")
                  .Aliases({"horizon.nn.MultiScaleRoIAlign"})
                  .Ir({{"RoiAlign", IrRole::kAlias, "multi_scale"}})
                  .Bernoulli2(Cell(kYes, "支持", "Supported, int8.").In({kI8}).Out({kI8}))
                  .Bayes(Cell(kYes, "支持。限制信息参考 RoIAlign", "Supported; limits as RoIAlign.")
                             .CopyOf("torchvision.ops.RoIAlign"))
                  .Build());
  t.push_back(Row(VendorTable::kTorchvision, "torchvision.models.detection.rpn.AnchorGenerator",
                  "horizon.nn.AnchorGenerator")
                  .Aliases({"horizon.nn.AnchorGenerator"})
                  .Bernoulli2(Cell(kYes, "仅支持 Tensor.shape 可以离线确定的情况",
                                   "Supported, int8, only when Tensor.shape is known offline.")
                                  .In({kI8})
                                  .Out({kI8})
                                  .Rules({kRuleStaticShapeOnly}))
                  .Bayes(Cell(kYes, "支持输入 int8/int16/int32/float32, 输出 float32",
                              "Supported: int8/int16/int32/float32 input, float32 output.")
                             .In({kI8, kI16, kI32, kF32})
                             .Out({kF32})
                             .Rules({kRuleFloatIo}))
                  .Build());
  for (OpTableEntry& e : t) {
    ResolveCopy(t, e, March::kBernoulli2, 0);
    ResolveCopy(t, e, March::kBayes, 0);
  }
  return t;
}

std::string FormatNumber(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    const int64_t i = static_cast<int64_t>(v);
    if (i >= (int64_t{1} << 20) && (i & (i - 1)) == 0) {
      int k = 0;
      while ((int64_t{1} << k) < i) ++k;
      return absl::StrCat("2^", k);
    }
    return absl::StrCat(i);
  }
  const double inv = 1.0 / v;
  if (inv == std::floor(inv) && std::fabs(inv) < 1e15) {
    return absl::StrCat("1/", static_cast<int64_t>(inv));
  }
  return absl::StrCat(v);
}

}  // namespace

absl::string_view MarchName(March march) {
  switch (march) {
    case March::kBernoulli2:
      return "bernoulli2";
    case March::kBayes:
      return "bayes";
    case March::kBayesE:
      return "bayes-e";
  }
  return "unknown";
}

std::vector<std::string> Marches() {
  std::vector<std::string> names;
  for (March m : {March::kBernoulli2, March::kBayes, March::kBayesE}) {
    names.emplace_back(MarchName(m));
  }
  return names;
}

absl::StatusOr<March> ParseMarch(absl::string_view name) {
  for (March m : {March::kBernoulli2, March::kBayes, March::kBayesE}) {
    if (MarchName(m) == name) return m;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown march \"", name, "\"; valid marches: ", absl::StrJoin(Marches(), ", ")));
}

absl::string_view SupportedName(Supported s) {
  switch (s) {
    case Supported::kNo:
      return "no";
    case Supported::kYes:
      return "yes";
    case Supported::kAbsorbed:
      return "absorbed";
  }
  return "unknown";
}

absl::string_view WhenName(When w) {
  switch (w) {
    case When::kAlways:
      return "always";
    case When::kModelOutput:
      return "model_output";
    case When::kWithSumin:
      return "sumin";
    case When::kInt8Input:
      return "int8_input";
    case When::kInt16Input:
      return "int16_input";
  }
  return "unknown";
}

bool Limit::Contains(double v) const {
  if (!allowed.empty()) {
    bool found = false;
    for (double a : allowed) found = found || a == v;
    if (!found) return false;
  }
  if (min_exclusive ? !(v > min) : !(v >= min)) return false;
  if (max_exclusive ? !(v < max) : !(v <= max)) return false;
  return true;
}

std::string Limit::ToString() const {
  std::string s;
  if (!allowed.empty()) {
    std::vector<std::string> values;
    for (double a : allowed) values.push_back(FormatNumber(a));
    s = absl::StrCat(name, " in {", absl::StrJoin(values, ", "), "}");
  } else if (!std::isinf(min) && !std::isinf(max)) {
    s = absl::StrCat(FormatNumber(min), min_exclusive ? " < " : " <= ", name,
                     max_exclusive ? " < " : " <= ", FormatNumber(max));
  } else if (!std::isinf(max)) {
    s = absl::StrCat(name, max_exclusive ? " < " : " <= ", FormatNumber(max));
  } else if (!std::isinf(min)) {
    s = absl::StrCat(name, min_exclusive ? " > " : " >= ", FormatNumber(min));
  } else {
    s = absl::StrCat(name, " unbounded");
  }
  if (when != When::kAlways) absl::StrAppend(&s, " (when ", WhenName(when), ")");
  return s;
}

const MarchSupport& OpTableEntry::For(March march) const {
  // bayes-e follows the bayes column (the vendor table has no bayes-e column).
  return march == March::kBernoulli2 ? bernoulli2 : bayes;
}

const std::vector<OpTableEntry>& OpTable() {
  static const std::vector<OpTableEntry>* const table = new std::vector<OpTableEntry>(BuildTable());
  return *table;
}

absl::string_view GeneralNoteZh() {
  return "下表 op 如无特殊说明均有以下限制：输入输出数据类型 int8，input_shape: [N, C, H, "
         "W]，input_size <1G bytes，1<=N<=4096，1<=H, W, C<=65536，Feature "
         "维度为4。如表格中添加额外限制信息，以表格中为准。";
}

const std::vector<Limit>& GeneralLimits() {
  static const std::vector<Limit>* const limits = new std::vector<Limit>{
      OneOf("rank", {4}),   Lt("input_bytes", kGiB), Range("N", 1, 4096),
      Range("C", 1, 65536), Range("H", 1, 65536),    Range("W", 1, 65536),
  };
  return *limits;
}

std::vector<Limit> EffectiveLimits(const MarchSupport& cell) {
  if (cell.supported != Supported::kYes || cell.runs_on_cpu) return {};
  std::vector<Limit> limits = cell.limits;
  for (const Limit& general : GeneralLimits()) {
    bool restated = false;
    for (const Limit& own : cell.limits) restated = restated || own.name == general.name;
    if (!restated) limits.push_back(general);
  }
  return limits;
}

const OpTableEntry* FindByVendorName(absl::string_view name) {
  for (const OpTableEntry& e : OpTable()) {
    if (e.vendor_name == name) return &e;
    for (const std::string& alias : e.aliases) {
      if (alias == name) return &e;
    }
  }
  return nullptr;
}

std::vector<const OpTableEntry*> FindByIrOp(absl::string_view ir_op) {
  std::vector<const OpTableEntry*> rows;
  for (const OpTableEntry& e : OpTable()) {
    for (const IrOpMapping& m : e.ir_ops) {
      if (m.op == ir_op) {
        rows.push_back(&e);
        break;
      }
    }
  }
  return rows;
}

const OpTableEntry* FindPrimary(absl::string_view ir_op) {
  for (const OpTableEntry& e : OpTable()) {
    for (const IrOpMapping& m : e.ir_ops) {
      if (m.op == ir_op && m.role == IrRole::kPrimary) return &e;
    }
  }
  return nullptr;
}

absl::StatusOr<MarchSupport> Support(absl::string_view ir_op, March march) {
  if (const OpTableEntry* row = FindPrimary(ir_op); row != nullptr) return row->For(march);
  std::vector<std::string> elsewhere;
  for (const OpTableEntry* row : FindByIrOp(ir_op)) elsewhere.push_back(row->vendor_name);
  if (elsewhere.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "IR op ", ir_op, " has no row in the march operator table (", MarchName(march), ")"));
  }
  return absl::NotFoundError(absl::StrCat(
      "IR op ", ir_op, " has no row of its own in the march operator table (", MarchName(march),
      "); it appears only within: ", absl::StrJoin(elsewhere, ", ")));
}

}  // namespace openbpu::march
