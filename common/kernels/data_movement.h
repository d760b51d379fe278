// The planning of the data movement ops (Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat,
// Split, Gather, Tile, Expand, DepthToSpace, SpaceToDepth, Slice, Pad): their output shapes and
// index plans from attributes and (constant) inputs, shared by the float kernels
// (reshape.cc, layout.cc, concat_split.cc, slice_pad.cc) and the op schemas' shape inference so
// both reject the same cases. The kernels move elements of any dtype bit-exactly.
#ifndef OPENBPU_COMMON_KERNELS_DATA_MOVEMENT_H_
#define OPENBPU_COMMON_KERNELS_DATA_MOVEMENT_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/attribute.h"
#include "common/tensor.h"

namespace openbpu::kernels {

// Largest output of a shape-computing op (Reshape, Concat, Gather, Tile, Expand, ConstantOfShape,
// Range): 2^31 elements.
inline constexpr int64_t kMaxShapeElements = int64_t{1} << 31;

// Reshape: `spec` is the int64 1-D `shape` input; 0 copies the input dimension unless
// allowzero=1, -1 is inferred.
absl::StatusOr<Shape> ReshapeShape(const AttributeMap& attrs, const Shape& in, const Tensor& spec);

// Flatten: [prod(in[:axis]), prod(in[axis:])], axis in [-rank, rank].
absl::StatusOr<Shape> FlattenShape(const AttributeMap& attrs, const Shape& in);

// Squeeze: `axes` (int64 1-D) is null when omitted (all size-1 dimensions go).
absl::StatusOr<Shape> SqueezeShape(const Shape& in, const Tensor* axes);

// Unsqueeze: `axes` (int64 1-D) are positions in the output.
absl::StatusOr<Shape> UnsqueezeShape(const Shape& in, const Tensor& axes);

// Transpose: attribute `perm`, validated, or the reversed dimensions.
absl::StatusOr<std::vector<int>> TransposePermutation(const AttributeMap& attrs, int rank);
Shape PermutedShape(const Shape& in, const std::vector<int>& perm);

struct ConcatPlan {
  int axis = 0;
  Shape shape;  // output shape
};

// Concat of inputs with these dtypes and shapes along attribute `axis` (required).
absl::StatusOr<ConcatPlan> PlanConcat(const AttributeMap& attrs, const std::vector<DType>& dtypes,
                                      const std::vector<const Shape*>& shapes);

struct SplitPlan {
  int axis = 0;
  std::vector<int64_t> sizes;  // one per output
};

// Split: parts from the int64 `split` input (null when omitted; empty means not given), from
// attribute `num_outputs` (Split-18: ceil(dim / n), the last smaller), or equal parts, one per
// output. `num_outputs` is the node's output count, or -1 when the caller does not know it (then
// it follows from `split` or attribute `num_outputs`, and equal parts are an error).
absl::StatusOr<SplitPlan> PlanSplit(const AttributeMap& attrs, int num_outputs, const Shape& shape,
                                    const Tensor* split);

struct GatherPlan {
  int axis = 0;
  Shape shape;  // output shape
};

// Gather of `data` along attribute `axis` at indices of shape `indices`.
absl::StatusOr<GatherPlan> PlanGather(const AttributeMap& attrs, const Shape& data,
                                      const Shape& indices);

// Tile by the int64 1-D `repeats` (one per dimension).
absl::StatusOr<Shape> TileShape(const Shape& in, const Tensor& repeats);

// Expand: bidirectional broadcast of `in` with the int64 1-D `shape` input.
absl::StatusOr<Shape> ExpandShape(const Shape& in, const Tensor& spec);

struct DepthToSpacePlan {
  int64_t block = 0;
  bool crd = false;  // mode CRD (else DCR)
  Shape shape;       // output shape
};

// DepthToSpace of a 4-D input: attributes `blocksize` (required) and `mode` (DCR or CRD).
absl::StatusOr<DepthToSpacePlan> PlanDepthToSpace(const AttributeMap& attrs, const Shape& in);
// DepthToSpace's `mode` alone (the schema's validator).
absl::Status CheckDepthToSpaceMode(const AttributeMap& attrs);

// SpaceToDepth of a 4-D input by attribute `blocksize` (required).
absl::StatusOr<Shape> SpaceToDepthShape(const AttributeMap& attrs, const Shape& in);

struct SlicePlan {
  Shape shape;                 // output shape
  std::vector<int64_t> start;  // first input index per dimension
  std::vector<int64_t> step;   // input index increment per dimension
};

// Slice-13: starts, ends (int32 / int64 1-D), axes and steps (null when omitted), clamped as
// ONNX does.
absl::StatusOr<SlicePlan> PlanSlice(const Shape& shape, const Tensor* starts, const Tensor* ends,
                                    const Tensor* axes, const Tensor* steps);

enum class PadMode { kConstant, kReflect, kEdge };

// Attribute `mode`: constant (default), reflect or edge; wrap is UNIMPLEMENTED.
absl::StatusOr<PadMode> ParsePadMode(const AttributeMap& attrs);

struct PadPlan {
  Shape shape;  // output shape
  // Per dimension, the input index each output index reads, or -1 for the
  // constant value.
  std::vector<std::vector<int64_t>> source;
};

// Pad-18: `pads` (int32 / int64 1-D, [begins, ends] of the axes; negative crops) and `axes`
// (null when omitted: every dimension).
absl::StatusOr<PadPlan> PlanPad(PadMode mode, const Shape& shape, const Tensor* pads,
                                const Tensor* axes);

// Pad's constant_value (null when omitted): the data's dtype, at most one value.
absl::Status CheckPadConstantValue(const Tensor* value, DType dtype);

}  // namespace openbpu::kernels

#endif  // OPENBPU_COMMON_KERNELS_DATA_MOVEMENT_H_
