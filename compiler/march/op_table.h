// The vendor's operator table ("支持的算子": torch and torchvision ops × march) as data: the
// one source that convert, the checker and the compiler read for support, dtypes and limits.
#ifndef OPENBPU_COMPILER_MARCH_OP_TABLE_H_
#define OPENBPU_COMPILER_MARCH_OP_TABLE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/dtype.h"

namespace openbpu::march {

// Target micro-architectures. ASSUMPTION: the vendor table has only bernoulli2 and bayes
// columns; bayes-e is a bayes variant and follows the bayes column everywhere.
enum class March { kBernoulli2, kBayes, kBayesE };

// "bernoulli2", "bayes", "bayes-e".
absl::string_view MarchName(March march);
// Every march name, in enum order.
std::vector<std::string> Marches();
// Unknown names are InvalidArgument listing the valid ones.
absl::StatusOr<March> ParseMarch(absl::string_view name);

enum class Supported {
  kNo,
  kYes,
  // Training-only ops (Dropout, Identity, BatchNorm folded into conv): the vendor says
  // "训练 op，不体现在预测模型中" / "被吸收" — absorbed, not in the deployed model.
  kAbsorbed,
};
absl::string_view SupportedName(Supported s);  // "no", "yes", "absorbed"

// Which outputs of a supported op may only be graph outputs ("只能作为模型输出").
enum class ModelOutputOnly {
  kNo,
  kWholeOp,      // the op itself can only produce a model output (bernoulli2 torch.max)
  kIndexOutput,  // only the int32 index output (bayes torch.max / min / argmax)
};

// The context a limit applies in; kAlways for almost all of them.
enum class When {
  kAlways,
  kModelOutput,  // the op's output is a model output ("作为模型输出时")
  kWithSumin,    // conv with a fused elementwise-add input ("带 sumin 的 conv")
  kInt8Input,
  kInt16Input,
};
absl::string_view WhenName(When w);  // "always", "model_output", "sumin", "int8_input", ...

// A numeric limit on one quantity. `name` is a machine id from this vocabulary (the checker
// maps each to a node's shapes/attributes):
//   N, C, H, W, D        dims of the feature (first input) in the vendor's [N, C, (D,) H, W]
//   rank                 number of feature dims
//   input_bytes          size of the input in bytes ("input_size"; 1G = 2^30, an assumption)
//   H*W*C, H*W           products of feature dims
//   in_channels, out_channels, channels_per_group
//   kernel, stride, dilation, padding, output_padding, group  (each spatial dim)
//   weight_N, weight_C, weight_D, weight_H, weight_W, weight_size (elements = bytes for int8)
//   in_features, out_features   (Linear)
//   num_inputs           number of inputs (cat)
//   each_dim             every output dim (reshape)
//   scale                resize factor per spatial dim
//   normalized_H*W       H*W of LayerNorm's normalized_shape
//   num_features         number of feature maps (RoIAlign)
//   input_abs            |real value| of the input (ceil/floor)
// The value v must satisfy min <(=) v <(=) max (exclusive when the flag says so; ±infinity
// means unbounded) and, when `allowed` is non-empty, equal one of its values.
struct Limit {
  std::string name;
  double min;
  double max;
  bool min_exclusive = false;
  bool max_exclusive = false;
  std::vector<double> allowed;
  When when = When::kAlways;

