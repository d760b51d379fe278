// Hybrid models in the .hbm (proto/hbm.proto Model.segments): the conversions between the file's
// CPU segment messages and the in-memory tensors and attributes the float kernels take
// (common/tensor.h, common/attribute.h), and the structural checks of a hybrid model. The
// compiler back end writes CPU segments with these; the runtime reads them.
#ifndef OPENBPU_HBM_SEGMENT_H_
#define OPENBPU_HBM_SEGMENT_H_

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/attribute.h"
#include "common/tensor.h"
#include "proto/hbm.pb.h"

namespace openbpu::hbm {

// DType <-> the file's enum; DTYPE_UNSPECIFIED and unknown values are InvalidArgument.
absl::StatusOr<TensorDesc::DType> ToProtoDType(DType dtype);
absl::StatusOr<DType> FromProtoDType(TensorDesc::DType dtype);

// A tensor as a Constant named `name` (elements row-major, little-endian) and back; FromConstant
// checks the dtype, the dimensions and that `data` holds exactly the shape's elements.
absl::StatusOr<Constant> ToConstant(const std::string& name, const Tensor& tensor);
absl::StatusOr<Tensor> FromConstant(const Constant& constant);

// A node's attributes and back; FromAttributes rejects an unknown kind and duplicate names.
absl::Status ToAttributes(const AttributeMap& attrs,
                          google::protobuf::RepeatedPtrField<Attribute>* out);
absl::StatusOr<AttributeMap> FromAttributes(
    const google::protobuf::RepeatedPtrField<Attribute>& attrs);

// One CPU segment's structure: nodes non-empty, each with an op and outputs; constants
// well-formed and uniquely named; every value a node reads defined before it (in `defined`: the
// model's input values and earlier segments' outputs, or a constant, or an earlier node's
// output) and typed in `values`, every node output typed; every segment input in `defined` and
// every segment output defined by the segment. Adds the segment's outputs to `defined`.
absl::Status ValidateCpuSegment(const CpuSegment& segment, const std::string& where,
                                std::set<std::string>& defined);

}  // namespace openbpu::hbm

#endif  // OPENBPU_HBM_SEGMENT_H_
