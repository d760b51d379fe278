// Where (ONNX Where-16): condition ? X : Y elementwise, with the three inputs
// broadcast together; X and Y may have any (shared) dtype, so elements are
// copied as bytes.
#include <cstring>

#include "compiler/ir/node_error.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_exact_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema WhereSchema() {
  ir::OpSchema s;
  s.name = "Where";
  s.min_inputs = s.max_inputs = 3;
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    const ir::TensorType& c = InputType(node, 0);
    const ir::TensorType& x = InputType(node, 1);
    const ir::TensorType& y = InputType(node, 2);
    absl::StatusOr<Shape> shape =
        kernels::WhereOutputShape(c.dtype, x.dtype, y.dtype, c.shape, x.shape, y.shape);
    if (!shape.ok()) return shape.status();
    outputs[0].dtype = x.dtype;
    outputs[0].shape = *shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Where");  // common/kernels/binary.cc
  s.kernel_from_registry = true;
  // Quantized (arithmetic): X and Y are requantized to the output scale
  // (qparams::InputRecords: s_x / s_out, s_y / s_out), then selected by the condition.
  s.qkind = ir::QuantKind::kArithmetic;
  s.qprepare = [](ir::Node& node, const ir::QuantOpContext&) -> absl::Status {
    return qexact::PrepareRequantizeInputs(node, {1, 2});
  };
  s.qcheck = qparams::CheckFn<qparams::InputRecords>();
  s.qkernel = [](const ir::Node& node, absl::Span<const Tensor* const> inputs,
                 std::vector<Tensor>& outputs) -> absl::Status {
    const Tensor& c = *inputs[0];
    const Tensor& x = *inputs[1];
    const Tensor& y = *inputs[2];
    if (c.dtype() != DType::kBool) {
      return absl::InvalidArgumentError(
          absl::StrCat("condition must be bool, got ", DTypeName(c.dtype())));
    }
    absl::StatusOr<qparams::InputRecords> params = qparams::Load<qparams::InputRecords>(node);
    if (!params.ok()) return params.status();
    if (params->records.size() != 2) {
      return ir::NodeError(absl::StatusCode::kInvalidArgument, node,
                           "'inputs' parameters must have 2 records (X and Y)");
    }
    const std::vector<numerics::RequantizeRecord>* records = &params->records;
    absl::StatusOr<DType> storage = qexact::OutputStorage(node, 0);
    if (!storage.ok()) return storage.status();
    absl::StatusOr<std::pair<int64_t, int64_t>> range = qexact::StorageRange(*storage);
    if (!range.ok()) return range.status();
    absl::StatusOr<Shape> shape = BroadcastShapesN({c.shape(), x.shape(), y.shape()});
    if (!shape.ok()) return shape.status();
    const std::vector<int64_t> ic = BroadcastIndex(c.shape(), *shape);
    const std::vector<int64_t> ix = BroadcastIndex(x.shape(), *shape);
    const std::vector<int64_t> iy = BroadcastIndex(y.shape(), *shape);
    const std::vector<int64_t> qx = x.ToInt64Vector(), qy = y.ToInt64Vector();
    const bool* pc = c.data<bool>();
    std::vector<int64_t> out(ic.size());
    for (size_t i = 0; i < ic.size(); ++i) {
      out[i] = pc[ic[i]]
                   ? numerics::Requantize(qx[ix[i]], (*records)[0], range->first, range->second)
                   : numerics::Requantize(qy[iy[i]], (*records)[1], range->first, range->second);
    }
    outputs.push_back(qexact::IntTensor(*storage, *shape, out));
    return absl::OkStatus();
  };
  return s;
}

OPENBPU_REGISTER_OP(Where, WhereSchema());

}  // namespace
}  // namespace openbpu::ops
