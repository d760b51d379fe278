// Concat: joins tensors of any dtype along one axis (ONNX Concat-13); a
// byte-level copy, so every dtype is supported. The float kernel and
// kernels::PlanConcat are in common/kernels/concat_split.cc.
#include <limits>

#include "common/kernels/data_movement.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/quant_util.h"

namespace openbpu::ops {
namespace {

ir::OpSchema ConcatSchema() {
  ir::OpSchema s;
  s.name = "Concat";
  s.min_inputs = 1;
  s.max_inputs = std::numeric_limits<int>::max();
  s.attrs = {{"axis", ir::AttrKind::kInt}};
  s.infer = [](const ir::Node& node, std::vector<ir::TensorType>& outputs) -> absl::Status {
    std::vector<DType> dtypes;
    std::vector<const Shape*> shapes;
    for (int i = 0; i < node.num_inputs(); ++i) {
      if (node.input(i) == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("input ", i, " is missing"));
      }
      dtypes.push_back(InputType(node, i).dtype);
      shapes.push_back(&InputType(node, i).shape);
    }
    if (DTypeSize(dtypes[0]) == 0) return RequireDType(node, 0, {});
    absl::StatusOr<kernels::ConcatPlan> plan = kernels::PlanConcat(node.attrs(), dtypes, shapes);
    if (!plan.ok()) return plan.status();
    outputs[0].dtype = dtypes[0];
    outputs[0].shape = plan->shape;
    return absl::OkStatus();
  };
  s.kernel = RegistryKernel("Concat");
  s.kernel_from_registry = true;
  return s;
}

OPENBPU_REGISTER_OP(Concat, qarith::WithArithmeticQuant<qparams::InputRecords>(
                                ConcatSchema(), qarith::PrepareConcat, qarith::ConcatKernel));

}  // namespace
}  // namespace openbpu::ops