  bool Contains(double v) const;
  // "1/256 < scale <= 256", "kernel <= 7", "dilation in {1, 2, 4}", "... (when model_output)".
  std::string ToString() const;
};

// A condition that is not a plain range, e.g. "when dilation != 1, stride must be 1".
struct Rule {
  std::string id;  // short machine-readable id, e.g. "dilation_needs_stride1"
  std::string english;
};

// One cell of the vendor table: what one march does with one vendor op.
struct MarchSupport {
  Supported supported = Supported::kNo;
  // Allowed dtypes. The general limit is int8 in / int8 out; cells that name other dtypes
  // replace it. Empty when not supported or absorbed.
  std::vector<DType> input_dtypes;
  std::vector<DType> output_dtypes;
  // "底层查表实现，有（一定）精度风险": implemented with a lookup table, precision risk. Mirrors
  // the vendor's wording only (the vendor does not mark bayes sigmoid/tanh, for instance).
  bool table_based = false;
  ModelOutputOnly model_output_only = ModelOutputOnly::kNo;
  // Runs on the CPU in inference (DeQuantStub, RcnnPostProcess): no BPU limits apply.
  bool runs_on_cpu = false;
  // Limits stated in this cell; see EffectiveLimits() for the cell plus the general limits.
  std::vector<Limit> limits;
  std::vector<Rule> rules;
  // The vendor op this cell points to ("参考 torch.max", "限制同 torch.max", "限制参考 Conv2d").
  std::string refers_to;
  // True when every structured field above was copied from `refers_to`'s cell for this march.
  bool copied_from_reference = false;
  std::string note_zh;     // the vendor's cell, verbatim (markdown, <br/> kept)
  std::string summary_en;  // English summary of note_zh
};

// How a vendor op shows up in the IR (ONNX op names, newest opset, as torch exports them).
enum class IrRole {
  // The row Support(op, march) answers from; exactly one per IR op that has a row.
  kPrimary,
  // The op is this vendor op too, e.g. Add for torch.add_scalar, Clip for relu6.
  kAlias,
  // One op of the several torch exports for this vendor op (GELU: Div, Erf, Add, Mul).
  kPart,
};

struct IrOpMapping {
  std::string op;
  IrRole role;
  // Which form of the op this row means, where that needs saying: a short id documented in
  // docs/MARCH_OP_TABLE.md ("relu6", "scalar_operand", "global", "5d", "constant_weight", ...).
  // On a primary mapping it marks a reading of ours (GlobalAveragePool as AvgPool2d).
  std::string pattern;
};

enum class VendorTable { kTorch, kTorchvision };

struct OpTableEntry {
  // First column, verbatim (markdown escapes removed), e.g. "torch.nn.Conv2d".
  std::string vendor_name;
  // Other names the row answers to in FindByVendorName: the single names of a combined row
  // ("torch.clamp/clip, tensor.clamp/clip") and horizon replacement modules (horizon.nn.Sqrt).
  std::vector<std::string> aliases;
  // "准备浮点模型时需替换为" column, verbatim.
  std::string replace_with;
  VendorTable table = VendorTable::kTorch;
  // Empty when the op has no IR form (QuantStub, Correlation, YUV conversions, ...).
  std::vector<IrOpMapping> ir_ops;
  MarchSupport bernoulli2;
  MarchSupport bayes;

  // bayes-e reads the bayes column.
  const MarchSupport& For(March march) const;
};

// Every row, in the vendor table's order.
const std::vector<OpTableEntry>& OpTable();

// The paragraph above the table, verbatim, and its limits: int8 in/out, [N, C, H, W],
// input_size < 1G bytes, 1 <= N <= 4096, 1 <= H, W, C <= 65536, 4-D features.
absl::string_view GeneralNoteZh();
const std::vector<Limit>& GeneralLimits();

// The cell's limits plus every general limit whose name the cell does not restate ("如表格中
// 添加额外限制信息，以表格中为准"). Empty for CPU cells and cells that are not supported.
std::vector<Limit> EffectiveLimits(const MarchSupport& cell);

// By vendor name or alias; null when unknown.
const OpTableEntry* FindByVendorName(absl::string_view name);
// Every row mapping `ir_op` in any role, in table order.
std::vector<const OpTableEntry*> FindByIrOp(absl::string_view ir_op);
// The row with `ir_op` as its primary op, or null.
const OpTableEntry* FindPrimary(absl::string_view ir_op);
// The primary row's cell for `march`. NotFound when no row maps the op as primary (the
// message names the rows where it appears only as a part of a composite, if any).
absl::StatusOr<MarchSupport> Support(absl::string_view ir_op, March march);

}  // namespace openbpu::march

#endif  // OPENBPU_COMPILER_MARCH_OP_TABLE_H_
