// Div: broadcasting elementwise quotient. Integer division truncates toward
// zero (C++ semantics, which ONNX Runtime and the ONNX reference share); an
// integer divide by zero gives 0 as in numpy rather than trapping, and
// lowest / -1 wraps to lowest.
#include "compiler/ir/node_error.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/qparams.h"
#include "compiler/ops/quant_table_util.h"
#include "isa/numerics/elementwise.h"
#include "isa/numerics/lut.h"
#include "isa/numerics/requantize.h"

namespace openbpu::ops {
namespace {

// Quantized (docs/NUMERICS.md, "Lookup tables"): q_x * (1 / q_y) with 1 / |q_y| from the
// normalized reciprocal table, requantized by s_x / (s_y * s_out); qkernel broadcasts and
// runs numerics::ApplyDiv (isa/numerics/elementwise.h, where the simulator can reach it) on
// each element pair.
absl::Status PrepareDiv(ir::Node& node, const ir::QuantOpContext& ctx) {
  absl::StatusOr<std::pair<DType, double>> x = qtable::InputQuant(node, 0);
  if (!x.ok()) return x.status();
  absl::StatusOr<std::pair<DType, double>> y = qtable::InputQuant(node, 1);
  if (!y.ok()) return y.status();
  absl::StatusOr<std::pair<DType, double>> out = qtable::OutputQuant(node, 0);
  if (!out.ok()) return out.status();
  for (DType d : {x->first, y->first, out->first}) {
    if (absl::Status st = qtable::CheckActivationStorage(node, d, ctx); !st.ok()) return st;
  }
  absl::StatusOr<numerics::RequantizeRecord> record =
      numerics::MakeRequantizeRecord(x->second / (y->second * out->second));
  if (!record.ok()) return ir::NodeError(node, record.status());
  return qparams::Store(node, qparams::Div{numerics::MakeReciprocalTable(), *record});
}

absl::Status DivKernel(const ir::Node& node, absl::Span<const Tensor* const> inputs,
                       std::vector<Tensor>& outputs) {
  absl::StatusOr<std::pair<DType, double>> out = qtable::OutputQuant(node, 0);
  if (!out.ok()) return out.status();
  absl::StatusOr<qparams::Div> loaded = qparams::Load<qparams::Div>(node);
  if (!loaded.ok()) return loaded.status();
  const numerics::DivParams& params = *loaded;
  absl::StatusOr<Shape> shape = BroadcastShapes(inputs[0]->shape(), inputs[1]->shape());
  if (!shape.ok()) return shape.status();
  const std::vector<int64_t> ix = BroadcastIndex(inputs[0]->shape(), *shape);
  const std::vector<int64_t> iy = BroadcastIndex(inputs[1]->shape(), *shape);
  const std::vector<int64_t> qx = inputs[0]->ToInt64Vector();
  const std::vector<int64_t> qy = inputs[1]->ToInt64Vector();
  const auto [lo, hi] = qtable::Range(out->first);
  std::vector<int64_t> result(ix.size());
  for (size_t i = 0; i < ix.size(); ++i) {
    result[i] = numerics::ApplyDiv(params, qx[ix[i]], qy[iy[i]], lo, hi);
  }
  outputs.push_back(qtable::IntTensor(out->first, *shape, result));
  return absl::OkStatus();
}

ir::OpSchema DivSchema() {
  ir::OpSchema s = BinaryKernelSchema("Div", /*has_int=*/true, /*bool_output=*/false);
  s.qkind = ir::QuantKind::kTable;
  s.qprepare = PrepareDiv;
  s.qcheck = qparams::CheckFn<qparams::Div>();
  s.qkernel = DivKernel;
  // The int16 table's asserted error bound (docs/NUMERICS.md, "Lookup tables").
  s.int16_table_error_lsb = 2;
  return s;
}

OPENBPU_REGISTER_OP(Div, DivSchema());

}  // namespace
}  // namespace openbpu::ops
